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
import type { HttpBinding, JsonSchema, ServerDefinition, ToolDefinition } from '../runtime/definition.js';
import { buildRequest, isJsonMediaType } from '../runtime/request.js';
import { SchemaValidator } from '../runtime/validate.js';

/** Tools with a contract case when `--test-budget` is not given. */
export const DEFAULT_TEST_BUDGET = 50;

export interface ContractCasesFile {
  /** Operations (tools with an `http` binding) in the definition. */
  httpTools: number;
  /** At most this many operations get a case (a deterministic sample when there are more). */
  budget: number;
  cases: ContractCase[];
  /** Sampled operations without a case, and why. */
  skipped: Array<{ tool: string; reason: string }>;
}

export type ExpectedBody =
  | { json: unknown }
  | { text: string }
  | { multipart: Array<{ name: string; value: string; filename?: string; type?: string }> };

export interface ContractCase {
  tool: string;
  arguments: Record<string, unknown>;
  request: {
    method: string;
    /** As on the wire: percent-encoded, relative to the base URL's origin. */
    path: string;
    /** As on the wire, without `?`; '' for none. */
    query: string;
    /**
     * Every header the server itself chooses, lower-case names and values as fetch sends them.
     * No credentials are configured in the test, so there are no auth headers. Multipart bodies
     * leave out content-type: fetch adds it with a random boundary.
     */
    headers: Record<string, string>;
    body?: ExpectedBody;
  };
  /** What the stub answers: status 200, and this JSON body unless absent (HEAD). */
  response: { json?: unknown };
  /** What the tool result must carry. */
  result: { structuredContent: Record<string, unknown> } | { text: string };
  /** Arguments the server must refuse before sending anything; the refusal names `mentions`. */
  invalid?: { arguments: Record<string, unknown>; mentions: string };
}

/** The stub's origin as far as the expectations go; the test's stub has a port but no path. */
const ORIGIN = 'http://127.0.0.1';

/** Larger synthesised data is retried with optional properties left out. */
const MAX_ARGUMENT_CHARS = 16 * 1024;
const MAX_RESPONSE_CHARS = 64 * 1024;

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
  // Recursive schemas (a category tree) stop after three levels; deeper chains of distinct
  // `$ref`s are resolved fully, which needs refDepthMin 0 (the default depth bounds cut them).
  refDepthMin: 0,
  refDepthMax: 3,
  // Empty strings are valid for most string schemas but make weak evidence (`?q=`), and an empty
  // path segment is refused by the runtime.
  minLength: 1,
  formats: FORMATS,
};

/** Tried in order, each with two seeds: the spec's own examples first, then made-up values, then required fields only. */
const VARIANTS: GenerateOptions[] = [
  { useExamplesValue: true, useDefaultValue: true },
  { useExamplesValue: false, useDefaultValue: false },
  { useExamplesValue: false, useDefaultValue: false, alwaysFakeOptionals: false, optionalsProbability: 0 },
];

/** Values of every JSON type, tried in turn to make one argument invalid. */
const WRONG_VALUES: unknown[] = [{ __contract_wrong_type__: true }, 'contract-wrong-type', 0.5, true, [], null];

const UNKNOWN_ARGUMENT = '__contract_unknown_argument__';

function hash(text: string): Buffer {
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

export async function contractCases(def: ServerDefinition, budget = DEFAULT_TEST_BUDGET): Promise<ContractCasesFile> {
  const httpTools = def.tools.filter((t): t is ToolDefinition & { binding: HttpBinding } => t.binding.kind === 'http');
  const validator = new SchemaValidator();
  const cases: ContractCase[] = [];
  const skipped: ContractCasesFile['skipped'] = [];
  for (const tool of sampleTools(httpTools, budget)) {
    const made = await caseFor(tool, validator);
    if ('reason' in made) skipped.push({ tool: tool.name, reason: made.reason });
    else cases.push(made);
  }
  return { httpTools: httpTools.length, budget, cases, skipped };
}

type Made<T> = T | { reason: string };

async function caseFor(tool: ToolDefinition & { binding: HttpBinding }, validator: SchemaValidator): Promise<Made<ContractCase>> {
  const seed = hash(tool.name).readUInt32BE(0) % 2 ** 31;
  const bound = boundArguments(tool.binding);
  const attempt = (complete: boolean) => (options: GenerateOptions): { value: Record<string, unknown> } | { reason: string } => {
    const value = generateSync(tool.inputSchema as never, options);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'the input schema does not yield an object' };
    const valid = validator.validateArguments(tool.name, tool.inputSchema, value);
    if (!valid.ok) return { reason: valid.message };
    if (JSON.stringify(value).length > MAX_ARGUMENT_CHARS) return { reason: 'the synthesised arguments are too large' };
    const record = value as Record<string, unknown>;
    const unset = bound.find((arg) => record[arg] === undefined || record[arg] === null);
    if (complete && unset !== undefined) return { reason: `argument "${unset}" is left without a value` };
    return { value: record };
  };
  // Arguments that give every parameter and body field a value are preferred: an argument left
  // out (or null, which the request omits) would let a mapping mistake for it go unnoticed.
  let made = synthesise(seed, attempt(true));
  if ('reason' in made) made = synthesise(seed, attempt(false));
  if ('reason' in made) return { reason: `no valid arguments could be synthesised (${made.reason})` };
  const args = made.value;
  const request = await expectedRequest(tool.binding, args);
  if ('reason' in request) return { reason: `the request cannot be sent (${request.reason})` };

  const outcome = await served(tool, seed, validator);
  if ('reason' in outcome) return outcome;

  const invalid = invalidCall(tool, args, validator);
  return { tool: tool.name, arguments: args, request, ...outcome, ...(invalid ? { invalid } : {}) };
}

