/**
 * Malformed tool specs: each gets its exact error at file:line:col with a fix, exit code 1, and
 * nothing written. The editor schema (schemas/toolspec-1.json) accepts every example spec and
 * rejects the malformed fixtures that are structural.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/project.js';

const DIR = 'test/fixtures/toolspec-invalid';

/** fixture → expected stderr lines, and whether the editor schema alone rejects it. */
const CASES: Array<[string, string[], boolean]> = [
  ['unknown-key', [':4:3: error: unknown key "timout" in config (fix: did you mean "timeout"?)'], true],
  ['wrong-type', [':4:3: error: server.version must be a string, got 1.0 (fix: quote it: "1.0" (YAML reads 1.0 as a number))'], true],
  ['bad-duration', [':4:3: error: config.timeout must be a string, got 30 (fix: write a duration with its unit: 250ms, 30s or 2m)'], true],
  ['wrong-version', [':1:1: error: mcpgen must be 1 (fix: write mcpgen: 1)'], true],
  ['duplicate-tool', [':7:3: error: duplicate key: each name may appear once in a mapping (fix: rename or remove one of them)'], false],
  ['broken-yaml', [':3:1: error: invalid YAML/JSON: Flow map in block collection must be sufficiently indented and end with a }'], false],
  ['invalid-name', [':4:3: error: tool name "get.weather" is not valid (fix: use 1-64 of A-Z a-z 0-9 _ - (no dots or spaces; clients reject them))'], false],
  ['two-backends', [':6:3: error: tool both has 2 backends (http, handler) (fix: give it exactly one of: http, sql, expression, handler, builtin)'], false],
  ['missing-source', [':10:13: error: unknown http source "apu" (fix: use one of: api)'], false],
  ['broken-schema', [':6:5: error: an array schema needs "items" (OpenAI and others reject arrays without it) (fix: add items: { type: string } (or the element type))'], false],
  ['undeclared-arg', [':13:16: error: ${args.locaton} reads args.locaton, but the tool has no argument "locaton" (fix: did you mean "location"? (arguments: location))'], false],
  ['literal-secret', [':7:29: error: auth token must be an environment variable reference, not a literal secret (fix: write token: "${API_TOKEN}" and set that variable)'], false],
  ['unknown-role-tool', [':8:18: error: role viewer names unknown tool "ecko" (fix: tools: echo)'], false],
  ['api-client-no-hosts', [':6:5: error: http.request needs allowHosts: the hosts this tool may call (fix: add allowHosts: [api.example.com])'], false],
  ['bad-function', [':10:25: error: "evaluate" is not an allowed function (fix: allowed: abs, acos, acosh, asin, asinh, atan, atan2, atanh, cbrt, ceil, cos, cosh, cot, csc, cube, exp, expm1, factorial, fix, floor, gcd, hypot, lcm, ln, log, log10, log1p, log2, max, mean, median, min, mod, nthRoot, pow, round, sec, sign, sin, sinh, sqrt, square, tan, tanh, trunc)'], false],
  ['sql-not-readonly', [':10:7: error: sqlite statement: only SELECT is allowed; found DELETE (fix: sql tools are read-only: write one SELECT)'], false],
  ['several-errors', [':8:13: error: unknown http source "nope" (fix: use one of: api)', ':11:36: error: a GET request cannot have a body (fix: send the values in query:, or use POST)'], false],
];

describe('malformed tool specs', () => {
  it.each(CASES)('%s', (name, want) => {
    const spec = `${DIR}/${name}.yaml`;
    const out = path.join(tempDir('bad-toolspec'), 'out');
    const r = runCli([spec, '-o', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(want.map((line) => `${spec}${line}`));
    expect(existsSync(out)).toBe(false);
  });

  it('every fixture has a case', () => {
    const fixtures = readdirSync(path.join(REPO, DIR)).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(fixtures.filter((f) => !CASES.some(([name]) => name === f))).toEqual([]);
  });
});

describe('the editor schema (schemas/toolspec-1.json)', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(REPO, 'schemas', 'toolspec-1.json'), 'utf8')));
  const load = (file: string): unknown => parse(readFileSync(path.join(REPO, file), 'utf8'));

  const examples = readdirSync(path.join(REPO, 'specs')).filter((f) => f.endsWith('.yaml') && /^mcpgen:/m.test(readFileSync(path.join(REPO, 'specs', f), 'utf8')));

  it.each(examples)('accepts specs/%s', (file) => {
    expect(validate(load(`specs/${file}`)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(CASES.filter(([, , structural]) => structural))('rejects %s', (name) => {
    expect(validate(load(`${DIR}/${name}.yaml`))).toBe(false);
  });

  it('is referenced by every example spec for editors', () => {
    for (const file of examples) expect(readFileSync(path.join(REPO, 'specs', file), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/toolspec-1\.json$/m);
  });
});
