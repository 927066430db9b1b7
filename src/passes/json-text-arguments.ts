/**
 * Free-form objects listed as JSON text, so OpenAI's strict mode can take the tool.
 *
 * Strict mode needs every object closed (`additionalProperties: false`, every property listed),
 * so an object whose keys the API leaves open (a map, `{type: object}` with nothing declared, a
 * stand-in where `$ref` inlining stopped) makes the whole tool non-strict, and the model's
 * arguments lose their guarantee. OpenAI's own advice for such data is a string holding JSON.
 * Each such object the server can find again in the arguments is listed as a string, and the
 * definition keeps where it is in the schema and the schema its parsed value must meet
 * (`jsonTextArguments`). The server parses it and checks that schema before anything else sees
 * the arguments (src/runtime/json-text.ts), so the upstream receives the same object as before.
 *
 * "Can find again": the server follows object properties, array items and local `$ref`s from
 * the root, nothing else, so objects inside `anyOf` branches (and `$defs` also referenced from
 * such places) stay as they are. The client profiles (clients.ts) apply this only where it makes
 * a tool strict, and only to OpenAPI operations: a tool spec's author chooses the shape of its
 * arguments, and its handlers and examples are written against that shape.
 */
import type { JsonSchema, JsonTextArgument } from '../runtime/definition.js';
import { definitionName, localDefinition, pointerStep } from '../runtime/local-ref.js';
import { ANNOTATIONS, isStandIn } from './inline-refs.js';
import { keysLeftOpen } from './strict-schema.js';
import { setOwn } from '../schema/set-own.js';
import { eachChild, forEachSubschema, isObject, someSubschema } from '../schema/walk.js';

type Schema = Record<string, unknown>;

export interface Encoded {
  schema: JsonSchema;
  /** Where the input now holds JSON text, and what it must parse to; empty when nothing changed. */
  sites: JsonTextArgument[];
}

/** The input schema with free-form objects below the root listed as JSON text. */
export function jsonTextArguments(schema: JsonSchema): Encoded {
  const sites: JsonTextArgument[] = [];
  const defs = isObject(schema.$defs) ? schema.$defs : undefined;
  const followed = followedDefinitions(schema, defs ?? {});
  // A reference into the middle of a schema (`#/$defs/X/properties/y`, `#`) could reach a text
  // the server does not look for: such a schema is left as it is.
  if (!followed) return { schema, sites };
  const ctx: Context = { sites, defs: defs ?? {} };
  let encoded = below(schema, '', ctx);
  if (defs) {
    let next: Schema | undefined;
    for (const [name, def] of Object.entries(defs)) {
      if (!followed.has(name) || !isObject(def)) continue;
      const at = `/$defs${pointerStep(name)}`;
      const listed = isFreeForm(def) ? asText(def, at, ctx) : below(def, at, ctx);
      if (listed === def) continue;
      next ??= { ...defs };
      setOwn<unknown>(next, name, listed);
    }
    if (next) encoded = { ...encoded, $defs: next };
  }
  return { schema: sites.length ? (encoded as JsonSchema) : schema, sites };
}

/** The types a schema admits besides `object`, when it admits objects: undefined when it does not. */
function otherTypes(node: Schema): string[] | undefined {
  if (node.type === 'object') return [];
  if (Array.isArray(node.type) && node.type.includes('object')) return (node.type as string[]).filter((t) => t !== 'object');
  return undefined;
}

/** An object strict mode cannot close: keys left open, or a stand-in whose shape was not expanded. */
function isFreeForm(node: Schema): boolean {
  const others = otherTypes(node);
  if (others === undefined) return false;
  // A string alternative would be read as JSON text; other kinds of value leave the choice unclear.
  if (others.some((t) => t !== 'null')) return false;
  if (['anyOf', 'oneOf', 'allOf', 'enum', 'const', '$ref', 'not', 'if'].some((key) => node[key] !== undefined)) return false;
  return isStandIn(node) || keysLeftOpen(node);
}

/**
 * `node` with the free-form objects below it (through properties and items) listed as text. The
 * server follows a `$ref` and looks no further at the node, so nothing beside one is touched.
 */
