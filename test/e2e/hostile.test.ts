/**
 * A hostile spec: quotes, backticks, `${…}`, `*\/`, `</script>`, Handlebars, CR/LF, `__proto__`
 * and `constructor` as names, a 10,000-member enum. The generated project compiles, no injected
 * code runs, the texts reach tools/list unchanged, and the requests stay well-formed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, connectStdio, REPO, runCli, tempDir } from '../helpers/project.js';
import type { Connected } from '../helpers/project.js';
import { startStub } from '../helpers/stub.js';
import type { Stub } from '../helpers/stub.js';

const SPEC = path.join(REPO, 'test', 'fixtures', 'hostile', 'hostile.json');
const MARKER = 'MCP_GEN_HOSTILE_MARKER';

describe('a hostile spec', () => {
  const root = tempDir('hostile');
  const out = path.join(root, 'hostile');
  let stub: Stub;
  let server: Connected;
  const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, Record<string, { summary: string; description: string }>> };
  const op = spec.paths['/things/{id}']!.get!;

  beforeAll(async () => {
    // The payloads write MARKER relative to the working directory: run everything in `root`.
    const r = runCli([SPEC, '-o', out], root);
    expect(r.code, r.stderr).toBe(0);
    build(out);
    stub = await startStub(() => ({ body: { ok: true } }));
    server = await connectStdio(out, { API_BASE_URL: stub.url, MCP_RETRY_ATTEMPTS: '1' });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await stub?.close();
  });

  it('compiles, and no payload ran while generating, building or listing', async () => {
    expect(existsSync(path.join(out, 'dist', 'index.js'))).toBe(true);
    await server.client.listTools();
    for (const dir of [root, out, REPO]) expect(existsSync(path.join(dir, MARKER)), dir).toBe(false);
    // Spec text is only ever data: the entry point and runtime never contain it.
    expect(readFileSync(path.join(out, 'src', 'index.ts'), 'utf8')).not.toContain(MARKER);
  });

  it('delivers names, descriptions and enums to tools/list unchanged', async () => {
    const [tool] = (await server.client.listTools()).tools;
    expect(tool!.description).toBe(`${op.summary}\n\n${op.description}`);
    const properties = tool!.inputSchema.properties as Record<string, { enum?: unknown[] }>;
    // `__proto__` and `constructor` are renamed (they break clients' validators); their wire names stay.
    expect(Object.keys(properties)).toEqual(['id', 'query___proto__', 'query_constructor', 'X-Evil"Header', 'big']);
    expect(properties.query___proto__!.enum).toEqual(["a'b", 'c"d', 'e`f', '${g}']);
    expect(properties.big!.enum).toHaveLength(10_000);
    expect(Object.keys((tool!.outputSchema as { properties: object }).properties)).toContain('response_prototype');
  });

  it('sends a traversal attempt as one encoded path segment, and __proto__ / constructor (listed under safe names) as plain parameters', async () => {
    stub.reset();
    const result = await server.client.callTool({ name: 'get_thing_require_fs', arguments: { id: '../../admin', query___proto__: '${g}', query_constructor: 'x' } });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const req = stub.only();
    expect(req.path).toBe('/things/..%2F..%2Fadmin');
    expect(new URLSearchParams(req.query).get('__proto__')).toBe('${g}');
    expect(new URLSearchParams(req.query).get('constructor')).toBe('x');
  });

  it('refuses a header value carrying CR/LF without sending anything', async () => {
    stub.reset();
    const result = await server.client.callTool({ name: 'get_thing_require_fs', arguments: { id: '1', 'X-Evil"Header': 'a\r\nX-Injected: 1' } });
    expect(result.isError).toBe(true);
    expect(stub.requests).toHaveLength(0);
  });
});
