/**
 * The servers generated from the YAML tool specs in specs/, as committed in generated/: started
 * as a user would (node dist/index.js), called through the SDK Client, and checked on the
 * upstream side against loopback stand-ins.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, linkNodeModules, REPO, runCli, tempDir } from '../helpers/project.js';
import type { Connected } from '../helpers/project.js';
import { startStub } from '../helpers/stub.js';
import type { Stub } from '../helpers/stub.js';
import { generateExpressions, HOSTILE } from '../runtime/expression-cases.js';

const project = (name: string) => path.join(REPO, 'generated', name);
const fixture = (name: string) => JSON.parse(readFileSync(path.join(REPO, 'test', 'fixtures', 'open-meteo', name), 'utf8')) as object;

describe('generated/weather (http steps: geocode, then forecast)', () => {
  let stub: Stub;
  let server: Connected;

  beforeAll(async () => {
    stub = await startStub((req) => {
      const query = new URLSearchParams(req.query);
      if (req.path === '/v1/search') return { body: query.get('name') === 'Paris' ? fixture('search-paris.json') : fixture('search-empty.json') };
      if (req.path === '/v1/forecast') {
        return { body: fixture(query.get('temperature_unit') === 'fahrenheit' ? 'forecast-paris-imperial-daily.json' : 'forecast-paris-metric.json') };
      }
      return { status: 404, body: { error: true, reason: 'not found' } };
    });
    server = await connectStdio(project('weather'), { GEO_BASE_URL: `${stub.url}/v1`, METEO_BASE_URL: `${stub.url}/v1`, MCP_RETRY_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    await server?.close();
    await stub?.close();
  });

  it('lists weather_api with its schemas, annotations and the prompt', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['weather_api']);
    const tool = tools[0]!;
    expect(tool.inputSchema.required).toEqual(['location']);
    // Listed: only what differs from the MCP defaults (openWorldHint: true is one).
    expect(tool.annotations).toEqual({ readOnlyHint: true });
    const { prompts } = await server.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['packing_advice']);
  });

  it('geocodes, then asks for the weather at that point, and projects the answer', async () => {
    stub.reset();
    const result = await server.client.callTool({ name: 'weather_api', arguments: { location: 'Paris' } });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(result.structuredContent).toEqual({
      location: 'Paris, Île-de-France, France',
      latitude: 48.85341,
      longitude: 2.3488,
      temperature: 7.4,
      temperature_unit: '°C',
      wind_speed: 11.2,
      wind_speed_unit: 'km/h',
      forecast: null,
    });
    const [geo, forecast] = stub.requests;
    expect(stub.requests).toHaveLength(2);
    expect(geo!.method).toBe('GET');
    expect(geo!.query).toBe('name=Paris&count=1&language=en&format=json');
    expect(forecast!.path).toBe('/v1/forecast');
    expect(Object.fromEntries(new URLSearchParams(forecast!.query))).toEqual({
      latitude: '48.85341',
      longitude: '2.3488',
      current: 'temperature_2m,wind_speed_10m',
      temperature_unit: 'celsius',
      wind_speed_unit: 'kmh',
      timezone: 'auto',
    });
  });

  it('imperial units with a forecast: the arguments steer the second request', async () => {
    stub.reset();
    const result = await server.client.callTool({ name: 'weather_api', arguments: { location: 'Paris', units: 'imperial', include_forecast: true } });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const out = result.structuredContent as { temperature_unit: string; forecast: { temperature_2m_max: number[] } };
    expect(out.temperature_unit).toBe('°F');
    expect(out.forecast.temperature_2m_max).toHaveLength(7);
    const query = new URLSearchParams(stub.requests[1]!.query);
    expect(query.get('daily')).toBe('temperature_2m_max,temperature_2m_min');
    expect(query.get('wind_speed_unit')).toBe('mph');
  });

  it('an unknown place is a tool error from failIf, and the forecast is never asked', async () => {
    stub.reset();
    const result = await server.client.callTool({ name: 'weather_api', arguments: { location: 'Atlantis' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('No place called \\"Atlantis\\" was found');
    expect(stub.requests.map((r) => r.path)).toEqual(['/v1/search']);
  });

  it('bad arguments are refused before any request', async () => {
    stub.reset();
    const result = await server.client.callTool({ name: 'weather_api', arguments: { location: 'Paris', units: 'kelvin' } });
    expect(result.isError).toBe(true);
    expect(stub.requests).toHaveLength(0);
  });

  it('renders the prompt with its arguments', async () => {
    const prompt = await server.client.getPrompt({ name: 'packing_advice', arguments: { destination: 'Oslo', days: '4' } });
    const message = prompt.messages[0]!;
    expect(message.role).toBe('user');
    expect(message.content).toMatchObject({ type: 'text' });
    expect((message.content as { text: string }).text).toContain('travelling to Oslo for 4 days');
  });

  it('serves the three built-in resources', async () => {
    const { resources } = await server.client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['config://server/settings', 'logs://server/recent', 'metrics://server/stats']);
    const settings = await server.client.readResource({ uri: 'config://server/settings' });
    expect(JSON.parse((settings.contents[0] as { text: string }).text)).toMatchObject({ timeoutMs: 30000 });
  });
});

describe('generated/text-tools (a handler tool: the user code is kept across regeneration)', () => {
  let server: Connected;
  beforeAll(async () => {
    server = await connectStdio(project('text-tools'), {});
  });
  afterAll(async () => server?.close());

  it('runs the handler: counts, sentiment, readability and a summary', async () => {
    const text =
      'The new library is wonderful. Its documentation is clear and the examples are great. ' +
      'Installation failed once on an old laptop. Overall the team is happy with the library and its examples.';
    const result = await server.client.callTool({ name: 'analyze_text', arguments: { text, summary_sentences: 1 } });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const out = result.structuredContent as {
      counts: { words: number; sentences: number };
      sentiment: { label: string; positive: string[]; negative: string[] };
      readability: { flesch_reading_ease: number; level: string };
      summary: string;
    };
    expect(out.counts).toEqual({ characters: text.length, words: 32, sentences: 4 });
    expect(out.sentiment.label).toBe('positive');
    expect(out.sentiment.positive).toEqual(expect.arrayContaining(['wonderful', 'great', 'happy']));
    expect(out.sentiment.negative).toContain('failed');
    expect(out.readability.flesch_reading_ease).toBeGreaterThan(30);
    expect(out.readability.flesch_reading_ease).toBeLessThan(90);
    expect(out.summary.split(/(?<=[.!?])\s/)).toHaveLength(1);
  });

  it('only the analyses asked for', async () => {
    const result = await server.client.callTool({ name: 'analyze_text', arguments: { text: 'I hate rain. It is awful.', analyses: ['sentiment'] } });
    expect(Object.keys(result.structuredContent ?? {})).toEqual(['sentiment']);
    expect((result.structuredContent as { sentiment: { label: string } }).sentiment.label).toBe('negative');
  });
});

describe('regenerating a project with a handler', () => {
  it('renaming the tool scaffolds a new handler, keeps the old one and says so', () => {
    const dir = path.join(tempDir('rename-handler'), 'text-tools');
    cpSync(project('text-tools'), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
    const old = readFileSync(path.join(dir, 'src', 'handlers', 'analyze_text.ts'), 'utf8');
    const specFile = path.join(path.dirname(dir), 'text-tools.yaml');
    writeFileSync(specFile, readFileSync(path.join(REPO, 'specs', 'text-tools.yaml'), 'utf8').replace('  analyze_text:\n', '  analyze:\n'));
    const r = runCli([specFile, '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'src', 'handlers', 'analyze_text.ts'), 'utf8')).toBe(old);
    expect(readFileSync(path.join(dir, 'src', 'handlers', 'analyze.ts'), 'utf8')).toContain("throw new ToolError('analyze is not implemented yet");
    expect(r.stderr).toContain('src/handlers/analyze_text.ts belongs to no tool in the spec any more; it is kept, but nothing calls it');
  });

  it('never touches the handler, and a schema change that breaks it fails the build', () => {
    const dir = path.join(tempDir('regen-handler'), 'text-tools');
    cpSync(project('text-tools'), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
    const handlerFile = path.join(dir, 'src', 'handlers', 'analyze_text.ts');
    const handlerBefore = readFileSync(handlerFile, 'utf8');
    expect(handlerBefore).toContain('summarize(');

    // The spec now says `text` is a list of paragraphs: the handler's string code no longer fits
    // (nor do the spec's examples, written for a string: they go, or generation refuses them).
    const spec = readFileSync(path.join(REPO, 'specs', 'text-tools.yaml'), 'utf8')
      .replace('text: { type: string, minLength: 1, maxLength: 100000, description: The text to analyze. }', 'text: { type: array, items: { type: string }, description: Paragraphs. }')
      .replace(/\n    # Fixed texts[^]*?\n(?=\S|$)/, '\n');
    expect(spec).not.toContain('examples:');
    const specFile = path.join(path.dirname(dir), 'text-tools.yaml');
    writeFileSync(specFile, spec);
    const r = runCli([specFile, '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(handlerFile, 'utf8')).toBe(handlerBefore);
    expect(readFileSync(path.join(dir, 'src', 'tool-types.ts'), 'utf8')).toContain('text: Array<string>;');

    linkNodeModules(dir);
    const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toMatch(/src\/handlers\/analyze_text\.ts\(\d+,\d+\): error/);
  });
});

const TOOLSPEC_EXAMPLES = readdirSync(path.join(REPO, 'specs'))
  .filter((f) => f.endsWith('.yaml') && /^mcpgen:/m.test(readFileSync(path.join(REPO, 'specs', f), 'utf8')))
  .map((f) => f.replace(/\.yaml$/, ''));

describe.each(TOOLSPEC_EXAMPLES)('generated/%s', (dir) => {
  it('passes its own npm test', () => {
    const cwd = project(dir);
    // What `npm test` runs, without npm's own start-up; node_modules is the repo's, linked by the global setup.
    const out = execFileSync(process.execPath, [path.join(cwd, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' } });
    // At least 20 tests of its own, all run: none failed and none skipped for want of a case.
    const tally = /Tests +(\d+) passed \((\d+)\)/.exec(out);
    expect(tally, out).not.toBeNull();
    expect(tally![1]).toBe(tally![2]);
    expect(Number(tally![1])).toBeGreaterThanOrEqual(20);
    expect(out).not.toMatch(/(Test Files|Tests) .*(failed|skipped)/);
    // The tests of the kinds this example uses ran (test/<kind>.test.ts, from templates/kinds).
    const definition = JSON.parse(readFileSync(path.join(cwd, 'server-definition.json'), 'utf8')) as { tools: Array<{ binding: { kind: string } }> };
    const kinds = new Set(definition.tools.map((t) => t.binding.kind));
    for (const kind of ['sql', 'expression', 'handler', 'builtin'].filter((k) => kinds.has(k))) {
      expect(out).toMatch(new RegExp(`✓ test/${kind}\\.test\\.ts \\(\\d+ tests?\\)`));
    }
    // HTTP step chains meet the upstream faults at every step.
    if (kinds.has('steps')) expect(out).toMatch(/✓ test\/resilience\.test\.ts \(\d+ tests?\)/);
  });
});

describe('generated/web (web_scraper and api_client behind the SSRF guard)', () => {
  let page: Stub;
  let guarded: Connected;
  let allowed: Connected;

  beforeAll(async () => {
    page = await startStub((req) =>
      req.path === '/article'
        ? { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><head><title>Hello page</title><script>secret()</script></head><body><h1>Heading</h1><p>Some <b>bold</b> text.</p><a href="/next">Next</a></body></html>' }
        : { status: 404, body: 'nope' },
    );
    guarded = await connectStdio(project('web'), {});
    allowed = await connectStdio(project('web'), { MCP_WEB_ALLOW_PRIVATE: '127.0.0.1' });
  });
  afterAll(async () => {
    await guarded?.close();
    await allowed?.close();
    await page?.close();
  });

  it.each([
    ['a loopback address', () => `${page.url}/article`, /127\.0\.0\.1 is a loopback address/],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['a DNS name resolving to a private address', () => `${page.url.replace('127.0.0.1', 'localhost')}/article`, /localhost resolves to .*loopback/],
  ])('web_scraper refuses %s and sends nothing', async (_name, url, message) => {
    page.reset();
    const result = await guarded.client.callTool({ name: 'web_scraper', arguments: { url: url() } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(message);
    expect(page.requests).toHaveLength(0);
  });

  it('web_scraper reads a page when its host is explicitly allowed', async () => {
    page.reset();
    const result = await allowed.client.callTool({ name: 'web_scraper', arguments: { url: `${page.url}/article` } });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const out = result.structuredContent as { title: string; text: string; links: Array<{ text: string; href: string }> };
    expect(out.title).toBe('Hello page');
    expect(out.text).toContain('Some bold text.');
    expect(out.text).not.toContain('secret()');
    expect(out.links).toEqual([{ text: 'Next', href: `${page.url}/next` }]);
    expect(page.only().method).toBe('GET');
  });

  it('api_client only calls the allowed hosts, even with private access allowed', async () => {
    page.reset();
    const result = await allowed.client.callTool({ name: 'api_client', arguments: { method: 'GET', url: `${page.url}/article` } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/127\.0\.0\.1 is not one of this tool's allowed hosts/);
    expect(page.requests).toHaveLength(0);
  });

  it('serves the resource declared in the spec', async () => {
    const { resources } = await guarded.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('docs://web/usage');
    const usage = await guarded.client.readResource({ uri: 'docs://web/usage' });
    expect(usage.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    expect((usage.contents[0] as { text: string }).text).toContain('# Web tools');
  });
});

describe('generated/calculator (a restricted mathjs parser, no eval)', () => {
  let server: Connected;
  beforeAll(async () => {
    server = await connectStdio(project('calculator'), {});
  });
  afterAll(async () => server?.close());

  it('evaluates with precedence, functions, constants and precision', async () => {
    const result = await server.client.callTool({ name: 'calculate', arguments: { expression: '2 * (3 + 4) ^ 2 / sqrt(16)' } });
    expect(result.structuredContent).toEqual({ expression: '2 * (3 + 4) ^ 2 / sqrt(16)', result: 24.5 });
    const trig = await server.client.callTool({ name: 'calculate', arguments: { expression: 'sin(pi / 6) + log10(1000)', precision: 3 } });
    expect(trig.structuredContent).toEqual({ expression: 'sin(pi / 6) + log10(1000)', result: 3.5 });
  });

  it('1,000 generated and all hostile expressions: a number or a precise tool error, none escapes, none is slow', async () => {
    const marker = path.join(tempDir('calc-marker'), 'pwned');
    const inputs = [...generateExpressions(1000, 7), ...HOSTILE.map(([text]) => text), `require('fs').writeFileSync('${marker}', 'x')`];
    let slowest = 0;
    let numbers = 0;
    for (const expression of inputs) {
      const started = Date.now();
      const result = await server.client.callTool({ name: 'calculate', arguments: { expression } });
      slowest = Math.max(slowest, Date.now() - started);
      if (result.isError) {
        expect(JSON.stringify(result.content), expression).not.toMatch(/internal|stack|TypeError/i);
      } else {
        expect(Number.isFinite((result.structuredContent as { result: number }).result), expression).toBe(true);
        numbers += 1;
      }
    }
    expect(numbers).toBeGreaterThan(200);
    expect(existsSync(marker)).toBe(false);
    // A call is a stdio round trip; the evaluation itself is measured by test/scripts/bench-expression.mjs.
    expect(slowest).toBeLessThan(1000);
  });
});

/** Changes to the shop's data would show here: row counts and a checksum of every table. */
const FINGERPRINT = "SELECT (SELECT count(*) FROM customers) || '/' || (SELECT count(*) FROM products) || '/' || (SELECT count(*) FROM orders) || '/' || (SELECT sum(price_cents) FROM products) || '/' || (SELECT sum(quantity) FROM orders) AS fingerprint";
const WRITES = [
  "INSERT INTO customers (id, name, email, country, created_at) VALUES (99, 'Eve', 'eve@example.com', 'XX', '2026-11-24')",
  'UPDATE products SET price_cents = 0',
  'DELETE FROM orders',
  'DROP TABLE orders',
  'SELECT 1; DELETE FROM orders',
  'WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone',
];

