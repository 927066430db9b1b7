/** `mcp-gen lint`: per-tool sizes and findings, each with its location; nothing is written. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { listedTool } from '../../src/runtime/listing.js';
import { runCli, tempDir } from '../helpers/project.js';

/** A petstore tool's tools/list entry, as the generated server lists it. */
const listed = (name: string) => {
  const definition = JSON.parse(readFileSync('generated/petstore/server-definition.json', 'utf8')) as ServerDefinition;
  return listedTool(definition.tools.find((t) => t.name === name)!);
};

const FIXTURE = 'test/fixtures/lint/problems.yaml';

describe('mcp-gen lint', () => {
  it('prints every known problem of the fixture with its location', () => {
    const r = runCli(['lint', FIXTURE]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^tool\s+request\s+bytes\s+tokens\s+findings$/);
    expect(lines[1]).toMatch(/^listItems\s+GET \/items\s+\d+\s+\d+\s+2$/);
    expect(lines).toContain(`${FIXTURE}:21:35: warning: pattern "(?<name" is not a valid ECMAScript regular expression (u flag); dropped [listItems]`);
    expect(lines).toContain(`${FIXTURE}:25:11: warning: style "form" is not defined for path parameters; using "simple" [listItems]`);
    expect(lines.some((l) => l.startsWith(`${FIXTURE}:7:5: warning: security scheme "oidc" (openIdConnect) is not supported`))).toBe(true);
    expect(lines).toContain(`${FIXTURE}:13:7: warning: pattern "^[\\\\w\\\\-\\\\_]+$" is not a valid ECMAScript regular expression (u flag); dropped`);
    expect(lines.at(-1)).toMatch(new RegExp(`^${FIXTURE}: 1 tools, tools/list [\\d.]+ KiB, \\d+ tokens \\(o200k\\), 4 findings$`));
  });

  it('--json gives the same report as data', () => {
    const r = runCli(['lint', FIXTURE, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.total).toMatchObject({ tools: 1, findings: 4 });
    expect(report.tools[0].name).toBe('listItems');
    expect(report.tools[0].findings.map((f: { location: string }) => f.location)).toEqual([`${FIXTURE}:21:35`, `${FIXTURE}:25:11`]);
    expect(report.shared).toHaveLength(2);
  });

  it('reports sizes of a clean spec with no findings, and flags tools over 8 KiB', () => {
    const clean = JSON.parse(runCli(['lint', 'specs/petstore.yaml', '--json']).stdout);
    expect(clean.total.findings).toBe(0);
    expect(clean.tools).toHaveLength(9);
    // Counted with o200k_base, not estimated: JSON runs about 3.5–4.5 bytes a token, and the sum of
    // the entries is the listing's count give or take its wrapper.
    for (const t of clean.tools) expect(t.bytes / t.tokens).toBeGreaterThan(3);
    for (const t of clean.tools) expect(t.bytes / t.tokens).toBeLessThan(5.5);
    const sum = clean.tools.reduce((n: number, t: { tokens: number }) => n + t.tokens, 0);
    expect(Math.abs(clean.total.tokens - sum)).toBeLessThan(20);
    expect(clean.tools.find((t: { name: string }) => t.name === 'getInventory').tokens).toBe(countTokens(JSON.stringify(listed('getInventory'))));

    const dir = tempDir('lint');
    const properties = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, { type: 'string', description: `Field number ${i} of the record` }]));
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Big', version: '1' },
      paths: {
        '/records': { post: { operationId: 'createRecord', requestBody: { content: { 'application/json': { schema: { type: 'object', properties } } } }, responses: { '201': { description: 'ok' } } } },
        '/ping': { get: { operationId: 'ping', responses: { '200': { description: 'ok' } } } },
      },
    };
    writeFileSync(path.join(dir, 'big.json'), JSON.stringify(spec));
    const big = JSON.parse(runCli(['lint', path.join(dir, 'big.json'), '--json']).stdout);
    const [createRecord, ping] = big.tools;
    expect(createRecord.findings).toHaveLength(1);
    expect(createRecord.findings[0].message).toMatch(/^tool definition is [\d.]+ KiB \(\d+ tokens\); consider --exclude, or --mode dynamic$/);
    expect(ping.findings).toEqual([]);
  });

  it('exits 1 on a spec error, and 2 on generate-only options; writes nothing', () => {
    const before = readdirSync('.');
    const bad = runCli(['lint', 'test/fixtures/invalid/unresolvable-ref.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unresolvable-ref\.yaml:15:17: error: unresolvable \$ref/);
    expect(runCli(['lint', 'specs/petstore.yaml', '-o', 'x']).code).toBe(2);
    expect(readdirSync('.')).toEqual(before);
  });
});