function below(node: Schema, at: string, ctx: Context): Schema {
  if (node.$ref !== undefined) return node;
  let out = node;
  if (isObject(node.properties) && otherTypes(node) !== undefined) {
    let properties: Schema | undefined;
    for (const [name, sub] of Object.entries(node.properties)) {
      if (!isObject(sub)) continue;
      const here = `${at}/properties${pointerStep(name)}`;
      const listed = isFreeForm(sub) ? asText(sub, here, ctx) : below(sub, here, ctx);
      if (listed === sub) continue;
      properties ??= { ...node.properties };
      setOwn<unknown>(properties, name, listed);
    }
    if (properties) out = { ...out, properties };
  }
  if (isObject(node.items) && (node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array')))) {
    const items = node.items;
    const listed = isFreeForm(items) ? asText(items, `${at}/items`, ctx) : below(items, `${at}/items`, ctx);
    if (listed !== items) out = { ...out, items: listed };
  }
  return out;
}

/** Whether a keyword may sit beside a `$ref` the server follows: it does not describe the value (OpenAPI's `example` included). */
const annotates = (key: string) => ANNOTATIONS.has(key) || key === 'example';

interface Edge {
  from: string | undefined;
  to: string;
  /** The server reaches the reference: through properties and items only, a `$ref` with annotations at most beside it. */
  followed: boolean;
}

/**
 * Definitions the server reaches only through places it follows: a definition also referenced
 * from elsewhere (an `anyOf` branch, `additionalProperties`, a `$ref` with constraints beside
 * it, …), or from a definition that is, must keep its objects, since there its text would never
 * be parsed. Undefined when some reference is not to a whole definition.
 */
function followedDefinitions(schema: JsonSchema, defs: Schema): Set<string> | undefined {
  const { $defs: _defs, ...root } = schema;
  const edges: Edge[] = [];
  let whole = true;
  const visit = (node: unknown, from: string | undefined, followed: boolean): void => {
    if (!isObject(node)) return;
    if (node.$ref !== undefined) {
      const to = definitionName(node.$ref);
      if (to === undefined) whole = false;
      else edges.push({ from, to, followed: followed && Object.keys(node).every((k) => k === '$ref' || annotates(k)) });
    }
    const inner = followed && node.$ref === undefined;
    eachChild(node, (sub, key, name) => visit(sub, from, inner && (key === 'properties' || (key === 'items' && name === undefined))));
  };
  visit(root, undefined, true);
  for (const [name, def] of Object.entries(defs)) visit(def, name, true);
  if (!whole) return undefined;
  const excluded = new Set(edges.filter((e) => !e.followed).map((e) => e.to));
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) {
      if (e.from !== undefined && excluded.has(e.from) && !excluded.has(e.to)) {
        excluded.add(e.to);
        grew = true;
      }
    }
  }
  return new Set(Object.keys(defs).filter((name) => !excluded.has(name)));
}

/** Largest set of definitions a text's own schema may carry (as for `$ref` inlining). */
const MAX_DEFINITIONS_BYTES = 16 * 1024;

interface Context {
  sites: JsonTextArgument[];
  /** The input schema's `$defs` as they were, for the schemas of texts that use them. */
  defs: Schema;
}

/** The string that stands for a free-form object, saying what it must hold; recorded at `at`. */
function asText(node: Schema, at: string, ctx: Context): Schema {
  // Its parsed value is checked on its own: the definitions it uses go with it, as they were.
  let schema = node;
  if (someSubschema(node, (n) => n.$ref !== undefined)) {
    const used = usedDefinitions(node, ctx.defs);
    if (!used || JSON.stringify(used).length > MAX_DEFINITIONS_BYTES) return node;
    schema = { ...node, $defs: used };
  }
  ctx.sites.push({ pointer: at, schema: schema as JsonSchema });
  const nullable = Array.isArray(node.type) && node.type.includes('null');
  const text: Schema = { type: nullable ? ['string', 'null'] : 'string' };
  if (typeof node.title === 'string') text.title = node.title;
  const what = typeof node.description === 'string' && node.description.trim() ? `${node.description.trim().replace(/\.?$/, '.')} ` : '';
  // A stand-in's object has a shape of its own, which a made-up example would contradict.
  const example = isStandIn(node) ? '' : ` (e.g. ${exampleText(node)})`;
  text.description = `${what}A JSON object, written as text${valuesNote(node)}${example}.`;
  if (node.deprecated === true) text.deprecated = true;
  if (isObject(node.default)) text.default = JSON.stringify(node.default);
  if (Array.isArray(node.examples) && node.examples.every(isObject)) text.examples = node.examples.map((e) => JSON.stringify(e));
  return text;
}

/** The definitions `node` references, directly or through each other; undefined if a reference is not to a whole one. */
function usedDefinitions(node: Schema, defs: Schema): Schema | undefined {
  const used: Schema = {};
  const queue: unknown[] = [node];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    let whole = true;
    forEachSubschema(next, (n) => {
      if (n.$ref === undefined) return;
      const name = definitionName(n.$ref);
      const target = name === undefined ? undefined : localDefinition(n.$ref, defs);
      if (name === undefined || !target) whole = false;
      else if (!Object.hasOwn(used, name)) {
        setOwn<unknown>(used, name, target);
        queue.push(target);
      }
    });
    if (!whole) return undefined;
  }
  return used;
}

/** Longest example text put into a description. */
const MAX_EXAMPLE_CHARS = 200;

/** An example text: the API's own example when it has a short one, else one shaped by the map's value type. */
function exampleText(node: Schema): string {
  const own = [node.example, ...(Array.isArray(node.examples) ? node.examples : [])].find(isObject);
  const text = own ? JSON.stringify(own) : undefined;
  if (text && text.length <= MAX_EXAMPLE_CHARS) return text;
  const values = isObject(node.additionalProperties) ? node.additionalProperties.type : undefined;
  const sample = { string: '"value"', integer: '1', number: '1.5', boolean: 'true' }[String(values)];
  return sample ? `{"key": ${sample}}` : '{"key": "value"}';
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