function databaseSuite(name: string, env: () => Record<string, string>): void {
  let server: Connected;
  beforeAll(async () => {
    server = await connectStdio(project('database'), env());
  });
  afterAll(async () => server?.close());

  const call = async (tool: string, args: Record<string, unknown>) => server.client.callTool({ name: tool, arguments: args });
  const fingerprint = async () => ((await call('database_query', { query: FINGERPRINT })).structuredContent as { rows: Array<{ fingerprint: string }> }).rows[0]!.fingerprint;

  it(`${name}: list_tables, describe_table and database_query`, async () => {
    // (On PostgreSQL the test database also holds other tests' tables.)
    const tables = (await call('list_tables', {})).structuredContent as { rows: Array<{ name: string }> };
    expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['customers', 'orders', 'products']));
    const columns = (await call('describe_table', { table: 'products' })).structuredContent as { rows: Array<{ name: string }> };
    expect(columns.rows.map((c) => c.name)).toEqual(['id', 'name', 'category', 'price_cents', 'in_stock']);
    const result = await call('database_query', { query: "SELECT name FROM customers WHERE country = 'US' ORDER BY id", max_rows: 2 });
    expect(result.structuredContent).toEqual({ columns: ['name'], rows: [{ name: 'Grace Hopper' }, { name: 'Katherine Johnson' }], row_count: 2, truncated: true });
  });

  it.each(WRITES)(`${name}: refuses %s and no row changes`, async (query) => {
    const before = await fingerprint();
    expect(before).toBe('5/6/8/58500/12');
    const result = await call('database_query', { query });
    expect(result.isError, query).toBe(true);
    expect(await fingerprint()).toBe(before);
  });
}

describe('generated/database on SQLite (created from the bundled seed)', () => {
  databaseSuite('SQLite', () => {
    // A fresh database file per run: the server creates it from data/sample.sql on first use.
    const dir = tempDir('sqlite-db');
    return { DATABASE_URL: `sqlite:${path.join(dir, 'shop.db')}` };
  });
});

const PG_URL = process.env.TEST_DATABASE_URL;
describe.skipIf(!PG_URL && !process.env.CI)('generated/database on PostgreSQL', () => {
  beforeAll(async () => {
    if (!PG_URL) throw new Error('TEST_DATABASE_URL is not set; .ci/run starts PostgreSQL and sets it');
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query('DROP TABLE IF EXISTS orders, products, customers');
    await admin.query(readFileSync(path.join(REPO, 'specs', 'data', 'sample.sql'), 'utf8'));
    await admin.end();
  });
  databaseSuite('PostgreSQL', () => ({ DATABASE_URL: PG_URL! }));
});
