/**
 * The per-caller rate limit across replicas: three HTTP servers of one definition, each request
 * of one caller sent to the next server in turn (a round-robin balancer). With MCP_REDIS_URL the
 * replicas share the count in a real redis-server started here: the caller gets the limit in
 * total, then 429 with Retry-After. Without it each replica counts alone. (Debian's redis-server;
 * .ci/run installs it. Without it, outside CI, the Redis case is skipped.)
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/runtime/config.js';
import { startHttpServer } from '../../src/runtime/transport/serve.js';
import type { HttpServerHandle } from '../../src/runtime/transport/serve.js';
import { petDefinition, startStub } from './fixtures.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const LIMIT = 60;

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** One caller's `count` tools/list requests, round robin over the replicas: the statuses, and the Retry-After of the first 429. */
async function burst(replicas: HttpServerHandle[], count: number): Promise<{ ok: number; limited: number; retryAfter?: string }> {
  let ok = 0;
  let limited = 0;
  let retryAfter: string | undefined;
  for (let i = 0; i < count; i++) {
    const replica = replicas[i % replicas.length]!;
    const res = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
    });
    await res.text();
    if (res.status === 200) ok++;
    else if (res.status === 429) {
      limited++;
      retryAfter ??= res.headers.get('retry-after') ?? undefined;
    }
  }
  return { ok, limited, ...(retryAfter === undefined ? {} : { retryAfter }) };
}

async function replicasWith(env: Record<string, string>, stubUrl: string): Promise<HttpServerHandle[]> {
  const definition = petDefinition();
  return Promise.all(
    [0, 1, 2].map(() =>
      startHttpServer(definition, loadConfig(definition, { MCP_TRANSPORT: 'http', PORT: '0', API_BASE_URL: `${stubUrl}/api`, PETSTORE_TOKEN: 't', MCP_RATE_LIMIT: String(LIMIT), ...env })),
    ),
  );
}

describe('rate limit across replicas', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => {
    stub.server.closeAllConnections();
    stub.server.close();
  });

  it('without Redis each replica counts alone: 3 replicas allow 3 × the limit', async () => {
    const replicas = await replicasWith({}, stub.url);
    try {
      expect(await burst(replicas, 3 * LIMIT)).toEqual({ ok: 3 * LIMIT, limited: 0 });
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  describe.skipIf(!hasRedis && !process.env.CI)('with MCP_REDIS_URL (a real redis-server)', () => {
    let redis: ChildProcess;
    let redisUrl = '';
    beforeAll(async () => {
      if (!hasRedis) throw new Error('redis-server is not installed; .ci/run installs it (apt-get install redis-server)');
      const port = await freePort();
      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      redisUrl = `redis://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') break;
        if (i > 50) throw new Error('redis-server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    afterAll(() => {
      redis?.kill();
    });

    it(`shares the count: one caller gets ${LIMIT} requests a minute in total, then 429 with Retry-After`, async () => {
      const replicas = await replicasWith({ MCP_REDIS_URL: redisUrl }, stub.url);
      try {
        const { ok, limited, retryAfter } = await burst(replicas, LIMIT + 30);
        expect(ok).toBe(LIMIT);
        expect(limited).toBe(30);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });
  });
});
