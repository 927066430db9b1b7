/**
 * MCP App views (extension io.modelcontextprotocol/ui) of the generated examples: negotiated, so
 * other clients see the lists they saw before; linked from tools/list; served as one page with a
 * strict CSP; and, in headless Chromium behind a host built on the ext-apps AppBridge, drawn from
 * real tool results: a table per pet, a chart point per forecast day, a query result table, and
 * hostile strings as text. MCP_GEN_SCREENSHOTS=<dir> saves a screenshot of each view there.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build as bundle } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, connectHttp, REPO, runCli, tempDir } from '../helpers/project.js';
import { startStub, type Stub } from '../helpers/stub.js';
import { listedTool } from '../../src/runtime/listing.js';
// @ts-expect-error: a plain .mjs script without types
import { startStdioRpc } from '../scripts/stdio-rpc.mjs';
import type { ServerDefinition } from '../../src/runtime/definition.js';

const UI = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
const project = (name: string) => path.join(REPO, 'generated', name);
const definitionOf = (name: string) => JSON.parse(readFileSync(path.join(project(name), 'server-definition.json'), 'utf8')) as ServerDefinition;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.MCP_GEN_SCREENSHOTS;

const PETS = [
  { id: 1, name: 'Rex', category: { id: 1, name: 'Dogs' }, photoUrls: ['https://example.test/rex.jpg'], tags: [{ id: 1, name: 'friendly' }], status: 'available' },
  { id: 2, name: 'Tom', category: { id: 2, name: 'Cats' }, photoUrls: [], tags: [], status: 'available' },
  { id: 3, name: 'Polly', category: { id: 3, name: 'Birds' }, photoUrls: [], tags: [{ id: 2, name: 'loud' }], status: 'available' },
];
const HOSTILE = ['<img src=x onerror="window.pwned=1">', '</script><script>window.pwned=2</script>', '"><svg onload=window.pwned=3>', '{{constructor.constructor("window.pwned=4")()}}'];

async function connect(name: string, env: Record<string, string>, options: { ui: boolean; pin?: string }): Promise<ClientV2> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(project(name), 'dist', 'index.js')],
    env: { PATH: process.env.PATH ?? '', MCP_LOG_LEVEL: 'warn', ...env },
    stderr: 'ignore',
  });
  const client = new ClientV2(
    { name: 'apps-test', version: '0.0.0' },
    { ...(options.ui ? { capabilities: UI } : {}), ...(options.pin ? { versionNegotiation: { mode: { pin: options.pin } } } : {}) },
  );
  await client.connect(transport);
  return client;
}

let stub: Stub;
let petReply: object[] = PETS;
beforeAll(async () => {
  stub = await startStub((req) => {
    if (req.path === '/api/v3/pet/findByStatus') return { body: petReply };
    // Open to any origin: a fetch from a view fails here only because its page's policy forbids it.
    if (req.path === '/open') return { headers: { 'access-control-allow-origin': '*', 'content-type': 'application/json' }, body: { open: true } };
    if (req.path === '/v1/search') return { body: JSON.parse(readFileSync(path.join(REPO, 'test', 'fixtures', 'open-meteo', 'search-paris.json'), 'utf8')) };
    if (req.path === '/v1/forecast') return { body: JSON.parse(readFileSync(path.join(REPO, 'test', 'fixtures', 'open-meteo', 'forecast-paris-imperial-daily.json'), 'utf8')) };
    return { status: 404, body: { error: 'not found' } };
  });
});
afterAll(async () => stub?.close());

const petstoreEnv = () => ({ API_BASE_URL: `${stub.url}/api/v3`, PETSTORE_API_KEY: 'k', PETSTORE_AUTH_CLIENT_ID: 'c', PETSTORE_AUTH_CLIENT_SECRET: 's' });

describe('negotiation and listing', () => {
  it('a client without the extension gets exactly the tools/list and resources/list of a server without views', async () => {
    // The wire itself (an SDK client would re-order keys): what the server wrote, byte for byte,
    // against the listing of the definition, which is what it listed before views existed.
    const server = await startStdioRpc(path.join(project('petstore'), 'dist', 'index.js'), { PATH: process.env.PATH ?? '', ...petstoreEnv() }, '2025-11-25');
    try {
      const listed = await server.rpc('tools/list', {});
      expect(JSON.stringify(listed.result.tools)).toBe(JSON.stringify(definitionOf('petstore').tools.map(listedTool)));
      const resources = await server.rpc('resources/list', {});
      expect(resources.result.resources.map((r: { uri: string }) => r.uri).filter((u: string) => u.startsWith('ui://'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  for (const pin of [undefined, '2026-07-28']) {
    it(`a client with it (${pin ?? '2025-11-25 initialize'}, stdio) gets each view linked, listed and readable`, async () => {
      const client = await connect('petstore', petstoreEnv(), { ui: true, ...(pin ? { pin } : {}) });
      try {
        const { tools } = await client.listTools();
        const viewed = definitionOf('petstore').tools.filter((t) => t.view).map((t) => t.name);
        expect(viewed).toContain('findPetsByStatus');
        for (const tool of tools) {
          expect(tool._meta?.ui, tool.name).toEqual(viewed.includes(tool.name) ? { resourceUri: `ui://petstore/${tool.name}` } : undefined);
        }
        const { resources } = await client.listResources();
        expect(resources.filter((r) => r.uri.startsWith('ui://')).map((r) => [r.uri, r.mimeType])).toEqual(viewed.map((n) => [`ui://petstore/${n}`, 'text/html;profile=mcp-app']));
        const read = await client.readResource({ uri: 'ui://petstore/findPetsByStatus' });
        const page = read.contents[0] as { mimeType: string; text: string };
        expect(page.mimeType).toBe('text/html;profile=mcp-app');
        expect(page.text).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';/);
        expect(page.text).not.toMatch(/(src|href)="https?:/);
      } finally {
        await client.close();
      }
    });
  }

  it('over HTTP: a 2025-era client that declares the extension gets a session id that any replica reads as "views", others get none', async () => {
    const server = await connectHttp(project('petstore'), petstoreEnv());
    const replica = await connectHttp(project('petstore'), petstoreEnv());
    try {
      const post = (body: object, headers: Record<string, string> = {}, url = server.url) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...headers }, body: JSON.stringify(body) });
      const init = (capabilities: object) => ({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'h', version: '0' } } });
      const plainInit = await post(init({}));
      expect(plainInit.headers.get('mcp-session-id')).toBeNull();
      const uiInit = await post(init(UI));
      const session = uiInit.headers.get('mcp-session-id');
      expect(session).toMatch(/^mcp-apps-[0-9a-f-]{36}$/);
      const list = async (headers: Record<string, string>, url = server.url) => ((await (await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers, url)).json()) as { result: { tools: Array<{ name: string; _meta?: object }> } }).result.tools;
      expect((await list({ 'mcp-session-id': session! })).find((t) => t.name === 'findPetsByStatus')?._meta).toEqual({ ui: { resourceUri: 'ui://petstore/findPetsByStatus' } });
      // Another replica, which never saw the initialize, reads the id the same way.
      expect((await list({ 'mcp-session-id': session! }, replica.url)).find((t) => t.name === 'findPetsByStatus')?._meta).toEqual({ ui: { resourceUri: 'ui://petstore/findPetsByStatus' } });
      expect((await list({})).find((t) => t.name === 'findPetsByStatus')?._meta).toBeUndefined();
      // The 2026-07-28 path: capabilities ride on each request.
      const modern = new ClientV2({ name: 'm', version: '0' }, { capabilities: UI, versionNegotiation: { mode: { pin: '2026-07-28' } } });
      await modern.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      expect((await modern.listTools()).tools.find((t) => t.name === 'findPetsByStatus')?._meta).toEqual({ ui: { resourceUri: 'ui://petstore/findPetsByStatus' } });
      await modern.close();
    } finally {
      await server.close();
      await replica.close();
    }
  });
});

describe('the spec chooses: x-mcp.ui in OpenAPI (the same values as ui: in tool specs)', () => {
  it('a chart asked for, a view turned off, and a page of the user own that regeneration keeps', async () => {
    const out = path.join(tempDir('apps-ui'), 'metrics');
    const spec = path.join(REPO, 'test', 'fixtures', 'apps', 'ui.yaml');
    expect(runCli([spec, '-o', out]).code).toBe(0);
    const own = path.join(out, 'views', 'dashboard.html');
    writeFileSync(own, readFileSync(own, 'utf8').replace('</head>', '<!-- mine --></head>'));
    // Regenerating (with --force, as after a spec change) keeps the user's page as they left it.
    expect(runCli([spec, '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(own, 'utf8')).toContain('<!-- mine -->');
    build(out);
    const client = new ClientV2({ name: 'ui', version: '0' }, { capabilities: UI });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(out, 'dist', 'index.js')], env: { PATH: process.env.PATH ?? '' }, stderr: 'ignore' }));
    try {
      const { tools } = await client.listTools();
      expect(Object.fromEntries(tools.map((t) => [t.name, (t._meta?.ui as { resourceUri?: string } | undefined)?.resourceUri]))).toEqual({
        dailySeries: 'ui://metrics/dailySeries',
        summary: undefined,
        dashboard: 'ui://metrics/dashboard',
      });
      const definition = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8')) as ServerDefinition;
      expect(definition.tools.find((t) => t.name === 'dailySeries')?.view).toEqual({ kind: 'chart', at: ['result'], layout: 'rows', x: 'day', series: ['visits'] });
      const page = (await client.readResource({ uri: 'ui://metrics/dashboard' })).contents[0] as { text: string };
      expect(page.text).toBe(readFileSync(own, 'utf8'));
    } finally {
      await client.close();
    }
  }, 120_000);

  it('a page outside views/ is refused with its place in the spec, and nothing is written', () => {
    const out = path.join(tempDir('apps-bad'), 'x');
    const run = runCli([path.join(REPO, 'test', 'fixtures', 'apps', 'bad-ui.yaml'), '-o', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bad-ui.yaml:9:15: error: ui.html "../secrets.html" is not a page under views/');
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('views in headless Chromium behind an AppBridge host', () => {
  let browser: Browser;
  let hostScript: string;

  beforeAll(async () => {
    const { output } = await bundle({ input: path.join(REPO, 'test', 'fixtures', 'apps-host', 'host.ts'), platform: 'browser', logLevel: 'warn', write: false, output: { format: 'iife' } });
    hostScript = output[0].code;
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 60_000);
  afterAll(async () => browser?.close());

  /** Calls the tool through the server, reads its view, and shows both in the host page. */
  async function show(name: string, env: Record<string, string>, tool: string, args: Record<string, unknown>, shot = `${name}-${tool}`): Promise<{ page: Page; result: Record<string, unknown> }> {
    const client = await connect(name, env, { ui: true });
    try {
      const { tools } = await client.listTools();
      const uri = tools.find((t) => t.name === tool)?._meta?.ui as { resourceUri: string };
      const html = (await client.readResource({ uri: uri.resourceUri })).contents[0] as { text: string };
      const result = (await client.callTool({ name: tool, arguments: args })) as Record<string, unknown>;
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const page = await browser.newPage({ viewport: { width: 760, height: 600 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => errors.push(`dialog: ${d.message()}`));
      await page.setContent(`<!doctype html><html><head><style>${readFileSync(path.join(REPO, 'test', 'fixtures', 'apps-host', 'host.css'), 'utf8')}</style></head><body><script>${hostScript}</script></body></html>`);
      await page.evaluate(([h, a, r]) => window.showView(h, a, r), [html.text, args, result] as const);
      await page.frameLocator('iframe').locator('header h1').waitFor();
      expect(errors).toEqual([]);
      if (SCREENSHOTS) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.locator('iframe').screenshot({ path: path.join(SCREENSHOTS, `${shot}.png`) });
      }
      return { page, result };
    } finally {
      await client.close();
    }
  }

  it('generated/petstore findPetsByStatus: one table row per pet, a column per property', async () => {
    petReply = PETS;
    const { page } = await show('petstore', petstoreEnv(), 'findPetsByStatus', { status: ['available'] });
    const view = page.frameLocator('iframe');
    expect(await view.locator('thead th').allTextContents()).toEqual(['id', 'name', 'category', 'photoUrls', 'tags', 'status']);
    expect(await view.locator('tbody tr').count()).toBe(PETS.length);
    expect(await view.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['1', 'Rex', 'id: 1, name: Dogs', 'https://example.test/rex.jpg', 'id: 1, name: friendly', 'available']);
    // Sorting by a column, and the raw JSON toggle.
    await view.locator('thead th button', { hasText: 'name' }).click();
    await view.locator('thead th button', { hasText: 'name' }).click();
    expect(await view.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(['Tom', 'Rex', 'Polly']);
    await view.locator('button.toggle').click();
    expect(JSON.parse((await view.locator('pre.raw').textContent())!)).toEqual({ result: PETS });
    await page.close();
  });

  it('generated/weather with the forecast: a line chart with one point per day and series', async () => {
    const { page, result } = await show('weather', { GEO_BASE_URL: `${stub.url}/v1`, METEO_BASE_URL: `${stub.url}/v1` }, 'weather_api', { location: 'Paris', units: 'imperial', include_forecast: true });
    const forecast = (result.structuredContent as { forecast: { time: string[]; temperature_2m_max: number[] } }).forecast;
    const view = page.frameLocator('iframe');
    expect(forecast.time).toHaveLength(7);
    expect(await view.locator('svg.chart g.series').count()).toBe(2);
    expect(await view.locator('svg.chart g[data-series="temperature_2m_max"] circle.point').count()).toBe(forecast.time.length);
    expect(await view.locator('svg.chart g[data-series="temperature_2m_max"] circle.point title').first().textContent()).toBe(`${forecast.time[0]}: temperature_2m_max ${forecast.temperature_2m_max[0]}`);
    // The fields beside the forecast, as a card.
    expect(await view.locator('.card dt').allTextContents()).toEqual(expect.arrayContaining(['location', 'temperature', 'temperature_unit']));
    await page.close();
  });

  it('generated/database: a query result as a table', async () => {
    const dir = tempDir('apps-db');
    const { page, result } = await show('database', { DATABASE_URL: `sqlite:${path.join(dir, 'shop.db')}` }, 'database_query', { query: 'SELECT id, name, category, price_cents FROM products ORDER BY id' });
    const rows = (result.structuredContent as { rows: Array<Record<string, unknown>> }).rows;
    expect(rows.length).toBeGreaterThan(1);
    const view = page.frameLocator('iframe');
    expect(await view.locator('thead th').allTextContents()).toEqual(['id', 'name', 'category', 'price_cents']);
    expect(await view.locator('tbody tr').count()).toBe(Math.min(rows.length, 25));
    expect(await view.locator('tbody tr').first().locator('td').allTextContents()).toEqual(Object.values(rows[0]!).map(String));
    await page.close();
  });

  it('hostile strings from the upstream are shown as text and run nothing; the page runs no other script and cannot fetch', async () => {
    petReply = HOSTILE.map((name, i) => ({ id: i, name, status: name, photoUrls: [], tags: [{ id: i, name }] }));
    const { page } = await show('petstore', petstoreEnv(), 'findPetsByStatus', { status: ['available'] }, 'hostile-strings');
    const view = page.frameLocator('iframe');
    expect(await view.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(HOSTILE);
    expect(await view.locator('img, svg:not(.chart), script:not([type])').count()).toBe(1); // the view's own script only
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    expect(await frame.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    // (The test's own evaluate is exempt from the page's CSP; what it adds to the page is not.)
    const injected = await frame.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.pwned = 5';
      document.body.append(script);
      return (window as { pwned?: number }).pwned;
    });
    expect(injected).toBeUndefined();
    stub.reset();
    const fetched = await frame.evaluate(async (url) => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const outcome = await fetch(url).then(() => 'fetched', (e: Error) => e.name);
      await new Promise((r) => setTimeout(r, 50));
      return { outcome, violations };
    }, `${stub.url}/open`);
    expect(fetched).toEqual({ outcome: 'TypeError', violations: ['connect-src'] });
    expect(stub.requests).toEqual([]);
    await page.close();
  });
});
