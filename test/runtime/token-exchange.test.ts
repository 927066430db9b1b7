/**
 * The token cache of token exchange, with a clock the test moves: a traded token is used until
 * shortly before it expires, never past the caller's own token, and concurrent calls share one
 * exchange. The wire format and the failure path are tested end to end in inbound-auth.test.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenExchange } from '../../src/runtime/upstream/token-exchange.js';

let url = '';
let issued = 0;
let lifetime: number | undefined = 120;
const stub = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    issued++;
    const answer = { access_token: `t${issued}`, token_type: 'Bearer', ...(lifetime === undefined ? {} : { expires_in: lifetime }) };
    // A slow answer, so concurrent calls overlap.
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)), 20);
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/token`;
});
afterAll(() => stub.close());

const config = () => ({ url, clientId: 'c', clientSecret: 's', audience: undefined, scope: undefined });

describe('TokenExchange', () => {
  it('trades again once the token is within the skew of its expiry', async () => {
    let now = 1_000_000;
    issued = 0;
    lifetime = 120;
    const exchange = new TokenExchange(config(), { now: () => now, skewMs: 30_000 });
    expect(await exchange.tokenFor({ token: 'caller' })).toBe('t1');
    now += 89_000;
    expect(await exchange.tokenFor({ token: 'caller' })).toBe('t1');
    now += 2_000;
    expect(await exchange.tokenFor({ token: 'caller' })).toBe('t2');
  });

  it("never keeps a traded token past the caller's own expiry", async () => {
    let now = 1_000_000;
    issued = 0;
    lifetime = 3600;
    const exchange = new TokenExchange(config(), { now: () => now });
    const caller = { token: 'short-lived', expiresAt: (now + 10_000) / 1000 };
    expect(await exchange.tokenFor(caller)).toBe('t1');
    now += 9_000;
    expect(await exchange.tokenFor(caller)).toBe('t1');
    now += 2_000;
    expect(await exchange.tokenFor(caller)).toBe('t2');
  });

  it("one call's cancellation fails that call only, not the others waiting on the same exchange", async () => {
    issued = 0;
    lifetime = 120;
    const exchange = new TokenExchange(config());
    const cancelled = new AbortController();
    const first = exchange.tokenFor({ token: 'shared' }, cancelled.signal);
    const second = exchange.tokenFor({ token: 'shared' }, AbortSignal.timeout(5_000));
    cancelled.abort(new Error('client went away'));
    await expect(first).rejects.toThrow('client went away');
    expect(await second).toBe('t1');
    expect(await exchange.tokenFor({ token: 'shared' })).toBe('t1');
    expect(issued).toBe(1);
  });

  it('concurrent calls for one caller share one exchange; without expires_in a default lifetime applies', async () => {
    let now = 0;
    issued = 0;
    lifetime = undefined;
    const exchange = new TokenExchange(config(), { now: () => now, defaultLifetimeMs: 60_000, skewMs: 0 });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => exchange.tokenFor({ token: 'caller' })));
    expect(tokens).toEqual(['t1', 't1', 't1', 't1', 't1']);
    expect(issued).toBe(1);
    now = 60_001;
    expect(await exchange.tokenFor({ token: 'caller' })).toBe('t2');
  });
});
