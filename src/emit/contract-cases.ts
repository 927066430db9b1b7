/**
 * test/contract-cases.json: the data of the contract test every generated project ships
 * (templates/project/contract.test.ts). Per OpenAPI operation: valid arguments synthesised from
 * the input schema, the exact request the server must send for them, a response for the stub to
 * serve, the result that response must produce, and one invalid call.
 *
 * The expected request is computed HERE, at generation time, from the spec's binding. The
 * generated test then checks the project's run-time behaviour (its server-definition.json and
 * its copy of the runtime) against these frozen expectations, so a mapping that drifts from the
 * spec (a renamed parameter, a dropped header, another method) fails `npm test` naming the tool.
 * The serialisation rules themselves come from the runtime's request builder (run here on the
 * binding), so a mistake in those rules is not this test's to find: test/runtime/request.test.ts
 * checks them against the OpenAPI style tables.
 *
 * Values are synthesised by json-schema-faker (a maintained library, zero dependencies) with a
 * seed derived from the tool name. Its 0.6 line is deterministic by construction: a seeded
 * Mulberry32 generator and no `Math.random` or `Date.now` anywhere in its build; we checked that
 * two processes produce the same bytes for every example spec, and golden.test.ts keeps checking
 * it, since it regenerates every example byte for byte. It is not always right (unknown formats,
 * large minimums, deep `$ref` chains), so every synthesised value is checked with the runtime's
 * own validator and request builder, other seeds and options are tried, and a tool that still
 * has no valid data is listed under `skipped` with the reason instead of being a failing test.
 *
 * Spec text (names, examples) only ever lands in this JSON file, never in code.
 */
import { createHash } from 'node:crypto';
import { generateSync } from 'json-schema-faker';
import type { GenerateOptions, Random } from 'json-schema-faker';
import type { HttpBinding, JsonSchema, ServerDefinition, StepsBinding, ToolDefinition } from '../runtime/definition.js';
import { buildRequest, isJsonMediaType } from '../runtime/upstream/request.js';
import { fetchShape } from './fetch-request.js';
import type { BuiltRequest } from '../runtime/upstream/request.js';
import { renamedKeys } from '../runtime/upstream/response.js';
import { SchemaValidator } from '../runtime/validate.js';
import { checkedArguments } from '../runtime/arguments.js';
import { mapJsonText } from '../runtime/json-text.js';
import { isPlainObject } from '../runtime/values.js';
import { mapSubschemas } from '../schema/walk.js';
import { DEFAULT_TEST_BUDGET } from '../choices.js';

export interface ContractCasesFile {
  /** Tools whose requests the spec describes: OpenAPI operations and tool-spec `http:` chains. */
  requestTools: number;
  /** At most this many of them get cases (a deterministic sample when there are more). */
  budget: number;
  cases: ContractCase[];
  /** Sampled tools without a case, and why. */
  skipped: Array<{ tool: string; reason: string }>;
  /** Valid arguments for each tool that sends no request of the spec's (the kind tests call them). */
  arguments: Record<string, Record<string, unknown>>;
}

export type ExpectedBody =
  | { json: unknown }
  | { text: string }
  | { multipart: Array<{ name: string; value: string; filename?: string; type?: string }> };

export interface ExpectedRequest {
  method: string;
  /** As on the wire: percent-encoded, relative to the base URL's origin. */
  path: string;
  /** As on the wire, without `?`; '' for none. */
  query: string;
  /**
   * Every header the server itself chooses, lower-case names and values as sent on the wire.
   * No credentials are configured in the test, so there are no auth headers. Multipart bodies
   * leave out content-type: the HTTP client adds it with a random boundary.
   */
  headers: Record<string, string>;
  body?: ExpectedBody;
}

/** One request the server must send, in order, and what the stub answers it with. */
export interface Exchange {
  /** The tool-spec source it goes to; absent: the OpenAPI base URL. */
  source?: string;
  request: ExpectedRequest;
  /** Status 200, and this JSON body unless absent (HEAD). */
  response: { json?: unknown };
}

