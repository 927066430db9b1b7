/** The mcp-gen command as a user runs it: errors, exit codes, determinism and safe writing. */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliAsync, tempDir } from '../helpers/project.js';
import { startStub } from '../helpers/stub.js';

const INVALID = 'test/fixtures/invalid';

describe('bad input: one located line, exit 1, nothing written', () => {
  it.each([
    ['missing file', 'test/fixtures/invalid/nope.yaml', 'test/fixtures/invalid/nope.yaml: error: cannot read spec: no such file'],
    ['not OpenAPI', `${INVALID}/not-openapi.yaml`, `${INVALID}/not-openapi.yaml:1:1: error: not an OpenAPI document: no "openapi" or "swagger" field at the top level`],
    ['broken YAML', `${INVALID}/broken-yaml.yaml`, `${INVALID}/broken-yaml.yaml:9:1: error: invalid YAML/JSON: Flow sequence in block collection must be sufficiently indented and end with a ]`],
    ['unresolvable $ref', `${INVALID}/unresolvable-ref.yaml`, `${INVALID}/unresolvable-ref.yaml:15:17: error: unresolvable $ref "#/components/schemas/Pets"`],
    ['unresolvable $ref in JSON', `${INVALID}/unresolvable-ref.json`, `${INVALID}/unresolvable-ref.json:8:101: error: unresolvable $ref "#/nope"`],
    ['no operations', `${INVALID}/no-operations.yaml`, `${INVALID}/no-operations.yaml:5:1: error: the document has no operations to turn into tools`],
    ['unknown x-mcp key', `${INVALID}/bad-x-mcp.yaml`, `${INVALID}/bad-x-mcp.yaml:10:9: error: unknown x-mcp key "nmae"`],
    ['remote $ref without --allow-remote-refs', `${INVALID}/remote-ref.yaml`, `${INVALID}/remote-ref.yaml:15:17: error: $ref "https://schemas.example.invalid/pet.json" would be fetched over the network`],
  ])('%s', (_name, spec, want) => {
    const out = path.join(tempDir('bad'), 'out');
    const r = runCli([spec, '-o', out]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(want), lines[0]).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  });

  it.each([
    ['no spec', []],
    ['unknown option', ['specs/petstore.yaml', '--frobnicate']],
    ['bad --transport', ['specs/petstore.yaml', '--transport', 'carrier-pigeon']],
    ['bad --max-name-length', ['specs/petstore.yaml', '--max-name-length', '3']],
    ['bad --base-url', ['specs/petstore.yaml', '--base-url', 'ftp://x']],
  ])('usage error (%s) exits 2', (_name, args) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mcp-gen --help/);
  });

  it("--version prints mcp-gen's own version, from any directory", () => {
    // Inside another project, whose package.json the bundled yargs would otherwise find.
    const host = tempDir('host');
    writeFileSync(path.join(host, 'package.json'), JSON.stringify({ name: 'host', version: '9.9.9' }));
    const r = runCli(['--version'], host);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});

