// What tools/list costs a model, for mcp-gen and the peer, over the benchmark corpus: bytes per
// listing (median, as the bench reports it) and o200k_base tokens per tool (median, p95).
//
//   npm run build && node test/scripts/list-budget.mjs [--bench /tmp/mcp-gen-bench] [--peer peer-s9] [--specs id,id] [--limit N]
//
// mcp-gen's listing is built in process, exactly as its server lists it (runtime/listing.ts).
// The peer's comes from its servers as the bench built them (`node run.mjs --preset
// openapi-mcp-generator --label <peer> --stages gen,build,list`): each is started over stdio and
// listed with the MCP SDK client. The corpus is a copy of ../shared/bench (see corpus-tests.mjs).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS_OPTIONS, corpusIds, specPath as specOf } from './corpus.mjs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { buildDefinition } = await import(path.join(REPO, 'dist/generate.js'));
const { listedTool } = await import(path.join(REPO, 'dist/runtime/listing.js'));

const { values } = parseArgs({
  options: {
    ...CORPUS_OPTIONS,
    peer: { type: 'string' },
  },
});
const ids = corpusIds(values);

/** The bench's name for a spec's project directory (run.mjs `safeId`). */
const safeId = (id) => id.replace(/^[a-z]+:/, (p) => p.slice(0, -1) + '__').replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '_');

/** What the bench's probe counts: the tools/list result as JSON. */
const measure = (tools) => ({ bytes: Buffer.byteLength(JSON.stringify({ tools })), tokens: tools.map((t) => countTokens(JSON.stringify(t))) });

async function ours(id) {
  const { definition } = await buildDefinition({ spec: specOf(values.bench, id), maxNameLength: 64, allowRemoteRefs: false });
  return measure(definition.tools.map(listedTool));
}

async function peers(id) {
  const dir = path.join(values.bench, 'work', values.peer, 'projects', safeId(id));
  const entry = ['build/index.js', 'dist/index.js'].map((f) => path.join(dir, f)).find(existsSync);
  if (!entry) return undefined;
  const client = new Client({ name: 'list-budget', version: '1' });
  try {
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [entry], cwd: dir, stderr: 'ignore', env: { PATH: process.env.PATH ?? '' } }));
    const tools = [];
    let cursor;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return measure(tools);
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}

const rank = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
function summary(label, rows) {
  if (rows.length === 0) return { label, specs: 0, medianBytes: 0, toolTokensMedian: 0, toolTokensP95: 0, listingTokensMedian: 0 };
  const bytes = rows.map((r) => r.bytes).sort((a, b) => a - b);
  const tokens = rows.flatMap((r) => r.tokens).sort((a, b) => a - b);
  const perListing = rows.map((r) => r.tokens.reduce((a, b) => a + b, 0)).sort((a, b) => a - b);
  return { label, specs: rows.length, medianBytes: rank(bytes, 0.5), toolTokensMedian: rank(tokens, 0.5), toolTokensP95: rank(tokens, 0.95), listingTokensMedian: rank(perListing, 0.5) };
}

const mine = [];
const theirs = [];
const paired = [];
for (const id of ids) {
  const a = await ours(id).catch(() => undefined);
  const b = values.peer ? await peers(id) : undefined;
  if (a) mine.push(a);
  if (b) theirs.push(b);
  if (a && b) paired.push({ a, b });
}
const rows = [summary('mcp-gen', mine), ...(values.peer ? [summary(`peer (${values.peer})`, theirs)] : [])];
console.log('| generator | specs | tools/list median bytes | tokens per tool, median | p95 | tokens per listing, median |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.label} | ${r.specs} | ${r.medianBytes.toLocaleString('en')} | ${r.toolTokensMedian} | ${r.toolTokensP95} | ${r.listingTokensMedian.toLocaleString('en')} |`);
if (paired.length) {
  const a = summary('a', paired.map((p) => p.a));
  const b = summary('b', paired.map((p) => p.b));
  console.log(`\nOn the ${paired.length} specs both list: median bytes ${(a.medianBytes / b.medianBytes).toFixed(2)}×, median tokens per tool ${(a.toolTokensMedian / b.toolTokensMedian).toFixed(2)}× the peer's.`);
}