export interface ContractCase {
  tool: string;
  /** What the case shows, for the test's name; absent for an operation's one case. */
  title?: string;
  arguments: Record<string, unknown>;
  /** The requests in the order they must arrive; none for a tool that makes no requests. */
  exchanges: Exchange[];
  /** What the tool result must carry: structured content, text, or a tool error containing `error`. */
  result: { structuredContent: Record<string, unknown> } | { text: string } | { error: string };
  /** Arguments the server must refuse before sending anything; the refusal names `mentions`. */
  invalid?: { arguments: Record<string, unknown>; mentions: string };
}

/** The stub's origin as far as the expectations go; the test's stub has a port but no path. */
export const ORIGIN = 'http://127.0.0.1';

/** Larger synthesised data is retried with optional properties left out. */
const MAX_ARGUMENT_CHARS = 16 * 1024;
const MAX_RESPONSE_CHARS = 64 * 1024;
/** Time after which no further seeds or variants are tried for one value. */
const SYNTHESIS_MS = 3_000;

/**
 * Formats json-schema-faker fills with text that ajv-formats (the runtime's validator) refuses.
 * Fixed strings are enough: they only have to be valid.
 */
const FORMATS: Record<string, (random: Random) => string> = {
  byte: (random) => Buffer.from(`contract-${random.int(0, 9999)}`).toString('base64'),
  url: (random) => `https://example.com/item/${random.int(0, 9999)}`,
  'iso-time': (random) => `${String(random.int(10, 23))}:15:30Z`,
  'iso-date-time': (random) => `2024-05-${String(random.int(10, 28))}T12:15:30Z`,
  'json-pointer-uri-fragment': () => '#/items/0',
};

const BASE_OPTIONS: GenerateOptions = {
  alwaysFakeOptionals: true,
  maxDefaultItems: 2,
  // Past this nesting only required properties are filled (the library's default with a
  // refDepthMax is refDepthMax + 20 levels, which explodes on wide API shapes).
  maxDepth: 10,
  // `$ref`s are followed three deep first (a recursive category tree stays small); past that
  // json-schema-faker fills in a value of any type, so deeper variants follow below.
  refDepthMin: 0,
  refDepthMax: 3,
  // (Not the library's `minLength` option: it overrides a schema's own larger minimum for
  // patterns and formats. boundSizes() sets the minimum per schema instead.)
  formats: FORMATS,
};

/**
 * Tried in order, each with two seeds: the spec's own examples first, then made-up values, then
 * longer `$ref` chains (measured on the bench corpus: AWS shapes nest distinct refs 4–6 deep), then
 * required fields only, which also keeps large schemas under the size limits.
 */
const VARIANTS: GenerateOptions[] = [
  { useExamplesValue: true, useDefaultValue: true },
  { useExamplesValue: false, useDefaultValue: false },
  { useExamplesValue: true, useDefaultValue: true, refDepthMax: 6 },
  { useExamplesValue: false, useDefaultValue: false, refDepthMax: 6 },
  { useExamplesValue: false, useDefaultValue: false, alwaysFakeOptionals: false, optionalsProbability: 0 },
  { useExamplesValue: false, useDefaultValue: false, alwaysFakeOptionals: false, optionalsProbability: 0, refDepthMax: 6 },
];

/**
 * json-schema-faker draws lengths and item counts anywhere up to `maxLength` / `maxItems`: an AWS
 * blob (`maxLength: 1024000`) in a batch (`maxItems: 500`) is hundreds of megabytes. A copy of the
 * schema with those bounds lowered (never below the minimums) only admits values the original
 * admits too; results are always validated against the original.
 */
const LENGTH_CAP = 32;
const ITEMS_CAP = 2;
const PROPERTIES_CAP = 4;
const bounded = new WeakMap<object, unknown>();

