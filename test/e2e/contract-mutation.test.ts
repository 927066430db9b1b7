/**
 * Mutation check of the contract test every generated project ships: a copy of generated/petstore
 * whose request mapping (server-definition.json) is broken on purpose must fail its own
 * `npm test`, naming the tool; the unbroken copy passes. The expectations in the project's
 * test/contract-cases.json were computed from the spec at generation time, so they are what the
 * mutated mapping is measured against.
 *
 * The same for a tool-spec chain: specs/weather.yaml is altered (a step's path, a query
 * template, the result mapping) and generated again; the committed generated/weather tests, run
 * against that server definition, must fail naming weather_api, and pass with the spec restored.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpBinding, ServerDefinition } from '../../src/runtime/definition.js';
import { linkNodeModules, REPO, runCli, tempDir } from '../helpers/project.js';

/** A fresh copy of a committed project (without its linked node_modules and build output). */
function copyProject(name = 'petstore'): string {
  const dir = path.join(tempDir('mutation'), name);
  cpSync(path.join(REPO, 'generated', name), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  linkNodeModules(dir);
  return dir;
}

/** Edits one tool's binding in the copy's server-definition.json; fails if the tool is not as expected. */
function mutate(dir: string, tool: string, change: (binding: HttpBinding) => void): void {
  const file = path.join(dir, 'server-definition.json');
  const def = JSON.parse(readFileSync(file, 'utf8')) as ServerDefinition;
  const target = def.tools.find((t) => t.name === tool);
  if (!target || target.binding.kind !== 'http') throw new Error(`generated/petstore has no OpenAPI tool ${tool}`);
  change(target.binding);
  writeFileSync(file, `${JSON.stringify(def, null, 2)}\n`);
}

/** The project's `npm test` (vitest run in its directory, as examples.test.ts runs it). */
function npmTest(dir: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [path.join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Asserts that exactly the named tool's contract test failed, at the named check. */
function expectFailureNaming(run: { code: number; out: string }, tool: string, check: string): void {
  expect(run.code, run.out).not.toBe(0);
  expect(run.out).toMatch(new RegExp(`FAIL +test/contract\\.test\\.ts > petstore contract > ${tool} sends the request of the spec`));
  expect(run.out).toContain(`${tool}: ${check}`);
  // Only the mutated operation fails: the other tools' cases are unaffected.
  expect(run.out).toMatch(/Tests +1 failed \| \d+ passed/);
}

describe('generated/petstore contract test (mutation check)', () => {
  it('passes unmutated', () => {
    const run = npmTest(copyProject());
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/contract\.test\.ts \(\d+ tests?\)/);
    expect(run.out).not.toMatch(/failed/);
  });

  it("fails naming the tool when a query parameter's wire name is renamed", () => {
    const dir = copyProject();
    mutate(dir, 'findPetsByStatus', (b) => {
      const param = b.parameters.find((p) => p.in === 'query' && p.name === 'status');
      if (!param) throw new Error('findPetsByStatus has no query parameter status');
      param.name = 'petStatus';
    });
    expectFailureNaming(npmTest(dir), 'findPetsByStatus', 'query string');
  });

  it('fails naming the tool when a header parameter binding is dropped', () => {
    const dir = copyProject();
    mutate(dir, 'deletePet', (b) => {
      const before = b.parameters.length;
      b.parameters = b.parameters.filter((p) => !(p.in === 'header' && p.name === 'api_key'));
      if (b.parameters.length !== before - 1) throw new Error('deletePet has no header parameter api_key');
    });
    expectFailureNaming(npmTest(dir), 'deletePet', 'headers');
  });

  it("fails naming the tool when an operation's method is changed", () => {
    const dir = copyProject();
    mutate(dir, 'getPetById', (b) => {
      if (b.method !== 'GET') throw new Error('getPetById is not a GET');
      b.method = 'POST';
    });
    expectFailureNaming(npmTest(dir), 'getPetById', 'method');
  });
});

/**
 * Generates weather from specs/weather.yaml with `edit` applied (beside a copy of its fixtures)
 * and puts the resulting server-definition.json into a copy of the committed project, whose
 * tests stay those generated from the unaltered spec.
 */
function weatherFrom(edit: (spec: string) => string): string {
  const dir = copyProject('weather');
  const specDir = tempDir('mutated-spec');
  mkdirSync(path.join(specDir, 'data'), { recursive: true });
  cpSync(path.join(REPO, 'specs', 'data', 'weather'), path.join(specDir, 'data', 'weather'), { recursive: true });
  const original = readFileSync(path.join(REPO, 'specs', 'weather.yaml'), 'utf8');
  const altered = edit(original);
  if (edit !== keep && altered === original) throw new Error('the edit did not change specs/weather.yaml');
  writeFileSync(path.join(specDir, 'weather.yaml'), altered);
  const out = path.join(specDir, 'out');
  const r = runCli([path.join(specDir, 'weather.yaml'), '-o', out]);
  if (r.code !== 0) throw new Error(r.stderr);
  cpSync(path.join(out, 'server-definition.json'), path.join(dir, 'server-definition.json'));
  return dir;
}

const keep = (spec: string) => spec;

function expectWeatherFailure(run: { code: number; out: string }, check: RegExp): void {
  expect(run.code, run.out).not.toBe(0);
  expect(run.out).toMatch(/FAIL +test\/contract\.test\.ts > weather contract > weather_api sends geo → forecast/);
  expect(run.out).toMatch(check);
}

describe('generated/weather contract test (mutation check of specs/weather.yaml)', () => {
  it('passes with the spec as it is', () => {
    const run = npmTest(weatherFrom(keep));
    expect(run.code, run.out).toBe(0);
    expect(run.out).not.toMatch(/failed/);
  });

  it("fails naming weather_api when a step's path is changed", () => {
    const run = npmTest(weatherFrom((spec) => spec.replace('path: /search', 'path: /find')));
    expectWeatherFailure(run, /weather_api: request 1: path/);
  });

  it('fails naming weather_api when a query template is changed', () => {
    const run = npmTest(weatherFrom((spec) => spec.replace("longitude: '${steps.geo.results[0].longitude}'", "longitude: '${steps.geo.results[0].latitude}'")));
    expectWeatherFailure(run, /weather_api: request 2: query string/);
  });

  it('fails naming weather_api when the result mapping is changed', () => {
    const run = npmTest(weatherFrom((spec) => spec.replace('temperature: steps.forecast.current.temperature_2m,', 'temperature: steps.forecast.daily.temperature_2m_max[0],')));
    expectWeatherFailure(run, /weather_api: structured result/);
  });
});
