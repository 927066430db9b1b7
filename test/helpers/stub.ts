/**
 * A loopback stand-in for an upstream API: records every request exactly as it arrived (method,
 * raw path, raw query, headers, cookies, body) and answers from a route table.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path as sent, still percent-encoded. */
  path: string;
  /** Query string as sent, without `?`, still encoded. */
  query: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** When the request arrived (ms since the epoch, as `Date.now()`). */
  at: number;
}

export interface StubReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type StubRoute = (req: RecordedRequest) => StubReply | undefined;

export interface Stub {
  url: string;
  requests: RecordedRequest[];
  /** The single request received since the last reset; fails loudly otherwise. */
  only(): RecordedRequest;
  reset(): void;
  close(): Promise<void>;
}

export async function startStub(route: StubRoute = () => undefined): Promise<Stub> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const at = Date.now();
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: q < 0 ? raw : raw.slice(0, q),
        query: q < 0 ? '' : raw.slice(q + 1),
        headers: req.headers,
        body: Buffer.concat(chunks),
        at,
      };
      requests.push(rec);
      const reply = route(rec) ?? { body: { ok: true } };
      const body = reply.body === undefined ? '' : Buffer.isBuffer(reply.body) || typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const isJson = reply.body !== undefined && !Buffer.isBuffer(reply.body) && typeof reply.body === 'object';
      res.writeHead(reply.status ?? 200, { ...(isJson ? { 'content-type': 'application/json' } : {}), ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    only() {
      if (requests.length !== 1) throw new Error(`expected exactly one upstream request, got ${requests.length}`);
      return requests[0]!;
    },
    reset() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
