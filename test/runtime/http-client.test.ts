import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/runtime/upstream/http-client.js';

describe('HTTP client (undici)', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        if (req.url === '/gzip') {
          const json = JSON.stringify({ text: 'x'.repeat(4000) });
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(json));
        } else if (req.url === '/bad-gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('not gzip at all');
        } else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a User-Agent and asks for compression unless the request sets its own', async () => {
    const client = createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1024, userAgent: 'petstore/1.0.0 (MCP server; built with mcp-gen)' });
    await client.send({ method: 'GET', url: `${base}/a`, headers: {} });
    expect(seen.at(-1)!.headers['user-agent']).toBe('petstore/1.0.0 (MCP server; built with mcp-gen)');
    expect(seen.at(-1)!.headers['accept-encoding']).toBe('gzip, deflate, br');
    await client.send({ method: 'GET', url: `${base}/a`, headers: { 'User-Agent': 'mine', 'Accept-Encoding': 'identity' } });
    expect(seen.at(-1)!.headers['user-agent']).toBe('mine');
    expect(seen.at(-1)!.headers['accept-encoding']).toBe('identity');
  });

  it('inflates a gzip answer, and the size cap counts inflated bytes', async () => {
    const whole = await createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1 << 20 }).send({ method: 'GET', url: `${base}/gzip`, headers: {} });
    expect(JSON.parse(whole.bytes.toString('utf8'))).toEqual({ text: 'x'.repeat(4000) });
    expect(whole.truncated).toBe(false);
    const cut = await createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1000 }).send({ method: 'GET', url: `${base}/gzip`, headers: {} });
    expect(cut.bytes.length).toBe(1000);
    expect(cut.truncated).toBe(true);
  });

  it('a body that does not inflate is a clear upstream error, not a crash', async () => {
    const client = createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1024 });
    await expect(client.send({ method: 'GET', url: `${base}/bad-gzip`, headers: {} })).rejects.toMatchObject({ name: 'UpstreamError', kind: 'network', message: expect.stringContaining('incorrect header check') });
  });

  it('sends multipart form data built with the platform FormData, boundary in the content type', async () => {
    const form = new FormData();
    form.append('description', 'd');
    form.append('file', new Blob(['hello'], { type: 'application/octet-stream' }), 'file');
    await createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1024 }).send({ method: 'POST', url: `${base}/upload`, headers: {}, body: form });
    const got = seen.at(-1)!;
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(got.headers['content-type'] ?? '')?.[1];
    expect(boundary).toBeTruthy();
    expect(got.body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nd\r\n`);
    expect(got.body).toContain('Content-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n');
  });

  it('sends a form body as its encoded text', async () => {
    const client = createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1024 });
    await client.send({ method: 'POST', url: `${base}/form`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ a: '1 2', b: 'é' }) });
    expect(seen.at(-1)!.body).toBe('a=1+2&b=%C3%A9');
    expect(seen.at(-1)!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});
