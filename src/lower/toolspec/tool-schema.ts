/**
 * Input and output schemas written in a tool spec: the `params` shorthand, and the checks that
 * keep every schema inside the subset all major clients accept (see docs/toolspec.md).
 */
import { setOwn } from '../../schema/set-own.js';
import { UNSAFE_PROPERTY_NAMES } from '../naming.js';
import { forEachSubschema, type Pointer } from '../../schema/walk.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from '../../diagnostics.js';
import type { JsonSchema } from '../../runtime/definition.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Keywords some clients reject or ignore; a tool spec is written by hand, so we ask for simpler forms. */
const REJECTED = ['if', 'then', 'else', 'not', 'patternProperties', 'unevaluatedProperties', 'unevaluatedItems', 'prefixItems', 'contains', 'dependentSchemas', '$dynamicRef'];

/** `params: { x: {…, optional: true} }` → an object schema; required = neither optional nor defaulted. */
export function paramsToSchema(params: Record<string, Record<string, unknown>>): JsonSchema {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, param] of Object.entries(params)) {
    const { optional, ...schema } = param;
    setOwn(properties, name, schema);
    if (optional !== true && schema.default === undefined) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

let ajv: Ajv2020 | undefined;
function compiler(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ strict: true, allErrors: false, allowUnionTypes: true, validateFormats: true });
    addFormats(ajv);
  }
  return ajv;
}

/** Every problem of one schema, each with a pointer into the spec. */
export function checkSchema(schema: JsonSchema, at: Pointer, role: 'input' | 'output'): Diagnostic[] {
  const problems: Diagnostic[] = [];
  forEachSubschema(schema, (node, where) => checkNode(node, where, problems), at);
  for (const name of Object.keys((schema.properties ?? {}) as object)) {
    if (UNSAFE_PROPERTY_NAMES.has(name)) {
      const fix = role === 'input' ? 'rename the argument' : 'rename the field (an http tool can map the answer with result: {…})';
      problems.push({ message: `${role === 'input' ? 'argument' : 'result field'} name "${name}" breaks MCP clients' validators (SDK 1.x with zod 3 refuses the whole tools/list)`, pointer: [...at, 'properties', name], fix });
    }
  }
  if (role === 'input' && schema.type !== 'object') {
    problems.push({ message: `the input schema must have type: object at the root, got ${JSON.stringify(schema.type)}`, pointer: at, fix: 'use params: (a mapping of argument names), or input: { type: object, properties: … }' });
  }
  if (problems.length > 0) return problems;
  try {
    compiler().compile(schema);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // `{ description: a, b }` in YAML flow style makes `b` a key: say so, it is easy to miss.
    const split = / keyword: "[^"]*[\s,.][^"]*"/.test(message);
    problems.push({ message: `invalid JSON Schema: ${message}`, pointer: at, ...(split ? { fix: 'a comma inside { … } ends the value: quote text that contains commas' } : {}) });
  }
  return problems;
}

/** The problems of one schema object; the walker visits every subschema below it. */
function checkNode(schema: Record<string, unknown>, at: Pointer, problems: Diagnostic[]): void {
  for (const keyword of REJECTED) {
    if (keyword in schema) {
      problems.push({ message: `"${keyword}" is not supported in tool schemas (several MCP clients reject it)`, pointer: [...at, keyword], fix: 'describe the constraint in the description, or split the tool' });
    }
  }
  if (typeof schema.$ref === 'string' && !schema.$ref.startsWith('#')) {
    problems.push({ message: `$ref ${JSON.stringify(schema.$ref)} points outside this file`, pointer: [...at, '$ref'], fix: 'write the schema inline; tool specs never fetch remote schemas' });
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('array') && schema.items === undefined) {
    problems.push({ message: 'an array schema needs "items" (OpenAI and others reject arrays without it)', pointer: at, fix: 'add items: { type: string } (or the element type)' });
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) {
      if (typeof name === 'string' && !Object.hasOwn(properties, name)) {
        problems.push({ message: `required names "${name}", which is not a property`, pointer: [...at, 'required'], fix: `add ${name} under properties, or remove it from required` });
      }
    }
  }
  if (Array.isArray(schema.enum) && new Set(schema.enum.map((v) => JSON.stringify(v))).size !== schema.enum.length) {
    problems.push({ message: 'enum lists a value twice', pointer: [...at, 'enum'], fix: 'remove the duplicate' });
  }
  if (typeof schema.pattern === 'string') {
    try {
      new RegExp(schema.pattern, 'u');
    } catch {
      problems.push({ message: `pattern ${JSON.stringify(schema.pattern)} is not a valid regular expression`, pointer: [...at, 'pattern'], fix: 'write an ECMAScript regex (the u flag applies)' });
    }
  }
  if ('default' in schema && problems.length === 0) checkDefault(schema, at, problems);
}

/** A default the schema itself refuses would be sent by clients that fill defaults in. */
function checkDefault(schema: Record<string, unknown>, at: Pointer, problems: Diagnostic[]): void {
  const { default: value, ...rest } = schema;
  try {
    const validate = compiler().compile(rest);
    if (!validate(value)) {
      problems.push({ message: `default ${JSON.stringify(value)} does not match its own schema: ${validate.errors?.[0]?.message ?? 'invalid'}`, pointer: [...at, 'default'] });
    }
  } catch {
    // The schema itself is broken; checkSchema reports that once for the whole tool.
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
