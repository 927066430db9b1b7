/**
 * Free-form objects listed as JSON text, so OpenAI's strict mode can take the tool.
 *
 * Strict mode needs every object closed (`additionalProperties: false`, every property listed),
 * so an object whose keys the API leaves open (a map, `{type: object}` with nothing declared, a
 * stand-in where `$ref` inlining stopped) makes the whole tool non-strict, and the model's
 * arguments lose their guarantee. OpenAI's own advice for such data is a string holding JSON.
 * Here each such argument, at a place a value path can name (object properties and array items
 * from the root, not inside `anyOf` and the like), is listed as a string, and the definition
 * keeps where it is and the schema its parsed value must meet (`jsonTextArguments`). The server
 * parses it and checks that schema before anything else sees the arguments
 * (src/runtime/arguments.ts), so the upstream receives the same object as before.
 *
 * Only OpenAPI operations get this: a tool spec's author chooses the shape of its arguments, and
 * its handlers and examples are written against that shape.
 */
import type { JsonSchema, JsonTextArgument } from '../runtime/definition.js';
import { isStandIn } from './inline-refs.js';
import { setOwn } from '../schema/set-own.js';
import { isObject, someSubschema } from '../schema/walk.js';

type Schema = Record<string, unknown>;

export interface Encoded {
  schema: JsonSchema;
  /** Where the input now holds JSON text, and what it must parse to; empty when nothing changed. */
  sites: JsonTextArgument[];
}

/** The input schema with free-form objects below the root listed as JSON text. */
export function jsonTextArguments(schema: JsonSchema): Encoded {
  const sites: JsonTextArgument[] = [];
  const encoded = below(schema, [], sites) as JsonSchema;
  return { schema: sites.length ? encoded : schema, sites };
}

/** The types a schema admits besides `object`, when it admits objects: undefined when it does not. */
function otherTypes(node: Schema): string[] | undefined {
  if (node.type === 'object') return [];
  if (Array.isArray(node.type) && node.type.includes('object')) return (node.type as string[]).filter((t) => t !== 'object');
  return undefined;
}

/** An object strict mode cannot close: keys left open, or a stand-in whose shape was not expanded. */
export function isFreeForm(node: Schema): boolean {
  const others = otherTypes(node);
  if (others === undefined) return false;
  // A string alternative would be read as JSON text; other kinds of value leave the choice unclear.
  if (others.some((t) => t !== 'null')) return false;
  if (['anyOf', 'oneOf', 'allOf', 'enum', 'const', '$ref', 'not', 'if'].some((key) => node[key] !== undefined)) return false;
  if (isStandIn(node)) return true;
  if (node.additionalProperties === false) return false;
  const declared = isObject(node.properties) && Object.keys(node.properties).length > 0;
  return !declared || node.additionalProperties !== undefined;
}

function below(node: Schema, at: Array<string | null>, sites: JsonTextArgument[]): Schema {
  let out = node;
  const change = (key: string, value: unknown) => {
    if (out === node) out = { ...node };
    setOwn(out, key, value);
  };
  if (isObject(node.properties) && otherTypes(node) !== undefined) {
    let properties: Schema | undefined;
    for (const [name, sub] of Object.entries(node.properties)) {
      if (!isObject(sub)) continue;
      const listed = isFreeForm(sub) ? asText(sub, [...at, name], sites) : below(sub, [...at, name], sites);
      if (listed === sub) continue;
      properties ??= { ...node.properties };
      setOwn<unknown>(properties, name, listed);
    }
    if (properties) change('properties', properties);
  }
  if (isObject(node.items) && (node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array')))) {
    const items = node.items;
    const listed = isFreeForm(items) ? asText(items, [...at, null], sites) : below(items, [...at, null], sites);
    if (listed !== items) change('items', listed);
  }
  return out;
}

/** The string that stands for a free-form object, saying what it must hold; `at` is recorded. */
function asText(node: Schema, at: Array<string | null>, sites: JsonTextArgument[]): Schema {
  // Its parsed value is checked on its own, so it must not point into the root's `$defs`.
  if (someSubschema(node, (n) => n.$ref !== undefined)) return node;
  sites.push({ at, schema: node as JsonSchema });
  const nullable = Array.isArray(node.type) && node.type.includes('null');
  const text: Schema = { type: nullable ? ['string', 'null'] : 'string' };
  if (typeof node.title === 'string') text.title = node.title;
  const what = typeof node.description === 'string' && node.description.trim() ? `${node.description.trim().replace(/\.?$/, '.')} ` : '';
  text.description = `${what}A JSON object, written as text${valuesNote(node)} (e.g. "{}").`;
  if (node.deprecated === true) text.deprecated = true;
  if (isObject(node.default)) text.default = JSON.stringify(node.default);
  if (Array.isArray(node.examples) && node.examples.every(isObject)) text.examples = node.examples.map((e) => JSON.stringify(e));
  return text;
}

/** What the map's values are, when the schema says: enough for the model to write them. */
function valuesNote(node: Schema): string {
  const values = node.additionalProperties;
  const declared = isObject(node.properties) ? Object.keys(node.properties) : [];
  const parts: string[] = [];
  if (declared.length) parts.push(`with ${declared.length === 1 ? 'property' : 'properties'} ${declared.slice(0, 8).map((n) => JSON.stringify(n)).join(', ')}${declared.length > 8 ? ', …' : ''}`);
  if (isObject(values) && values.type !== undefined) parts.push(`${declared.length ? 'other ' : ''}values of type ${Array.isArray(values.type) ? values.type.join(' or ') : String(values.type)}`);
  return parts.length ? `, ${parts.join('; ')}` : '';
}
