/**
 * `x-mcp: { roles }` on OpenAPI operations: lowered in-process into the definition's role → tool
 * names map (the runtime enforces it, see test/runtime/inbound-auth.test.ts), with located errors
 * for malformed roles and a warning for operations left out of every role.
 */
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/diagnostics.js';
import { buildDefinition } from '../../src/generate.js';
import { readXMcp } from '../../src/lower/openapi/x-mcp.js';

const build = (spec: string) => buildDefinition({ spec, maxNameLength: 64, allowRemoteRefs: false });

describe('x-mcp roles', () => {
  it('fill the definition role map: roles sorted, tools in spec order, x-mcp names honoured', async () => {
    const { definition, warnings } = await build('test/fixtures/roles/roles.yaml');
    expect(definition.roles).toEqual({ admin: ['listItems', 'createItem', 'remove_items'], janitor: ['remove_items'], reader: ['listItems'] });
    // Key order is part of the output (server-definition.json is byte-compared).
    expect(Object.keys(definition.roles!)).toEqual(['admin', 'janitor', 'reader']);
    expect(warnings.map((w) => [w.message, w.location])).toEqual([
      ['operation health has no x-mcp roles while others do: with inbound auth on, no caller may use it', 'test/fixtures/roles/roles.yaml:19:5'],
    ]);
  });

  it('a spec without roles has no role map (every authenticated caller may use every tool)', async () => {
    const { definition } = await build('specs/petstore.yaml');
    expect(definition.roles).toBeUndefined();
  });

  it('a malformed roles value is a located error', async () => {
    const err = await build('test/fixtures/roles/bad-roles.yaml').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toBe('x-mcp.roles must be a non-empty list of role names');
    expect((err as SpecError).location).toBe('test/fixtures/roles/bad-roles.yaml:8:9');
  });

  it.each<[string, unknown]>([
    ['an empty list', []],
    ['a non-string member', ['reader', 3]],
    ['a role name with spaces', ['read only']],
  ])('refuses %s', (_name, roles) => {
    expect(() => readXMcp({ roles }, ['paths', '/x', 'get', 'x-mcp'])).toThrow(/x-mcp.roles must be a non-empty list of role names/);
  });

  it('removes duplicate roles and keeps other keys', () => {
    expect(readXMcp({ roles: ['a', 'b', 'a'], name: 'tool_x' }, [])).toMatchObject({ roles: ['a', 'b'], name: 'tool_x' });
  });
});

describe('x-mcp timeout', () => {
  it("becomes the tool's own deadline; operations without one keep the server's", async () => {
    const { definition } = await build('test/fixtures/x-mcp/timeout.yaml');
    expect(Object.fromEntries(definition.tools.map((t) => [t.name, t.timeoutMs]))).toEqual({ yearlyReport: 120_000, health: 500, listItems: undefined });
  });

  it('a value that is not a duration is a located error with the fix', async () => {
    const err = await build('test/fixtures/x-mcp/bad-timeout.yaml').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toBe('x-mcp.timeout "2 minutes" is not a duration between 1 ms and 1 h');
    expect((err as SpecError).location).toBe('test/fixtures/x-mcp/bad-timeout.yaml:9:9');
  });

  it.each<[unknown, number]>([
    ['90s', 90_000],
    ['250ms', 250],
    ['1.5m', 90_000],
    [30, 30_000],
  ])('reads %j as %i ms', (timeout, ms) => {
    expect(readXMcp({ timeout }, []).timeoutMs).toBe(ms);
  });

  it.each<[unknown]>([[0], [-1], ['2h'], [7200], ['soon'], [true]])('refuses %j', (timeout) => {
    expect(() => readXMcp({ timeout }, [])).toThrow(/x-mcp.timeout .* is not a duration between 1 ms and 1 h/);
  });
});
