/**
 * The fast path for 2025-era POSTs: one long-lived Server per process behind this transport, each
 * POST's requests handed to it under ids unique in the process and answered with a JSON body.
 *
 * Why: the SDK's stateless handler builds a web Request/Response, web streams, an AbortSignal and
 * a fresh Server for every request, which costs three times the CPU of the whole tool call behind
 * it (docs/benchmarks.md, "Scale-out and the v2 SDK"). Generated servers never speak first (no
 * sampling, elicitation, progress or log notifications), so a JSON answer is all a 2025 client
 * needs, and the server keeps no state between requests: still stateless, any replica answers.
 * Ids are mapped because two clients may both send id 1 at once. A caller that hangs up cancels
 * its requests (notifications/cancelled under the mapped id aborts the upstream call). The
 * 2026-07-28 era, and `server/discover`, stay on the SDK's handler.
 */
import type { ServerResponse } from 'node:http';
import { isJSONRPCNotification, isJSONRPCRequest } from '@modelcontextprotocol/server';
import type { JSONRPCMessage, MessageExtraInfo, RequestId, Transport } from '@modelcontextprotocol/server';

/** The SDK's own cap on a batch. */
const MAX_BATCH = 100;

/** A POST waiting for the answers to its requests, in request order. */
interface Exchange {
  res: ServerResponse;
  batch: boolean;
  /** The mapped ids, in the order of the POST. */
  order: number[];
  answers: Map<number, JSONRPCMessage>;
}

export class LegacyJsonTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private next = 0;
  private readonly waiting = new Map<number, { exchange: Exchange; id: RequestId }>();

  async start(): Promise<void> {}

  /** One POST's messages: notifications only → 202 at once; else JSON once every request has its answer. */
  receive(messages: JSONRPCMessage[], batch: boolean, res: ServerResponse, extra: MessageExtraInfo): void {
    const exchange: Exchange = { res, batch, order: [], answers: new Map() };
    const forward: JSONRPCMessage[] = [];
    for (const message of messages) {
      if (isRequest(message)) {
        const mapped = ++this.next;
        this.waiting.set(mapped, { exchange, id: message.id });
        exchange.order.push(mapped);
        forward.push({ ...message, id: mapped } as JSONRPCMessage);
      } else if (!isCancellation(message)) {
        // A cancellation names an id of another POST, which may be on another replica: a client
        // cancels by closing that request's connection instead.
        forward.push(message);
      }
    }
    if (exchange.order.length === 0) res.writeHead(202).end();
    else {
      res.once('close', () => {
        if (res.writableFinished) return;
        for (const mapped of exchange.order) {
          if (!this.waiting.delete(mapped)) continue;
          this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: mapped, reason: 'the HTTP request was closed' } }, extra);
        }
      });
    }
    for (const message of forward) this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    // Only answers have somewhere to go (generated servers send no notification or request).
    if (!('id' in message) || !('result' in message || 'error' in message) || typeof message.id !== 'number') return;
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    const { exchange } = waiting;
    exchange.answers.set(message.id, { ...message, id: waiting.id } as JSONRPCMessage);
    if (exchange.answers.size < exchange.order.length) return;
    const answers = exchange.order.map((mapped) => exchange.answers.get(mapped));
    sendJson(exchange.res, 200, exchange.batch ? answers : answers[0]);
  }

  async close(): Promise<void> {
    this.waiting.clear();
    this.onclose?.();
  }
}

/**
 * The messages of a body exactly as the SDK accepts them (its own guards: no extra keys, a valid
 * `_meta`), one or a batch of at most MAX_BATCH; undefined otherwise, and the SDK's handler
 * answers the request with its error. A message the shared server would drop unanswered must
 * never reach it: its HTTP response would stay open.
 */
export function jsonRpcMessages(body: unknown): JSONRPCMessage[] | undefined {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > MAX_BATCH) return undefined;
  return list.every((m) => isJSONRPCRequest(m) || isJSONRPCNotification(m)) ? (list as JSONRPCMessage[]) : undefined;
}

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

function isCancellation(message: JSONRPCMessage): boolean {
  return 'method' in message && message.method === 'notifications/cancelled';
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