export function boundSizes(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  // The same schema is bounded for every option tried: once is enough (the faker only reads it).
  if (bounded.has(schema)) return bounded.get(schema);
  const out = mapSubschemas(schema as Record<string, unknown>, boundSizes);
  const cap = (max: string, min: string, limit: number) => {
    const upper = out[max];
    const lower = typeof out[min] === 'number' ? (out[min] as number) : 0;
    if (typeof upper === 'number' && upper > Math.max(lower, limit)) out[max] = Math.max(lower, limit);
  };
  // A pattern or format decides the length itself (the library repeats `*` and `+` at most 5 times).
  if (out.pattern === undefined && out.format === undefined) {
    cap('maxLength', 'minLength', LENGTH_CAP);
    // Empty strings are valid for most string schemas but make weak evidence (`?q=`), and an
    // empty path segment is refused by the runtime.
    if (out.type === 'string' && out.minLength === undefined && out.enum === undefined && out.const === undefined && out.maxLength !== 0) out.minLength = 1;
  }
  if (typeof out.pattern === 'string') out.pattern = asciiClasses(out.pattern);
  cap('maxItems', 'minItems', ITEMS_CAP);
  cap('maxProperties', 'minProperties', PROPERTIES_CAP);
  bounded.set(schema, out);
  return out;
}

/**
 * The library cannot expand Unicode property classes (`\p{L}`), common in AWS patterns; an ASCII
 * subset of each generates values the original pattern accepts.
 */
const PROPERTY_CLASSES: Record<string, string> = { L: 'a-zA-Z', Lu: 'A-Z', Ll: 'a-z', N: '0-9', Nd: '0-9', Z: ' ', Zs: ' ', P: '.,', S: '+' };

