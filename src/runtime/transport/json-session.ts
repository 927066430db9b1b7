/**
 * One Streamable HTTP session whose POSTs are answered with a JSON body, never an SSE stream.
 *
 * Why not the SDK's StreamableHTTPServerTransport: on Node it turns every request into a
 * web-standard Request and the answer back (the @hono/node-server adapter and web streams),
 * which cost more CPU per call than the whole tool call behind it (docs/benchmarks.md, runtime
 * overhead). Generated servers never speak first (no sampling, elicitation, progress or
 * list-changed notifications), so JSON answers are all they need, and the spec lets a server
 * answer a POST with JSON and refuse the optional GET stream with 405. The Server (Protocol)
 * above is still the SDK's: request parsing, capability checks and cancellation are unchanged.
 */
import type { ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The SDK's own cap on a batch (server/requestBody.js). */
const MAX_BATCH = 100;

/** A POST waiting for the answers to its requests. */
interface Exchange {
  res: ServerResponse;
  /** The body was an array: answer with an array, in request order. */
  batch: boolean;
  ids: RequestId[];
  answers: Map<RequestId, JSONRPCMessage>;
}

export class JsonSessionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private readonly waiting = new Map<RequestId, Exchange>();
  private closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /**
   * Hands one POST's messages to the server. Without a request among them the POST is answered
   * 202 at once; otherwise with JSON once every request in it has its answer.
   */
  receive(messages: JSONRPCMessage[], batch: boolean, res: ServerResponse, extra: MessageExtraInfo): void {
    const ids = messages.filter(isRequest).map((m) => m.id);
    if (ids.length === 0) {
      res.writeHead(202).end();
      for (const message of messages) this.onmessage?.(message, extra);
      return;
    }
    const busy = ids.find((id, i) => this.waiting.has(id) || ids.indexOf(id) !== i);
    if (busy !== undefined) {
      sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32600, message: `Invalid Request: id ${JSON.stringify(busy)} is already in use in this session` }, id: null });
      return;
    }
    const exchange: Exchange = { res, batch, ids, answers: new Map() };
    for (const id of ids) this.waiting.set(id, exchange);
    // A caller that hangs up no longer wants the answer: cancel its requests as the client would
    // have, which aborts their upstream calls (Protocol's notifications/cancelled handling).
    res.once('close', () => {
      if (res.writableFinished) return;
      for (const id of ids) {
        if (this.waiting.get(id) !== exchange) continue;
        this.waiting.delete(id);
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'the HTTP request was closed' } }, extra);
      }
    });
    for (const message of messages) this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    // Notifications and server-to-client requests have no channel without SSE; generated
    // servers send none, and an answer to a request whose caller left has nowhere to go.
    if (!isAnswer(message)) return;
    const exchange = this.waiting.get(message.id);
    if (!exchange) return;
    this.waiting.delete(message.id);
    exchange.answers.set(message.id, message);
    if (exchange.answers.size < exchange.ids.length) return;
    const answers = exchange.ids.map((id) => exchange.answers.get(id));
    sendJson(exchange.res, 200, exchange.batch ? answers : answers[0], this.sessionId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const open = new Set(this.waiting.values());
    this.waiting.clear();
    for (const exchange of open) {
      sendJson(exchange.res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session closed' }, id: null });
    }
    this.onclose?.();
  }
}

/**
 * The shape checks the SDK transport makes with zod, done by hand because they run on every
 * call; params are checked by the Server against each method's own schema.
 */
export function jsonRpcMessages(body: unknown): JSONRPCMessage[] | undefined {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > MAX_BATCH) return undefined;
  return list.every(isMessage) ? (list as JSONRPCMessage[]) : undefined;
}

function isMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0') return false;
  if ('method' in m) {
    if (typeof m['method'] !== 'string') return false;
    if ('params' in m && (typeof m['params'] !== 'object' || m['params'] === null || Array.isArray(m['params']))) return false;
    return !('id' in m) || isId(m['id']);
  }
  return isId(m['id']) && ('result' in m) !== ('error' in m);
}

function isId(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

function isAnswer(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return 'id' in message && ('result' in message || 'error' in message);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, sessionId?: string): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  res.writeHead(status, headers).end(text);
}
