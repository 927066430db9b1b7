/**
 * An API's response schema as an output schema that gives the shape of its answers without
 * refusing them, and without the prose the model pays for on every turn.
 *
 * Clients validate structuredContent against the listed outputSchema and throw on a mismatch,
 * and the server must send conforming structured content or none. Real answers stray from their
 * documented schemas in small ways: the APIs' own documented examples miss required fields, use
 * enum values added since, dates that are not `format: date`, nulls for absent values, floats
 * where integers were declared (test/scripts/response-examples.mjs counts them over the corpus).
 * So the output schema keeps the shape (properties, items, combinators, scalar types) and drops
 * what only refuses: required, enum/const, formats, patterns and bounds, closed objects. It drops
 * descriptions and titles too: the model reads the answer's own field names, and what it pays
 * for is better spent on the arguments' descriptions.
 * Scalar types also admit null and integer widens to number. Object and array types are left
 * to `properties` and `items`, which say the same to a reader but do not refuse an answer that
 * sends one object where the documentation promised a list of them (GitHub and SoundCloud
 * examples do). oneOf becomes anyOf: lenient branches overlap, and oneOf refuses an answer that
 * more than one matches.
 */
import { isObject, mapSubschemas } from './walk.js';

type Schema = Record<string, unknown>;

/** Keywords that constrain values or explain them: the shape does not need them. */
const DROPPED = new Set([
  'required',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'minContains',
  'maxContains',
  'contains',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  // Data and prose the answer itself shows: no need to spend the model's tokens on them.
  'description',
  'title',
  'default',
  'examples',
  'example',
  'readOnly',
  'writeOnly',
]);

/** The shape of an object-rooted output schema; the root stays `type: object`, as clients require. */
export function shapeOnly(schema: Schema): Schema {
  const out = loosen(schema) as Schema;
  out.type = 'object';
  return out;
}

function loosen(node: unknown): unknown {
  if (!isObject(node)) return node;
  return mapSubschemas(withoutOneOf(node), loosen, (key, value, out) => {
    if (DROPPED.has(key)) return true;
    if ((key === 'additionalProperties' || key === 'unevaluatedProperties' || key === 'additionalItems') && value === false) return true;
    if (key === 'type') {
      const type = admitNull(value);
      if (type !== undefined) out.type = type;
      return true;
    }
    return false;
  });
}

/** oneOf as anyOf; beside an anyOf of its own, as a second anyOf under allOf. */
function withoutOneOf(node: Schema): Schema {
  if (!Array.isArray(node.oneOf)) return node;
  const { oneOf, ...rest } = node;
  if (!Object.hasOwn(rest, 'anyOf')) return { ...rest, anyOf: oneOf };
  return { ...rest, allOf: [...(Array.isArray(rest.allOf) ? rest.allOf : []), { anyOf: oneOf }] };
}

/** Scalar types with null admitted and integer widened; undefined (no `type`) for containers. */
function admitNull(type: unknown): unknown {
  const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string');
  if (types.every((t) => t === 'object' || t === 'array' || t === 'null')) return undefined;
  const widened = [...new Set([...types.map((t) => (t === 'integer' ? 'number' : t)), 'null'])];
  return widened.length === 1 ? widened[0] : widened;
}