function asciiClasses(pattern: string): string {
  // Inside a class the ranges are spliced in; outside one they become a class of their own.
  let inClass = false;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const m = /^\\p\{(\w+)\}/.exec(pattern.slice(i));
      const ascii = m ? PROPERTY_CLASSES[m[1]!] : undefined;
      if (m && ascii) {
        out += inClass ? ascii : `[${ascii}]`;
        i += m[0].length - 1;
      } else {
        out += pattern.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

/** Values of every JSON type, tried in turn to make one argument invalid. */
const WRONG_VALUES: unknown[] = [{ __contract_wrong_type__: true }, 'contract-wrong-type', 0.5, true, [], null];

const UNKNOWN_ARGUMENT = '__contract_unknown_argument__';

export function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Which operations get a case: all of them up to the budget, else the `budget` whose name hashes
 * lowest. Hashing (rather than the first n) spreads the sample over the whole API and keeps it
 * stable when operations are added or removed elsewhere in the spec.
 */
export function sampleTools<T extends ToolDefinition>(tools: T[], budget: number): T[] {
  if (tools.length <= budget) return tools;
  const chosen = new Set(
    [...tools]
      .map((t) => ({ t, key: hash(t.name).toString('hex') }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, budget)
      .map((x) => x.t),
  );
  return tools.filter((t) => chosen.has(t));
}

/** What a tool spec adds for its tests: step fixtures and documented examples (lower/toolspec/samples.ts). */
export interface TestSamples {
  /** Per `http:` tool, per step id: the JSON the stub answers that step with. */
  fixtures?: Record<string, Record<string, unknown>>;
  /** Per tool: calls and the result (or error) each must give. */
  examples?: Record<string, ToolExample[]>;
}

export interface ToolExample {
  arguments: Record<string, unknown>;
  /** The tool's output value (unwrapped, as the spec's `output` describes it)... */
  result?: unknown;
  /** ...or text the tool error must contain. */
  error?: string;
}

export async function contractCases(
  def: ServerDefinition,
  budget = DEFAULT_TEST_BUDGET,
  validator = new SchemaValidator(),
  samples: TestSamples = {},
): Promise<ContractCasesFile> {
  const requestTools = def.tools.filter((t) => t.binding.kind === 'http' || t.binding.kind === 'steps');
  const cases: ContractCase[] = [];
  const skipped: ContractCasesFile['skipped'] = [];
  const chains = requestTools.some((t) => t.binding.kind === 'steps') ? await import('./chain-cases.js') : undefined;
  for (const tool of sampleTools(requestTools, budget)) {
    const made =
      tool.binding.kind === 'http'
        ? await caseFor(tool as ToolDefinition & { binding: HttpBinding }, validator)
        : await chains!.chainCases(tool as ToolDefinition & { binding: StepsBinding }, def, validator, samples.fixtures?.[tool.name] ?? {});
    if ('reason' in made) skipped.push({ tool: tool.name, reason: made.reason });
    else cases.push(...(Array.isArray(made) ? made : [made]));
  }
  const args: ContractCasesFile['arguments'] = {};
  for (const tool of def.tools) {
    cases.push(...exampleCases(tool, samples.examples?.[tool.name] ?? []));
    if (tool.binding.kind === 'http' || tool.binding.kind === 'steps') continue;
    const made = validArguments(tool, validator);
    if ('value' in made) args[tool.name] = made.value;
  }
  return { requestTools: requestTools.length, budget, cases, skipped, arguments: args };
}

/** Arguments the tool's input schema accepts, synthesised as for a case. */
export function validArguments(tool: ToolDefinition, validator: SchemaValidator): { value: Record<string, unknown> } | { reason: string } {
  const bounded = boundSizes(tool.inputSchema);
  return synthesise<Record<string, unknown>>(hash(tool.name).readUInt32BE(0) % 2 ** 31, (options) => {
    const value = generateSync(bounded as never, options);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'the input schema does not yield an object' };
    const valid = validator.validateArguments(tool.name, tool.inputSchema, value as Record<string, unknown>);
    return valid.ok ? { value: value as Record<string, unknown> } : { reason: valid.message };
  });
}

/**
 * The result a tool-spec kind's value must become, as the runtime's valueResult makes it:
 * structured content under the output schema (a bare value under the wrap key), or without one
 * the value as text. (Whether it passes the schema is the project test's to show.)
 */
export function expectedResult(tool: ToolDefinition, value: unknown): ContractCase['result'] {
  if (!tool.outputSchema) return { text: typeof value === 'string' ? value : JSON.stringify(value ?? null, null, 2) };
  return { structuredContent: (tool.wrapKey ? { [tool.wrapKey]: value } : value) as Record<string, unknown> };
}

/** The spec's documented examples of a tool: calls whose result (or error) is given, no requests. */
function exampleCases(tool: ToolDefinition, examples: ToolExample[]): ContractCase[] {
  return examples.map((example, i) => ({
    tool: tool.name,
    title: `example ${i + 1} of the spec gives its documented ${example.error === undefined ? 'result' : 'error'}`,
    arguments: example.arguments,
    exchanges: [],
    result: example.error !== undefined ? { error: example.error } : expectedResult(tool, example.result),
  }));
}

export type Made<T> = T | { reason: string };

async function caseFor(tool: ToolDefinition & { binding: HttpBinding }, validator: SchemaValidator): Promise<Made<ContractCase>> {
  const seed = hash(tool.name).readUInt32BE(0) % 2 ** 31;
  const bound = boundArguments(tool.binding);
  // A null parameter is left out of the request; a null body field is sent as null.
  const parameters = new Set(tool.binding.parameters.map((p) => p.arg));
  const inputSchema = boundSizes(tool.inputSchema);
  // What the runtime made of each set of arguments it took: the chosen set's is not made twice.
  const usable = new WeakMap<Record<string, unknown>, Usable>();
  const attempt = (options: GenerateOptions): { value: Record<string, unknown> } | { reason: string } => {
    const value = withJsonText(tool, generateSync(inputSchema as never, options), options);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'the input schema does not yield an object' };
    const record = value as Record<string, unknown>;
    const result = tried(tool, record, validator);
    if ('problem' in result) return { reason: result.problem };
    usable.set(record, result);
    return { value: record };
  };
  // Arguments that give every parameter and body field a value are preferred: an argument left
  // out (or a null parameter, which the request omits) would let a mapping mistake go unnoticed.
  // Failing that, the first usable arguments, completed one argument at a time. (One pass over the
  // options finds both: the values depend only on the options, not on what is asked of them.)
  let partial: { value: Record<string, unknown> } | undefined;
  let made = synthesise(seed, (options) => {
    const made = attempt(options);
    if ('reason' in made) return made;
    const unset = bound.find((arg) => made.value[arg] === undefined || (made.value[arg] === null && parameters.has(arg)));
    if (unset === undefined) return made;
    partial ??= made;
    return { reason: `argument "${unset}" is left without a value` };
  });
  if ('reason' in made && partial) made = { value: fillArguments(tool, partial.value, bound, seed, validator) };
  if ('reason' in made) return { reason: `no valid arguments could be synthesised (${made.reason})` };
  const args = made.value;
  // Without the argument the server sends a random Idempotency-Key, which no case can expect.
  const idempotency = tool.binding.parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
  if (idempotency && args[idempotency.arg] === undefined) return { reason: `no valid value could be synthesised for "${idempotency.arg}"` };
  const known = usable.get(args);
  const checked = known ? { ok: true as const, args: known.checked } : checkedArguments(tool, args, validator);
  if (!checked.ok) return { reason: checked.message };
  const request = known ? await onTheWire(known.built) : await expectedRequest(tool.binding, checked.args);
  if ('reason' in request) return { reason: `the request cannot be sent (${request.reason})` };

  const outcome = await served(tool, seed, validator);
  if ('reason' in outcome) return outcome;

  const invalid = invalidCall(tool, args, validator);
  return { tool: tool.name, arguments: args, exchanges: [{ request, response: outcome.response }], result: outcome.result, ...(invalid ? { invalid } : {}) };
}

/**
 * When no synthesised whole covers every parameter (a huge body that fails somewhere deep), each
 * argument still left out is synthesised on its own and kept if the whole stays valid.
 */
function fillArguments(
  tool: ToolDefinition & { binding: HttpBinding },
  args: Record<string, unknown>,
  bound: string[],
  seed: number,
  validator: SchemaValidator,
): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const defs = tool.inputSchema.$defs;
  let filled = args;
  for (const arg of bound) {
    const schema = properties[arg];
    if (filled[arg] !== undefined && filled[arg] !== null) continue;
    if (!schema || typeof schema !== 'object') continue;
    // Its `$ref`s point into the root's `$defs`, which the property alone lacks.
    const alone = defs && !('$defs' in schema) ? { ...schema, $defs: defs } : schema;
    const value = synthesise<unknown>(seed, (options) => {
      const candidate = withJsonText(tool, { ...filled, [arg]: generateSync(boundSizes(alone) as never, options) }, options) as Record<string, unknown>;
      const result = tried(tool, candidate, validator);
      return 'problem' in result ? { reason: result.problem } : { value: candidate[arg] };
    });
    if ('value' in value && value.value !== undefined && value.value !== null) filled = { ...filled, [arg]: value.value };
  }
  return filled;
}

