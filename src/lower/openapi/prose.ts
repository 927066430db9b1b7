/**
 * What the model pays for: tools/list goes into the context of every turn of every conversation,
 * so an OpenAPI document's reference prose (written for people browsing docs) is trimmed to what
 * a model picks tools and fills arguments with. Tool descriptions keep their first sentences
 * within TOOL_DESCRIPTION_CHARS, argument descriptions within ARGUMENT_DESCRIPTION_CHARS (whole
 * sentences; cut at a word only when the first sentence alone is longer); argument titles that
 * restate the argument's name go, and so do examples (a tenth of the median listing over the
 * corpus, for values the types and descriptions already explain). Output schemas lose their
 * prose in schema/shape-only.ts. Measured with test/scripts/list-budget.mjs.
 *
 * Tool specs are not trimmed: their descriptions are written for the model already; nor is an
 * operation's `x-mcp: { description }`.
 */
import { setOwn } from '../../schema/set-own.js';
import { isObject, mapSubschemas } from '../../schema/walk.js';
import { sentences } from './sentences.js';

export const TOOL_DESCRIPTION_CHARS = 500;
export const ARGUMENT_DESCRIPTION_CHARS = 150;

type Schema = Record<string, unknown>;

/** An input schema with argument descriptions within budget, name-restating titles and examples dropped. */
export function trimArguments(node: unknown, name?: string): unknown {
  if (!isObject(node)) return node;
  return mapSubschemas(node, (sub) => trimArguments(sub), (key, value, out) => {
    if (key === 'description' && typeof value === 'string') {
      out.description = firstSentences(value, ARGUMENT_DESCRIPTION_CHARS);
      return true;
    }
    if (key === 'examples') return true;
    if (key === 'title' && typeof value === 'string' && name !== undefined && restates(value, name)) return true;
    // Under properties a title is weighed against the property's name; under $defs against the
    // component's ("Row version" restates RowVersion, and lands on each property that uses it).
    if ((key === 'properties' || key === '$defs') && isObject(value)) {
      const named: Schema = {};
      for (const [name, sub] of Object.entries(value)) setOwn(named, name, trimArguments(sub, name));
      out[key] = named;
      return true;
    }
    return false;
  });
}

/** "Pet ID" restates `petId`; "Sort order" does not restate `sort`. */
function restates(title: string, name: string): boolean {
  const words = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/[^a-z0-9]+/g, '');
  return words(title) === words(name);
}

/**
 * The leading whole sentences of `text` that fit in `max` characters; when the first sentence
 * alone does not, its words that do, and an ellipsis.
 */
export function firstSentences(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  let pending = '';
  for (const segment of sentences(text)) {
    if (kept.length + pending.length + segment.length > max) break;
    pending += segment;
    // A sentence ends where space follows (a "?" or "." inside a URL or a number is not an end),
    // or at a full-width stop, which takes no space after it.
    if (/[\s。．！？]$/u.test(segment)) {
      kept += pending;
      pending = '';
    }
  }
  if (kept.trim().length > 0) return kept.trimEnd();
  // Whole code points: a cut between the halves of a surrogate pair would be invalid text.
  const cut = [...text.slice(0, max)].slice(0, max - 1).join('').replace(/[\uD800-\uDBFF]$/, '');
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${atWord.length > 0 ? atWord : cut}…`;
}
