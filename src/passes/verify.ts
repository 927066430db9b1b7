/**
 * The last check before emitting: what clients do with our tools/list, done here first. Every
 * input and output schema must be valid JSON Schema 2020-12 and draft-07 (several clients still
 * use draft-07) and compile with ajv 2020-12 with unknown keywords refused and formats known, as
 * the SDK client compiles them; each tools/list entry must pass ListToolsResultSchema as both SDK
 * lines apply it, 1.x (deployed clients) and 2.x (precompiled from the SDKs' own schemas into
 * meta-validators.ts, so no SDK is loaded here).
 * A tool that fails is left out with a warning naming it and why, so one bad operation never
 * makes a client reject the whole server.
 *
 * Compiling is the expensive part (~1 ms a schema: 1.5 s of GitHub's 1,662 schemas, against
 * 0.1 s for meta-schema validation), so generation compiles when an API has at most
 * FULL_CHECK_SCHEMAS schemas, and not a schema that cannot fail to compile (ALWAYS_COMPILES);
 * `mcp-gen lint` compiles every one.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SchemaValidator } from '../runtime/validate.js';
import type { Diagnostic } from '../diagnostics.js';
import { validate2020, validateDraft07, validateToolsList } from './meta-validators.js';
import { listedTool } from '../runtime/listing.js';
import { forEachSubschema } from '../schema/walk.js';
import type { JsonSchema, ServerDefinition, ToolDefinition } from '../runtime/definition.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => unknown;

export const FULL_CHECK_SCHEMAS = 500;

interface Checkers {
  strict2020: Ajv2020;
  compile: boolean;
  /** Compile even what cannot fail to (lint: every finding, and a check of ALWAYS_COMPILES itself). */
  full: boolean;
}

/**
 * Keywords strict ajv has nothing against once the meta-schemas accepted their values: nothing to
 * look up (a format, a pattern, a `$ref` or `$id`) and none of the pairings strict mode refuses
 * (`if` without `then`, `minContains` without `contains`, a property a `patternProperties`
 * pattern matches, `nullable` without `type`…). Compiling a schema made of these alone (with a
 * non-empty `enum`) cannot fail, so generation does not: most output schemas are such, and an
 * API's tools beyond the contract cases' sample are then not compiled at all.
 * test/unit/verify.test.ts compiles random schemas of these keywords.
 */
export const ALWAYS_COMPILES: ReadonlySet<string> = new Set([
  'type', 'properties', 'required', 'items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not',
  'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
  'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment',
]);

/**
 * Size bounds for that: ajv nests a block per property or branch in the code it generates, and V8
 * runs out of stack parsing it at ~2,100 properties in one object, ~4,000 `allOf` branches or
 * ~440 nested `items` (a reviewer's measurements). A schema past these far lower bounds is
 * compiled whatever its keywords.
 */
const PLAIN_MAX_NODES = 500;
const PLAIN_MAX_DEPTH = 64;

/** Whether every keyword of every subschema is one of ALWAYS_COMPILES (an `enum` with members), within the size bounds. */
export function alwaysCompiles(schema: JsonSchema): boolean {
  let plain = true;
  let nodes = 0;
  forEachSubschema(schema, (node, at) => {
    if (++nodes > PLAIN_MAX_NODES || at.length > PLAIN_MAX_DEPTH) plain = false;
    for (const key in node) {
      if (!ALWAYS_COMPILES.has(key) || (key === 'enum' && !(Array.isArray(node.enum) && node.enum.length > 0))) plain = false;
    }
    return plain;
  });
  return plain;
}

function checkers(compile: boolean, full: boolean): Checkers {
  // strictSchema only: unknown keywords are what clients trip on; strictRequired and strictTypes
  // would refuse valid schemas (a `required` naming a property defined in a parent). No
  // validateSchema, and so no meta-schemas to add (~3 ms): every schema has passed the
  // precompiled meta-schema validators first, and none can `$ref` one (the loader resolves or
  // refuses every non-local `$ref`).
  const strict2020 = new Ajv2020({
    strict: false,
    strictSchema: true,
    allowUnionTypes: true,
    validateFormats: true,
    validateSchema: false,
    meta: false,
    code: { optimize: false },
    inlineRefs: false,
    // What it refuses becomes a warning naming the tool; ajv would also print the generated code.
    logger: false,
  });
  addFormats(strict2020);
  return { strict2020, compile, full };
}

const DIALECTS: ReadonlyArray<readonly [string, ValidateFunction]> = [
  ['JSON Schema 2020-12', validate2020],
  ['draft-07', validateDraft07],
];

