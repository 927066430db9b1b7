// How many generated tools OpenAI's strict mode takes, measured with the Agents SDK's own
// conversion (`mcpToFunctionTool(tool, server, convertSchemasToStrict = true)`, the path
// `MCPServerStdio` users get with `mcpConfig.convertSchemasToStrict`), over the benchmark corpus.
//
//   npm run build && node test/scripts/strict-coverage.mjs [--bench /tmp/mcp-gen-bench] [--client portable]
//        [--limit N] [--specs id,id] [--work /tmp/mcp-gen-strict]
//
// The corpus comes from a copy of ../shared/bench with its node_modules (see corpus-tests.mjs).
// Prints the share of strict tools, servers whose every tool is strict, and the SDK's reasons.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS_OPTIONS, corpusIds, specPath as specOf } from './corpus.mjs';
import { mcpToFunctionTool } from '@openai/agents';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    ...CORPUS_OPTIONS,
    work: { type: 'string', default: '/tmp/mcp-gen-strict' },
    client: { type: 'string', default: 'portable' },
  },
});

const ids = corpusIds(values);

const specPath = (id) => specOf(values.bench, id);

function generate(spec, out) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'mcp-gen.cjs'), spec, '-o', out, '--client', values.client, '--force'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve(code === 0 ? undefined : err.split('\n').find((l) => /error/i.test(l)) ?? `exit ${code}`));
  });
}

// The SDK warns (and falls back to non-strict) with the reason; collect it instead of printing.
process.env.OPENAI_AGENTS_DONT_LOG_TOOL_DATA = '0';
let lastWarning = '';
console.warn = (...args) => {
  lastWarning = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
};
const server = { name: 'corpus', cacheToolsList: false, invalidateToolsCache() {}, callTool: async () => [] };

/** Which kind of open object a schema has first: strict mode can close none of them. */
function openKind(schema) {
  const stack = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const isObject = node.type === 'object' || (node.type === undefined && node.properties !== undefined);
    if (isObject && node.additionalProperties !== false) {
      const declared = node.properties && Object.keys(node.properties).length > 0;
      if (!declared && (node.additionalProperties === undefined || node.additionalProperties === true)) return 'object without properties';
      if (!declared) return 'map (additionalProperties: schema)';
      if (node.additionalProperties !== undefined) return 'properties and additionalProperties';
    }
    for (const [key, value] of Object.entries(node)) if (!['enum', 'const', 'default', 'examples', 'example', 'required'].includes(key)) stack.push(value);
  }
  return 'unclassified';
}

/**
 * A copy with every open object closed (no additional properties): what the tool would be if its
 * free-form maps were not there. Strict mode cannot take those without changing what the
 * arguments may hold, so they are counted apart (`mcp-gen lint` names them per tool).
 */
const STAND_IN = /not expanded further|nested too deep to expand here/;
function closed(node, standIns) {
  if (Array.isArray(node)) return node.map((n) => closed(n, standIns));
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = ['enum', 'const', 'default', 'examples', 'example', 'required'].includes(key) ? value : key === 'properties' ? Object.fromEntries(Object.entries(value ?? {}).map(([k, v]) => [k, closed(v, standIns)])) : closed(value, standIns);
  }
  // Stand-ins are where mcp-gen's own $ref inlining stopped (depth or size), not the API's maps.
  const standIn = STAND_IN.test(String(out.description ?? ''));
  if ((standIns || !standIn) && (out.type === 'object' || (out.type === undefined && out.properties !== undefined))) {
    if (out.additionalProperties !== false) out.additionalProperties = false;
    out.properties ??= {};
  }
  return out;
}

/** Why a tool is not strict, with the SDK's message cut to its kind (the keyword it names). */
function reasonOf(message) {
  const keyword = /`([^`]+)`/.exec(message);
  if (/unsupported keyword/.test(message)) return `keyword ${keyword?.[1]}`;
  if (/combining `(\w+)` with sibling keyword `([^`]+)`/.test(message)) {
    const m = /combining `(\w+)` with sibling keyword `([^`]+)`/.exec(message);
    return `${m[1]} with sibling ${m[2]}`;
  }
  if (/open JSON schema object/.test(message)) return 'open object';
  return message.replace(/^Error converting MCP schema to strict mode:\s*/, '').slice(0, 100);
}

rmSync(values.work, { recursive: true, force: true });
mkdirSync(values.work, { recursive: true });
let tools = 0;
let strict = 0;
let allStrict = 0;
let freeFormOnly = 0;
let standInOnly = 0;
let jsonText = 0;
let jsonTextSites = 0;
let servers = 0;
const failures = [];
const reasons = new Map();
const names = { clashes: 0 };
for (const id of ids) {
  const out = path.join(values.work, id.replace(/[^\w.-]+/g, '_'));
  const error = await generate(specPath(id), out);
  if (error) {
    failures.push(`${id}: ${error}`);
    continue;
  }
  const definition = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8'));
  servers++;
  let serverStrict = true;
  const seen = new Set();
  for (const tool of definition.tools) {
    tools++;
    if (tool.jsonTextArguments?.length) {
      jsonText++;
      jsonTextSites += tool.jsonTextArguments.length;
    }
    lastWarning = '';
    const fn = mcpToFunctionTool({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }, server, true);
    if (seen.has(fn.name)) names.clashes++;
    seen.add(fn.name);
    if (fn.strict) strict++;
    else {
      serverStrict = false;
      let reason = reasonOf(lastWarning);
      if (reason.startsWith('open object')) {
        reason = `open object: ${openKind(tool.inputSchema)}`;
        const strictIf = (standIns) => mcpToFunctionTool({ name: tool.name, description: tool.description, inputSchema: closed(tool.inputSchema, standIns) }, server, true).strict;
        if (strictIf(false)) freeFormOnly++;
        else if (strictIf(true)) standInOnly++;
      }
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  if (serverStrict) allStrict++;
  rmSync(out, { recursive: true, force: true });
}

const pct = (a, b) => `${((100 * a) / Math.max(1, b)).toFixed(1)} %`;
console.log(`## OpenAI strict mode (--client ${values.client}, @openai/agents mcpToFunctionTool)\n`);
console.log(`- specs generated: ${servers} of ${ids.length}${failures.length ? ` (failed: ${failures.join('; ')})` : ''}`);
console.log(`- tools strict: ${strict} of ${tools} (${pct(strict, tools)})`);
console.log(`- servers with every tool strict: ${allStrict} of ${servers}`);
console.log(`- tools strict but for free-form objects the API declares (no properties, or additionalProperties): ${freeFormOnly}; strict or only those: ${strict + freeFormOnly} of ${tools} (${pct(strict + freeFormOnly, tools)})`);
console.log(`- tools strict but for stand-ins where $ref inlining stopped (depth or size budget): ${standInOnly}`);
console.log(`- tools with free-form objects listed as JSON text (which the server parses): ${jsonText} (${pct(jsonText, tools)}), ${jsonTextSites} places`);
console.log(`- tool names that collide after the SDK's renaming: ${names.clashes}`);
console.log(`\n| why a tool is not strict | tools |\n| --- | --- |`);
for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`| ${reason} | ${n} |`);