/** Arguments that reach the request: parameters and body fields. */
function boundArguments(binding: HttpBinding): string[] {
  const body = binding.body;
  const fromBody = !body ? [] : body.mode === 'value' ? (body.arg === undefined ? [] : [body.arg]) : Object.keys(body.fields ?? {});
  return [...binding.parameters.map((p) => p.arg), ...fromBody];
}

/** Runs `attempt` with each variant and two seeds; the first success wins, else the last reason. */
function synthesise<T>(seed: number, attempt: (options: GenerateOptions) => { value: T } | { reason: string }): { value: T } | { reason: string } {
  let last = { reason: 'not attempted' };
  for (const variant of VARIANTS) {
    for (const s of [seed, seed + 1]) {
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
 * request builder (the spec's serialisation rules), then passed through the platform's own
 * `Request`, which normalises the URL and header values exactly as fetch does on the wire and
 * refuses what fetch would refuse (a body on GET, a header value with a newline).
 */
async function expectedRequest(binding: HttpBinding, args: Record<string, unknown>): Promise<Made<ContractCase['request']>> {
  let request: Request;
  let body: RequestInit['body'];
  try {
    const built = buildRequest({ binding, args, baseUrl: ORIGIN });
    body = built.body;
    request = new Request(built.url, { method: built.method, headers: built.headers, ...(body === undefined ? {} : { body }) });
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of [...request.headers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) headers[name] = value;
  const expected: ContractCase['request'] = { method: request.method, path: url.pathname, query: url.search.replace(/^\?/, ''), headers };
  if (body instanceof FormData) {
    delete headers['content-type'];
    const parts: Array<{ name: string; value: string; filename?: string; type?: string }> = [];
    for (const [name, value] of body.entries()) {
      parts.push(typeof value === 'string' ? { name, value } : { name, value: await value.text(), filename: value.name, type: value.type });
    }
    expected.body = { multipart: parts };
  } else if (body !== undefined) {
    const text = await request.text();
    expected.body = isJsonMediaType(headers['content-type'] ?? '') ? { json: JSON.parse(text) as unknown } : { text };
  }
  return expected;
}

/** The stub's answer and the result it must turn into. */
async function served(
  tool: ToolDefinition & { binding: HttpBinding },
  seed: number,
  validator: SchemaValidator,
): Promise<Made<Pick<ContractCase, 'response' | 'result'>>> {
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
  const made = synthesise<Record<string, unknown>>(seed, (options) => {
    const value = generateSync(schema as never, options);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'the output schema does not yield an object' };
    if (wrapKey && !Object.hasOwn(value, wrapKey)) return { reason: `the output has no "${wrapKey}"` };
    const valid = validator.validateOutput(schema, value);
    if (!valid.ok) return { reason: valid.message };
    if (JSON.stringify(value).length > MAX_RESPONSE_CHARS) return { reason: 'the synthesised response is too large' };
    return { value: value as Record<string, unknown> };
  });
  if ('reason' in made) return { reason: `no valid response could be synthesised (${made.reason})` };
  // A wrapped result is `{ [wrapKey]: body }`: the upstream sends the bare value.
  const json = wrapKey ? made.value[wrapKey] : made.value;
  return { response: { json }, result: { structuredContent: made.value } };
}

/**
 * One call the server must refuse before any request: a required argument left out, else an
 * argument of the wrong type, else an unknown argument; the first that the runtime's validator
 * refuses with a message naming the argument.
 */
function invalidCall(tool: ToolDefinition, args: Record<string, unknown>, validator: SchemaValidator): ContractCase['invalid'] {
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
    const outcome = validator.validateArguments(tool.name, schema, c.arguments);
    return !outcome.ok && outcome.message.includes(c.mentions);
  });
}