/**
 * Why these arguments make no case, if they don't: the runtime's validator refuses them, they are
 * too large, or the request cannot be sent (the runtime's request builder refuses a value, e.g. a
 * `..` path segment, or the platform's `Request` would, e.g. a body on GET or a newline in a header).
 * Otherwise the arguments as the server takes them and the request it builds from them.
 */
function tried(tool: ToolDefinition & { binding: HttpBinding }, args: Record<string, unknown>, validator: SchemaValidator): { problem: string } | Usable {
  const valid = checkedArguments(tool, args, validator);
  if (!valid.ok) return { problem: valid.message };
  if (JSON.stringify(args).length > MAX_ARGUMENT_CHARS) return { problem: 'the synthesised arguments are too large' };
  let built: BuiltRequest;
  try {
    built = buildRequest({ binding: tool.binding, args: valid.args, baseUrl: ORIGIN });
  } catch (err) {
    return { problem: `the request cannot be sent: ${err instanceof Error ? err.message : String(err)}` };
  }
  const shape = fetchShape(built);
  return 'reason' in shape ? { problem: `the request cannot be sent: ${shape.reason}` } : { checked: valid.args, built };
}

interface Usable {
  checked: Record<string, unknown>;
  built: BuiltRequest;
}

/**
 * Synthesised arguments with every argument listed as JSON text holding what it stands for:
 * the faker would write any string there, and the server would refuse it.
 */