/** Where a tool came from in its spec, for a warning's or a repair's location. */
export function pointerOf(tool: ToolDefinition): (string | number)[] {
  return tool.binding.kind === 'http' ? ['paths', tool.binding.path, tool.binding.method.toLowerCase()] : ['tools', tool.name];
}

/** What is wrong with one schema, if anything; `role` names it in the message. */
function schemaProblem(schema: JsonSchema, ajv: Checkers): ((role: string) => string) | undefined {
  for (const [dialect, meta] of DIALECTS) {
    if (!meta(schema)) {
      const errors = ajv.strict2020.errorsText(meta.errors);
      return (role) => `its ${role} schema is not valid ${dialect}: ${errors}`;
    }
  }
  if (ajv.compile && (ajv.full || !alwaysCompiles(schema))) {
    try {
      ajv.strict2020.compile(schema);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return (role) => `its ${role} schema does not compile as JSON Schema 2020-12: ${message}`;
    }
  }
  return undefined;
}

function firstProblem(tool: ToolDefinition, ajv: Checkers, judged: Map<JsonSchema, ((role: string) => string) | undefined>): string | undefined {
  for (const [role, schema] of [['input', tool.inputSchema], ['output', tool.outputSchema]] as const) {
    if (!schema) continue;
    if (!judged.has(schema)) judged.set(schema, schemaProblem(schema, ajv));
    const problem = judged.get(schema);
    if (problem) return problem(role);
  }
  return undefined;
}

/**
 * The definition with one object for each distinct schema text. A quarter of a typical API's
 * input and output schemas repeat another's (the same error body, the same `{ id }`); sharing the
 * object lets ajv compile it once here and the contract cases validate with that compilation.
 */
function shareIdenticalSchemas(definition: ServerDefinition): ServerDefinition {
  const byText = new Map<string, JsonSchema>();
  const shared = (schema: JsonSchema): JsonSchema => {
    const text = JSON.stringify(schema);
    // Separate copies of a schema with an `$id` clash in one ajv (the second is refused); kept apart, they still do.
    if (text.includes('"$id"')) return schema;
    const first = byText.get(text);
    if (first) return first;
    byText.set(text, schema);
    return schema;
  };
  let changed = false;
  const tools = definition.tools.map((tool) => {
    const inputSchema = shared(tool.inputSchema);
    const outputSchema = tool.outputSchema && shared(tool.outputSchema);
    if (inputSchema === tool.inputSchema && outputSchema === tool.outputSchema) return tool;
    changed = true;
    return { ...tool, inputSchema, ...(outputSchema ? { outputSchema } : {}) };
  });
  return changed ? { ...definition, tools } : definition;
}

function listingProblem(tool: ToolDefinition): string | undefined {
  if (validateToolsList({ tools: [listedTool(tool)] })) return undefined;
  const error = validateToolsList.errors?.[0];
  return `the MCP SDK rejects its tools/list entry: ${error ? `${error.instancePath.replace(/^\/tools\/0/, '') || '/'} ${error.message}` : 'invalid'}`;
}

export interface Verified {
  definition: ServerDefinition;
  warnings: Diagnostic[];
  /** Validates with the schemas compiled here, for whatever checks data against them next. */
  validator: SchemaValidator;
}

/** `full`: compile every schema whatever the API's size (lint); otherwise only up to FULL_CHECK_SCHEMAS. */
export function verifyTools(given: ServerDefinition, options: { full?: boolean } = {}): Verified {
  const definition = shareIdenticalSchemas(given);
  const schemas = definition.tools.reduce((n, t) => n + 1 + (t.outputSchema ? 1 : 0), 0);
  const ajv = checkers(options.full === true || schemas <= FULL_CHECK_SCHEMAS, options.full === true);
  // One parse of the whole listing; entries are parsed one by one only to find a culprit.
  const listingOk = validateToolsList({ tools: definition.tools.map(listedTool) });
  const warnings: Diagnostic[] = [];
  const judged = new Map<JsonSchema, ((role: string) => string) | undefined>();
  const tools = definition.tools.filter((tool) => {
    const problem = firstProblem(tool, ajv, judged) ?? (listingOk ? undefined : listingProblem(tool));
    if (problem) warnings.push({ message: `tool ${tool.name} is left out: ${problem}`, pointer: pointerOf(tool), fix: 'correct the schema in the spec (mcp-gen lint shows every finding)' });
    return !problem;
  });
  return {
    definition: tools.length === definition.tools.length ? definition : { ...definition, tools },
    warnings,
    validator: new SchemaValidator(ajv.strict2020),
  };
}
