/**
 * The resilience issue's fault-injection cases against a generated server as users run it: the
 * committed generated/petstore project (compiled by test/global-setup.ts), started as a process
 * over stdio, upstream on loopback. test/runtime/resilience.test.ts covers the same policies in
 * depth, in-process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectStdio, REPO, type Connected } from '../helpers/project.js';
import { startStub, type Stub, type StubReply } from '../helpers/stub.js';

const PROJECT = path.join(REPO, 'generated', 'petstore');
const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const PET = { id: 7, name: 'rex', photoUrls: [] };

/** Replies in order, then `{ body: PET }` for ever. */
let script: StubReply[] = [];
let stub: Stub;
let server: Connected;

beforeAll(async () => {
  stub = await startStub(() => script.shift() ?? { body: PET });
  server = await connectStdio(PROJECT, {
    API_BASE_URL: `${stub.url}/api/v3`,
    PETSTORE_API_KEY: 'k',
    MCP_TIMEOUT_MS: '3000',
    MCP_RETRY_INITIAL_DELAY_MS: '10',
    MCP_RETRY_MAX_DELAY_MS: '50',
    MCP_BREAKER_THRESHOLD: '3',
    MCP_BREAKER_COOLDOWN_MS: '1000',
    MCP_LOG_LEVEL: 'warn',
  });
});
afterAll(async () => {
  await server?.close();
  await stub?.close();
});
beforeEach(() => {
  stub.reset();
  script = [];
});

const getPet = async () => (await server.client.callTool({ name: 'getPetById', arguments: { petId: 7 } })) as CallToolResult;

describe('generated/petstore under upstream faults', () => {
  it('503, 503, 200 → success after 3 attempts', async () => {
    script = [{ status: 503 }, { status: 503 }];
    const r = await getPet();
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toEqual(PET);
    expect(stub.requests).toHaveLength(3);
  });

  it('429 with Retry-After: 1 → the next attempt waits at least 1 s', async () => {
    script = [{ status: 429, headers: { 'retry-after': '1' } }];
    const r = await getPet();
    expect(r.isError, text(r)).toBeFalsy();
    const [first, second] = stub.requests;
    expect(stub.requests).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(995);
  });

  it('POST is not retried: the upstream sees exactly one request', async () => {
    script = [{ status: 503 }];
    const r = (await server.client.callTool({ name: 'placeOrder', arguments: { petId: 1, quantity: 1 } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^HTTP 503/);
    expect(stub.requests).toHaveLength(1);
  });

  it('the breaker opens after the threshold, fails fast without the upstream, then closes after the cool-down', async () => {
    script = Array.from({ length: 9 }, () => ({ status: 503 }));
    for (let i = 0; i < 3; i++) expect((await getPet()).isError).toBe(true);
    stub.reset();
    const started = performance.now();
    const fast = await getPet();
    expect(performance.now() - started).toBeLessThan(100); // includes the stdio round trip
    expect(text(fast)).toMatch(/circuit open/);
    expect(stub.requests).toHaveLength(0);
    script = [];
    await new Promise((r) => setTimeout(r, 1100));
    const healed = await getPet();
    expect(healed.isError, text(healed)).toBeFalsy();
    expect((await getPet()).isError).toBeFalsy();
  });

  it('an upstream that never answers → tool error within the deadline + 10 %', async () => {
    const hang = http.createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const slow = await connectStdio(PROJECT, {
      API_BASE_URL: `http://127.0.0.1:${(hang.address() as AddressInfo).port}/api/v3`,
      MCP_TIMEOUT_MS: '1000',
      MCP_LOG_LEVEL: 'warn',
    });
    try {
      const started = performance.now();
      const r = (await slow.client.callTool({ name: 'getInventory', arguments: {} })) as CallToolResult;
      const took = performance.now() - started;
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/timed out after 1000 ms/);
      expect(took).toBeLessThan(1100 + 100); // deadline + 10 %, plus the stdio round trip
    } finally {
      await slow.close();
      hang.closeAllConnections();
      hang.close();
    }
  });

  it('after every fault above, a normal call still succeeds', async () => {
    const r = await getPet();
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toEqual(PET);
  });
});
