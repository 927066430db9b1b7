import type { JsonTextArgument, ToolDefinition } from './definition.js';
import { describeError } from './validate.js';
import { mapJsonText } from './json-text.js';
import { isPlainObject } from './values.js';
import type { SchemaValidator, ValidationOutcome } from './validate.js';

/**
 * Tool specs promise that a declared `default` is what the tool sees for an argument left out
 * (clients rarely fill defaults in); top-level arguments only, as declared.
 */
export function withDefaults(tool: ToolDefinition, args: Record<string, unknown>): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { default?: unknown }>;
  const filled = { ...args };
  for (const [name, schema] of Object.entries(properties)) {
    if (filled[name] === undefined && schema && typeof schema === 'object' && 'default' in schema) filled[name] = structuredClone(schema.default);
  }
  return filled;
}

export type CheckedArguments = { ok: true; args: Record<string, unknown> } | Extract<ValidationOutcome, { ok: false }>;

/**
 * The arguments as the rest of the call sees them: valid under the listed input schema, then
 * every argument listed as JSON text (a free-form object, src/passes/json-text-arguments.ts)
 * parsed and checked against the schema of the object it stands for. Nothing is changed in place.
 */
export function checkedArguments(tool: ToolDefinition, args: Record<string, unknown>, validator: SchemaValidator): CheckedArguments {
  // Models often send the object itself where its text is listed: taken as if written as text.
  const sent = mapJsonText(tool, args, (value) => (isPlainObject(value) ? JSON.stringify(value) : value));
  const valid = validator.validateArguments(tool.name, tool.inputSchema, sent);
  if (!valid.ok) return valid;
  try {
    return { ok: true, args: mapJsonText(tool, sent, (value, site, where) => (typeof value === 'string' ? parsed(value, site, where, validator) : value)) };
  } catch (err) {
    if (!(err instanceof TextArgumentError)) throw err;
    return { ok: false, message: `Invalid arguments for tool "${tool.name}": ${err.message}` };
  }
}

class TextArgumentError extends Error {}

function parsed(text: string, site: JsonTextArgument, where: string, validator: SchemaValidator): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TextArgumentError(`${where} must be a JSON object written as text (${err instanceof Error ? err.message : String(err)})`);
  }
  const result = validator.validate(site.schema, value);
  if (result.ok) return value;
  if ('compileError' in result) throw new TextArgumentError(`${where} cannot be checked: its schema is invalid (${result.compileError})`);
  const first = result.errors[0];
  throw new TextArgumentError(`${describeError(first && { ...first, instancePath: `${where}${first.instancePath}` }, 'property')} (${where} is JSON text)`);
}
