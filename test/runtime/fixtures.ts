import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { loadConfig } from '../../src/runtime/config.js';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { createServer } from '../../src/runtime/server.js';
import type { ServerDeps } from '../../src/runtime/server.js';

/** A server for `definition` configured from `env`, and an SDK client connected to it in memory. */
export async function connect(definition: ServerDefinition, env: Record<string, string>, deps: ServerDeps = {}): Promise<Client> {
  const server = createServer(definition, loadConfig(definition, { MCP_AUDIT_LOG: 'off', ...env }), deps);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientTransport);
  return client;
}

/** Shared by the in-memory and HTTP transport tests. */
export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export const petSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
  required: ['id', 'name'],
};

export function petDefinition(): ServerDefinition {
  return {
    formatVersion: 1,
    server: { name: 'petstore', version: '1.0.0', title: 'Pet Store', envPrefix: 'PETSTORE' },
    baseUrls: ['https://unused.invalid'],
    auth: [{ id: 'token', type: 'bearer', env: 'PETSTORE_TOKEN' }],
    tools: [
      {
        name: 'getPet',
        title: 'Get a pet',
        description: 'Fetch one pet by id',
        inputSchema: {
          type: 'object',
          properties: { petId: { type: 'integer' }, fields: { type: 'array', items: { type: 'string' } }, trace: { type: 'string' } },
          required: ['petId'],
        },
        outputSchema: petSchema,
        annotations: { readOnlyHint: true, destructiveHint: undefined },
        binding: {
          kind: 'http',
          method: 'GET',
          path: '/pets/{petId}',
          parameters: [
            { arg: 'petId', name: 'petId', in: 'path', style: 'simple', explode: false },
            { arg: 'fields', name: 'fields', in: 'query', style: 'form', explode: false },
            { arg: 'trace', name: 'X-Trace-Id', in: 'header', style: 'simple', explode: false },
          ],
          security: [['token']],
        },
      },
      {
        name: 'createPet',
        description: 'Create a pet',
        inputSchema: { type: 'object', properties: { petName: { type: 'string' }, tag: { type: 'string' } }, required: ['petName'] },
        annotations: {},
        binding: {
          kind: 'http',
          method: 'POST',
          path: '/pets',
          parameters: [],
          body: { contentType: 'application/json', mode: 'properties', fields: { petName: 'name', tag: 'tag' }, required: true },
          security: [],
        },
      },
      {
        name: 'getStatus',
        description: 'Whatever the stub wants to answer',
        inputSchema: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
        annotations: {},
        binding: {
          kind: 'http',
          method: 'GET',
          path: '/status/{code}',
          parameters: [{ arg: 'code', name: 'code', in: 'path', style: 'simple', explode: false }],
          security: [],
        },
      },
    ],
  };
}

/** Loopback stub: records requests; `/status/500` fails, `/status/slow` never answers in time, `/status/delay` answers after 500 ms. */
export async function startStub(): Promise<{ server: HttpServer; url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      if (path === '/api/status/500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"kaput"}');
      } else if (path === '/api/status/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 5_000).unref();
      } else if (path === '/api/status/delay') {
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('done'), 500);
      } else if (path === '/api/status/redirect') {
        res.writeHead(302, { location: '/api/status/200' }).end();
      } else if (path === '/api/status/offsite') {
        res.writeHead(302, { location: 'http://127.0.0.2:1/elsewhere' }).end();
      } else if (req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 7, ...JSON.parse(body) }));
      } else if (path === '/api/pets/401' && !req.headers.authorization) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"unauthorized"}');
      } else if (path?.startsWith('/api/pets/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1,"name":"Rex"}');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** The JSON-RPC answer in an HTTP body: plain JSON, or the data line of an event stream. */
export function jsonRpcAnswer(body: string): { id: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } } {
  const data = body.split('\n').find((line) => line.startsWith('data: '));
  return JSON.parse(data === undefined ? body : data.slice('data: '.length)) as ReturnType<typeof jsonRpcAnswer>;
}
