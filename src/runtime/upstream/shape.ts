/**
 * Fits a parsed JSON answer into the response budget (MCP_MAX_RESPONSE_BYTES) by keeping a prefix
 * of its largest arrays, so the model gets valid JSON and knows what is missing, instead of a body
 * cut mid-token. It shortens arrays in place: callers hand it an answer they just parsed.
 *
 * Only arrays on the answer's spine are shortened: the answer itself, and arrays reached through
 * object properties (`{ data: { items: [...] } }`). Items inside an array are kept whole, which
 * keeps every kept record complete.
 */

export interface Cut {
  /** JSONPath-like location of the shortened array: `$`, `$.data.items`. */
  at: string;
  kept: number;
  dropped: number;
}

export interface Shaped {
  value: unknown;
  /** Serialised size of `value`, in UTF-8 bytes. */
  bytes: number;
  cuts: Cut[];
}

interface SpineArray {
  at: string;
  array: unknown[];
  /** Replaces the array in its parent (or, for the root, the whole answer). */
  set: (items: unknown[]) => void;
}

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? 'null');

/**
 * `value` within `budget` bytes of JSON, largest arrays shortened first; `undefined` when even
 * every spine array emptied does not fit (one huge string, a wide object). `overhead` is what
 * the caller adds to say what was cut (a note, a marker), in bytes for the cuts so far: it is
 * kept free too.
 */
export function shapeToBudget(value: unknown, budget: number, overhead: (cuts: Cut[]) => number = () => 0): Shaped | undefined {
  let bytes = byteLength(value);
  if (bytes <= budget) return { value, bytes, cuts: [] };
  const root = { value };
  const spine = spineArrays(root);
  const sized = spine.map((entry) => ({ entry, sizes: entry.array.map(byteLength) }));
  // The largest first: one cut usually does it, and it is the one the model would page through.
  sized.sort((a, b) => total(b.sizes) - total(a.sizes));
  const cuts: Cut[] = [];
  for (const { entry, sizes } of sized) {
    if (cuts.length > 0 && bytes + overhead(cuts) <= budget) break;
    // The note for this cut as well, counted with the most digits its numbers can take.
    const limit = budget - overhead([...cuts, { at: entry.at, kept: sizes.length, dropped: sizes.length }]);
    // An array of n items serialises as "[" + items joined by "," + "]".
    let kept = sizes.length;
    let arrayBytes = total(sizes) + Math.max(0, sizes.length - 1) + 2;
    const others = bytes - arrayBytes;
    while (kept > 0 && others + arrayBytes > limit) {
      kept--;
      arrayBytes -= sizes[kept]! + (kept > 0 ? 1 : 0);
    }
    if (kept === sizes.length) continue;
    entry.set(entry.array.slice(0, kept));
    bytes = others + arrayBytes;
    cuts.push({ at: entry.at, kept, dropped: sizes.length - kept });
  }
  if (bytes + overhead(cuts) > budget) return undefined;
  return { value: root.value, bytes, cuts };
}

function total(sizes: number[]): number {
  let sum = 0;
  for (const size of sizes) sum += size;
  return sum;
}

/** Arrays reachable from the root through object properties only, outermost first. */
function spineArrays(root: { value: unknown }): SpineArray[] {
  const found: SpineArray[] = [];
  const visit = (value: unknown, at: string, set: (items: unknown[]) => void) => {
    if (Array.isArray(value)) {
      found.push({ at, array: value, set });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      visit(object[key], `${at}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, (items) => {
        // defineProperty: a key called __proto__ must stay a key.
        Object.defineProperty(object, key, { value: items, writable: true, enumerable: true, configurable: true });
      });
    }
  };
  visit(root.value, '$', (items) => {
    root.value = items;
  });
  return found;
}