describe('output', () => {
  it('is byte-identical for the same input', () => {
    const [a, b] = [path.join(tempDir('det'), 'p'), path.join(tempDir('det'), 'p')];
    expect(runCli(['specs/styles.yaml', '-o', a]).code).toBe(0);
    expect(runCli(['specs/styles.yaml', '-o', b]).code).toBe(0);
    const read = (root: string) =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => [path.relative(root, path.join(d.parentPath, d.name)), readFileSync(path.join(d.parentPath, d.name), 'utf8')])
        .sort();
    expect(read(b)).toEqual(read(a));
  });

  it('takes the base URL from --base-url and the name from --name', () => {
    const out = path.join(tempDir('opts'), 'p');
    expect(runCli(['specs/petstore.yaml', '-o', out, '--base-url', 'http://127.0.0.1:9/x/', '--name', 'pets', '--transport', 'http', '--mode', 'dynamic']).code).toBe(0);
    const def = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
    expect(def.baseUrls).toEqual(['http://127.0.0.1:9/x']);
    expect(def.server.name).toBe('pets');
    expect(readFileSync(path.join(out, 'src/index.ts'), 'utf8')).toContain("MCP_TRANSPORT: 'http', MCP_MODE: 'dynamic'");
  });

  it.each([
    [['--include-tags', 'store'], ['getInventory', 'placeOrder', 'getOrderById']],
    [['--include-tags', 'store,user', '--exclude', 'getInventory'], ['placeOrder', 'getOrderById', 'loginUser']],
    [['--exclude-tags', 'pet', '--exclude-tags', 'store'], ['loginUser']],
    [['--include', '/store/order/*', '--include', 'login*'], ['getOrderById', 'loginUser']],
    [['--exclude', '/pet/**'], ['getInventory', 'placeOrder', 'getOrderById', 'loginUser']],
  ])('filters operations: %j', (flags, want) => {
    const out = path.join(tempDir('filter'), 'p');
    const r = runCli(['specs/petstore.yaml', '-o', out, ...flags]);
    expect(r.code, r.stderr).toBe(0);
    const def = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
    expect(def.tools.map((t: { name: string }) => t.name)).toEqual(want);
  });

  it('refuses filters that leave nothing, and writes nothing', () => {
    const out = path.join(tempDir('filter'), 'p');
    const r = runCli(['specs/petstore.yaml', '-o', out, '--include-tags', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no operation is left after --include/);
    expect(existsSync(out)).toBe(false);
  });

  it('suggests dynamic mode when tools/list is large', () => {
    const dir = tempDir('large');
    const paths = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`/things${i}`, { get: { operationId: `getThing${i}`, responses: { '200': { description: 'ok' } } } }]),
    );
    writeFileSync(path.join(dir, 'large.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'Large', version: '1' }, paths }));
    const r = runCli([path.join(dir, 'large.json'), '-o', path.join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: tools\/list is [\d.]+ KiB for 120 tools; --mode dynamic/);
    const small = runCli(['specs/petstore.yaml', '-o', path.join(dir, 'small')]);
    expect(small.stderr).not.toMatch(/--mode dynamic/);
  });

  it('reports the listing it wrote: the same bytes and tokens as lint, in the summary line and in --json', () => {
    const out = path.join(tempDir('summary'), 'p');
    const r = runCli(['specs/petstore.yaml', '-o', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const lint = JSON.parse(runCli(['lint', 'specs/petstore.yaml', '--json']).stdout);
    expect(report.tools).toBe(9);
    expect(report.toolsListTokens).toBe(lint.total.tokens);
    expect(report.toolsListBytes).toBe(lint.total.bytes);
    const written = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
    expect(written.tools).toHaveLength(9);
    expect(r.stderr).toContain(`generated 9 tools into ${out} (`);
    expect(r.stderr).toContain(`, ${lint.total.tokens.toLocaleString('en-US')} tokens)`);
  });

  it('keeps tool names within --max-name-length', () => {
    const out = path.join(tempDir('len'), 'p');
    expect(runCli(['specs/styles.yaml', '-o', out, '--max-name-length', '10']).code).toBe(0);
    const def = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
    const names: string[] = def.tools.map((t: { name: string }) => t.name);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(10);
    expect(new Set(names).size).toBe(names.length);
  });

  it('marks every generated file as generated', () => {
    const out = path.join(tempDir('hdr'), 'p');
    runCli(['specs/petstore.yaml', '-o', out]);
    const manifest = JSON.parse(readFileSync(path.join(out, 'mcp-gen.manifest.json'), 'utf8'));
    for (const f of Object.keys(manifest.files)) expect(readFileSync(path.join(out, f), 'utf8'), f).toMatch(/Generated by mcp-gen from petstore\.yaml\. Do not edit/);
  });
});

describe('writing into an existing directory', () => {
  it('refuses an output path that is a file', () => {
    const file = path.join(tempDir('file'), 'out');
    writeFileSync(file, 'not a directory');
    const r = runCli(['specs/petstore.yaml', '-o', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists and is not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it('refuses a non-empty directory it did not generate, unless --force, and keeps the user file', () => {
    const out = tempDir('foreign');
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const r = runCli(['specs/petstore.yaml', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not empty and was not generated by mcp-gen/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(runCli(['specs/petstore.yaml', '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('regenerates in place, leaves user files alone, protects edited generated files', () => {
    const out = path.join(tempDir('regen'), 'p');
    expect(runCli(['specs/petstore.yaml', '-o', out]).code).toBe(0);
    mkdirSync(path.join(out, 'src', 'custom'));
    writeFileSync(path.join(out, 'src', 'custom', 'extra.ts'), 'export const mine = 1;\n');
    writeFileSync(path.join(out, '.env'), 'PETSTORE_API_KEY=secret\n');

    // Unchanged spec: nothing to do, --check agrees.
    expect(runCli(['specs/petstore.yaml', '-o', out, '--check']).code).toBe(0);

    // A generated file the user edited is not overwritten...
    const readme = path.join(out, 'README.md');
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}\nmy notes\n`);
    expect(runCli(['specs/petstore.yaml', '-o', out, '--check']).code).toBe(1);
    const refused = runCli(['specs/petstore.yaml', '-o', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/README\.md/);
    expect(readFileSync(readme, 'utf8')).toMatch(/my notes/);

    // ...unless --force, which keeps a backup.
    expect(runCli(['specs/petstore.yaml', '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(readme, 'utf8')).not.toMatch(/my notes/);
    expect(readFileSync(`${readme}.mcp-gen-backup`, 'utf8')).toMatch(/my notes/);

    // A changed spec updates only what changed; user files survive.
    const spec2 = path.join(tempDir('spec'), 'petstore.yaml');
    writeFileSync(spec2, readFileSync('specs/petstore.yaml', 'utf8').replace('operationId: loginUser', 'operationId: signIn'));
    const r = runCli([spec2, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const def = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
    expect(def.tools.map((t: { name: string }) => t.name)).toContain('signIn');
    expect(readFileSync(path.join(out, 'src', 'custom', 'extra.ts'), 'utf8')).toBe('export const mine = 1;\n');
    expect(readFileSync(path.join(out, '.env'), 'utf8')).toBe('PETSTORE_API_KEY=secret\n');
  });
});

describe('regenerating after the spec changed', () => {
  const names = (out: string): string[] => JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8')).tools.map((t: { name: string }) => t.name);

  it('an added operation adds a tool and renames none; a removed one removes only its tool', () => {
    const dir = tempDir('ops');
    const out = path.join(dir, 'p');
    const spec = path.join(dir, 'petstore.yaml');
    const original = readFileSync('specs/petstore.yaml', 'utf8');
    writeFileSync(spec, original);
    expect(runCli([spec, '-o', out]).code).toBe(0);
    const before = names(out);
    writeFileSync(path.join(out, 'NOTES.md'), 'mine\n');

    // Added: a plain new operation, and one whose operationId has to be sanitized.
    const added = original.replace(
      '  /store/inventory:',
      [
        '  /pet/{petId}/uploadImage:',
        '    post:',
        '      operationId: uploadFile',
        "      parameters: [{ name: petId, in: path, required: true, schema: { type: integer } }]",
        "      responses: { '200': { description: ok } }",
        '  /v2/pet/{petId}:',
        '    get:',
        '      operationId: getPetById.v2',
        "      parameters: [{ name: petId, in: path, required: true, schema: { type: integer } }]",
        "      responses: { '200': { description: ok } }",
        '  /store/inventory:',
      ].join('\n'),
    );
    writeFileSync(spec, added);
    const r = runCli([spec, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const after = names(out);
    for (const n of before) expect(after).toContain(n);
    expect(after).toContain('uploadFile');
    expect(after).toContain('getPetById_v2');
    expect(after).toHaveLength(before.length + 2);

    // Removed again: back to the original tools, user file untouched, no stale generated file.
    writeFileSync(spec, original);
    expect(runCli([spec, '-o', out]).code).toBe(0);
    expect(names(out)).toEqual(before);
    expect(readFileSync(path.join(out, 'NOTES.md'), 'utf8')).toBe('mine\n');
    expect(runCli([spec, '-o', out, '--check']).code).toBe(0);
  });
});

describe('input sources', () => {
  it('reads a spec from an http(s) URL; relative server URLs resolve against it', async () => {
    const spec = readFileSync('specs/petstore.yaml', 'utf8').replace('url: https://petstore3.swagger.io/api/v3', 'url: /api/v3');
    const stub = await startStub((req) => (req.path === '/specs/petstore.yaml' ? { body: spec, headers: { 'content-type': 'application/yaml' } } : { status: 404 }));
    try {
      const out = path.join(tempDir('url'), 'p');
      const r = await runCliAsync([`${stub.url}/specs/petstore.yaml`, '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      const def = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
      expect(def.baseUrls).toEqual([`${stub.url}/api/v3`]);
      expect(def.tools).toHaveLength(9);
    } finally {
      await stub.close();
    }
  });

  it('bundles $refs to other local files, recursion included', () => {
    const out = path.join(tempDir('split'), 'p');
    // --client claude keeps $defs, so the bundled, recursive definition is visible as one.
    const r = runCli(['test/fixtures/refs/split.yaml', '-o', out, '--client', 'claude']);
    expect(r.code, r.stderr).toBe(0);
    const def = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
    const output = def.tools[0].outputSchema;
    expect(output.properties.parent.$ref).toMatch(/^#\/\$defs\//);
    expect(Object.keys(output.$defs)).toHaveLength(1);
    // The default profile (portable) inlines it and cuts the recursion at a described object.
    const inlined = path.join(tempDir('split'), 'q');
    expect(runCli(['test/fixtures/refs/split.yaml', '-o', inlined]).code).toBe(0);
    const portable = JSON.parse(readFileSync(path.join(inlined, 'server-definition.json'), 'utf8')).tools[0].outputSchema;
    expect(JSON.stringify(portable)).not.toContain('$ref');
    expect(portable.properties.parent.properties.parent).toMatchObject({ type: 'object', description: expect.stringMatching(/recursive, not expanded further/) });
  });

  it('never fetches a $ref on a loopback or private address, even with --allow-remote-refs', async () => {
    const stub = await startStub(() => ({ body: { type: 'object' } }));
    try {
      const dir = tempDir('remote');
      const spec = path.join(dir, 'spec.yaml');
      writeFileSync(spec, readFileSync('test/fixtures/invalid/remote-ref.yaml', 'utf8').replace('https://schemas.example.invalid/pet.json', `${stub.url}/pet.json`));
      const refused = await runCliAsync([spec, '-o', path.join(dir, 'a')]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/spec\.yaml:15:17: error: \$ref ".*" would be fetched over the network/);
      const allowed = await runCliAsync([spec, '-o', path.join(dir, 'b'), '--allow-remote-refs']);
      expect(allowed.code).toBe(1);
      expect(allowed.stderr).toMatch(/spec\.yaml:15:17: error: \$ref ".*" points at a loopback or private address/);
      expect(stub.requests).toHaveLength(0);
      expect(readdirSync(dir)).toEqual(['spec.yaml']);
    } finally {
      await stub.close();
    }
  });
});