function withJsonText(tool: ToolDefinition, value: unknown, options: GenerateOptions): unknown {
  if (!isPlainObject(value)) return value;
  return mapJsonText(tool, value, (text, site) => (typeof text === 'string' ? JSON.stringify(generateSync(boundSizes(site.schema) as never, options)) : text));
}

/** Arguments that reach the request: parameters and body fields. */
function boundArguments(binding: HttpBinding): string[] {
  const body = binding.body;
  const fromBody = !body ? [] : body.mode === 'value' ? (body.arg === undefined ? [] : [body.arg]) : Object.keys(body.fields ?? {});
  return [...binding.parameters.map((p) => p.arg), ...fromBody];
}

/** Runs `attempt` with each variant and two seeds; the first success wins, else the last reason. */
export function synthesise<T>(seed: number, attempt: (options: GenerateOptions) => { value: T } | { reason: string }): { value: T } | { reason: string } {
  let last = { reason: 'not attempted' };
  const started = Date.now();
  for (const variant of VARIANTS) {
    // The second seed is hashed from the first: adjacent Mulberry32 seeds start with nearly the
    // same draws (seed + 1 picked `null` from `["string", "null"]` every time the first did).
    for (const s of [seed, hash(String(seed)).readUInt32BE(0) % 2 ** 31]) {
      // Generation is synchronous and cannot be interrupted; this bounds the retries after a slow one.
      if (Date.now() - started > SYNTHESIS_MS) return { reason: `${last.reason}; gave up after ${SYNTHESIS_MS} ms` };
      try {
        const made = attempt({ ...BASE_OPTIONS, ...variant, seed: s });
        if ('value' in made) return made;
        last = made;
      } catch (err) {
        last = { reason: `json-schema-faker: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
  }
  return last;
}

/**
 * The request the binding describes for `args`, as it will arrive: built by the runtime's
 * request builder (the spec's serialisation rules), then taken as the platform's `Request` takes
 * it (fetch-request.ts). It parses the URL with the same WHATWG parser as the runtime's undici
 * client and trims header values as the stub's HTTP parser does; what it refuses (a body on GET, a
 * header value with a newline) gets no case, which is conservative: undici would send a body on GET.
 */
async function expectedRequest(binding: HttpBinding, args: Record<string, unknown>): Promise<Made<ExpectedRequest>> {
  let built: BuiltRequest;
  try {
    built = buildRequest({ binding, args, baseUrl: ORIGIN });
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
  return onTheWire(built);
}

/** A built request as the stub will see it (see expectedRequest). */
export async function onTheWire(built: BuiltRequest): Promise<Made<ExpectedRequest>> {
  const shape = fetchShape(built);
  if ('reason' in shape) return shape;
  const { url, headers } = shape;
  const expected: ExpectedRequest = { method: built.method, path: url.pathname, query: url.search.replace(/^\?/, ''), headers };
  const body = built.body;
  if (typeof body === 'string' || body instanceof URLSearchParams) {
    // As UTF-8 on the wire: a lone surrogate arrives as U+FFFD.
    const text = Buffer.from(body.toString()).toString();
    expected.body = isJsonMediaType(headers['content-type'] ?? '') ? { json: JSON.parse(text) as unknown } : { text };
  } else if (body !== undefined) {
    // FormData (named only here: the global loads fetch). The boundary is the sender's choice;
    // the parts are what the spec decides.
    delete headers['content-type'];
    const parts: Array<{ name: string; value: string; filename?: string; type?: string }> = [];
    for (const [name, value] of body.entries()) {
      parts.push(typeof value === 'string' ? { name, value } : { name, value: await value.text(), filename: value.name, type: value.type });
    }
    expected.body = { multipart: parts };
  }
  return expected;
}

/** The stub's answer and the result it must turn into. */
async function served(
  tool: ToolDefinition & { binding: HttpBinding },
  seed: number,
  validator: SchemaValidator,
): Promise<Made<{ response: Exchange['response']; result: { structuredContent: Record<string, unknown> } | { text: string } }>> {
  const schema = tool.outputSchema;
  if (tool.binding.method === 'HEAD') {
    // No body can come back; without an output schema the result says which status arrived.
    if (schema) return { reason: 'a HEAD operation with an output schema has no body to check' };
    return { response: {}, result: { text: 'HTTP 200 OK' } };
  }
  if (!schema) {
    // Nothing to synthesise from: any JSON body must reach the result as its text.
    const json = { contract: tool.name };
    return { response: { json }, result: { text: JSON.stringify(json) } };
  }
  const wrapKey = tool.wrapKey;
  const bounded = boundSizes(schema);
  const made = synthesise<Record<string, unknown>>(seed, (options) => {
    const value = generateSync(bounded as never, options);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'the output schema does not yield an object' };
    if (wrapKey && !Object.hasOwn(value, wrapKey)) return { reason: `the output has no "${wrapKey}"` };
    const valid = validator.validateOutput(schema, value);
    if (!valid.ok) return { reason: valid.message };
    if (JSON.stringify(value).length > MAX_RESPONSE_CHARS) return { reason: 'the synthesised response is too large' };
    return { value: value as Record<string, unknown> };
  });
  if ('reason' in made) return { reason: `no valid response could be synthesised (${made.reason})` };
  // A wrapped result is `{ [wrapKey]: body }`: the upstream sends the bare value.
  // Fields listed under another name (resultKeys) have their own names on the wire.
  const wire = tool.resultKeys && Object.fromEntries(Object.entries(tool.resultKeys).map(([upstream, listed]) => [listed, upstream]));
  const json = wrapKey ? made.value[wrapKey] : renamedKeys(made.value, wire);
  return { response: { json }, result: { structuredContent: made.value } };
}

/**
 * One call the server must refuse before any request: a required argument left out, else an
 * argument of the wrong type, else an unknown argument; the first that the runtime's validator
 * refuses with a message naming the argument.
 */
export function invalidCall(tool: ToolDefinition, args: Record<string, unknown>, validator: SchemaValidator): ContractCase['invalid'] {
  const schema = tool.inputSchema;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const properties = Object.keys((schema.properties ?? {}) as Record<string, JsonSchema>);
  const candidates: Array<{ arguments: Record<string, unknown>; mentions: string }> = [];
  for (const name of required) {
    const rest = { ...args };
    delete rest[name];
    candidates.push({ arguments: rest, mentions: name });
  }
  for (const name of properties) {
    for (const wrong of WRONG_VALUES) candidates.push({ arguments: { ...args, [name]: wrong }, mentions: name });
  }
  candidates.push({ arguments: { ...args, [UNKNOWN_ARGUMENT]: true }, mentions: UNKNOWN_ARGUMENT });
  return candidates.find((c) => {
    const outcome = checkedArguments(tool, c.arguments, validator);
    return !outcome.ok && outcome.message.includes(c.mentions);
  });
}
