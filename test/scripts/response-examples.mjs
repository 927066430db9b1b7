// Do the APIs' own documented answers pass the output schemas mcp-gen emits for them? Every 2xx
// JSON response example of the benchmark corpus (OpenAPI 3 `example` / `examples`, Swagger 2
// `examples`) of the response an outputSchema was made from is handed to the generated server's
// own response mapping (runtime/upstream/response.ts `toToolResult`) as a 200 JSON answer; an
// example is accepted when the result is not an error and carries structured content.
//
//   npm run build && node test/scripts/response-examples.mjs [--bench /tmp/mcp-gen-bench] [--specs id,id] [--limit N] [--show 20]
//
// The corpus comes from a copy of ../shared/bench with its node_modules (see corpus-tests.mjs).
// Prints examples checked, refused (by the keyword that refused them), and the first refusals.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS_OPTIONS, corpusIds, specPath as specOf } from './corpus.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { buildDefinition } = await import(path.join(REPO, 'dist/generate.js'));
const { SchemaValidator } = await import(path.join(REPO, 'dist/runtime/validate.js'));
const { toToolResult } = await import(path.join(REPO, 'dist/runtime/upstream/response.js'));

const { values } = parseArgs({
  options: {
    ...CORPUS_OPTIONS,
    show: { type: 'string', default: '15' },
  },
});

const ids = corpusIds(values);
const specPath = (id) => specOf(values.bench, id);

// The lowering's choice of response (src/lower/openapi/index.ts SUCCESS_CODES).
const SUCCESS_CODES = ['200', '201', '202', '203', '206', '2XX', '2xx'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const isJson = (media) => /^application\/(.+\+)?json\b/i.test(media);

/** Follows local `$ref`s (responses, examples) to what they point at. */
function deref(doc, node, depth = 0) {
  if (!node || typeof node !== 'object' || typeof node.$ref !== 'string' || depth > 20) return node;
  if (!node.$ref.startsWith('#/')) return undefined;
  let target = doc;
  for (const part of node.$ref.slice(2).split('/')) target = target?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return deref(doc, target, depth + 1);
}

/** The documented JSON examples of the response an output schema would be made from. */
function examplesOf(doc, operation) {
  const responses = operation?.responses;
  if (!responses || typeof responses !== 'object') return [];
  const code = SUCCESS_CODES.find((c) => c in responses);
  if (!code) return [];
  const response = deref(doc, responses[code]);
  if (!response || typeof response !== 'object') return [];
  const found = [];
  if (doc.swagger) {
    for (const [media, value] of Object.entries(response.examples ?? {})) if (isJson(media)) found.push(value);
    return found;
  }
  for (const [media, content] of Object.entries(response.content ?? {})) {
    if (!isJson(media) || !content) continue;
    if (content.example !== undefined) found.push(content.example);
    for (const example of Object.values(content.examples ?? {})) {
      const resolved = deref(doc, example);
      if (resolved && typeof resolved === 'object' && 'value' in resolved) found.push(resolved.value);
    }
  }
  return found;
}

const validator = new SchemaValidator();

/** The JSON Schema keyword behind an output-validation message (validate.ts words them per keyword). */
function keywordOf(message) {
  const rules = [
    [/is not a JSON object/, 'not an object'],
    [/must be one of/, 'enum'],
    [/must match format/, 'format'],
    [/missing required/, 'required'],
    [/unexpected property/, 'additionalProperties'],
    [/must be (?:string|number|integer|boolean|array|null|object)/, 'type'],
    [/must match pattern/, 'pattern'],
  ];
  return rules.find(([re]) => re.test(message))?.[1] ?? 'other';
}
const totals = { specs: 0, failedSpecs: 0, examples: 0, withSchema: 0, refused: 0 };
const byKeyword = new Map();
const refusals = [];
const refusedTools = new Set();
const refusedSpecs = new Set();

for (const id of ids) {
  let doc;
  let definition;
  try {
    doc = JSON.parse(readFileSync(specPath(id), 'utf8'));
    ({ definition } = await buildDefinition({ spec: specPath(id), maxNameLength: 64, allowRemoteRefs: false }));
  } catch (err) {
    totals.failedSpecs++;
    console.error(`${id}: ${String(err?.message ?? err).split('\n')[0]}`);
    continue;
  }
  totals.specs++;
  const tools = new Map();
  for (const tool of definition.tools) if (tool.binding.kind === 'http') tools.set(`${tool.binding.method} ${tool.binding.path}`, tool);
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const examples = examplesOf(doc, item?.[method]);
      if (examples.length === 0) continue;
      const tool = tools.get(`${method.toUpperCase()} ${route.replace(/[#?].*$/, '')}`);
      for (const example of examples) {
        totals.examples++;
        if (!tool?.outputSchema) continue;
        totals.withSchema++;
        const bytes = Buffer.from(JSON.stringify(example) ?? 'null');
        const result = toToolResult(tool, { status: 200, statusText: 'OK', contentType: 'application/json', bytes, truncated: false }, { validator });
        if (!result.isError && result.structuredContent) continue;
        totals.refused++;
        refusedTools.add(`${id} ${tool.name}`);
        refusedSpecs.add(id);
        const reason = result.content[0]?.text ?? '';
        const keyword = keywordOf(reason);
        byKeyword.set(keyword, (byKeyword.get(keyword) ?? 0) + 1);
        const detail = reason.split('\n')[0];
        refusals.push(`${id} ${tool.name}: ${detail}`);
      }
    }
  }
}

const pct = (n, d) => (d ? ((100 * n) / d).toFixed(2) : '0.00');
console.log(`specs: ${totals.specs} (${totals.failedSpecs} failed to generate)`);
console.log(`documented 2xx JSON examples: ${totals.examples}; of tools with an output schema: ${totals.withSchema}`);
console.log(
  `accepted: ${totals.withSchema - totals.refused} of ${totals.withSchema} (${pct(totals.withSchema - totals.refused, totals.withSchema)} %); refused ${totals.refused} in ${refusedTools.size} tools of ${refusedSpecs.size} specs`,
);
if (byKeyword.size) console.log(`refused by: ${[...byKeyword].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
for (const line of refusals.slice(0, Number(values.show))) console.log(`  ${line.length > 220 ? line.slice(0, 220) + '…' : line}`);
