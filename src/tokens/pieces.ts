/**
 * o200k_base's pre-tokenising split: the pieces gpt-tokenizer's O200K_TOKEN_SPLIT_REGEX matches,
 * in order, as [start, end) offsets.
 *
 * Why not only the expression: its Unicode property classes make V8 run it slowly, ~0.2 µs a
 * piece even once compiled to native code, and a tools/list is mostly ASCII JSON: GitHub's
 * 1.5 MB listing is 307,000 pieces, 57 ms of expression against ~100 ms for the whole count. So
 * where a piece is decided by ASCII characters alone, its end is found here by the expression's
 * own rules; wherever a decision would look at any other character, the expression itself
 * matches that piece. test/unit/token-pieces.test.ts holds the two equal on the corpus' texts
 * and on random text over every ASCII class with other characters mixed in.
 *
 * The expression's alternatives, as they read on ASCII (letters have no Lt, Lm, Lo or M there):
 *   1. an optional character that is not CR, LF, a letter or a digit; any upper case letters; one
 *      or more lower case letters; an optional contraction ('s 'd 'm 't 'll 've 're, either case)
 *   2. the same optional character; one or more upper case letters; lower case ones; contraction
 *   3. one to three digits
 *   4. an optional space; one or more characters that are not white space, letter or digit; then
 *      any CR, LF or /
 *   5. white space up to and including its last CR or LF
 *   6. white space not followed by a non-space (a run of two or more but its last character, unless
 *      the text ends)
 *   7. white space
 */
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';

// Sticky: one match exactly at lastIndex, as matchAll takes them one after another.
const EXPRESSION = new RegExp(O200K_TOKEN_SPLIT_REGEX.source, 'uy');

const END = 0;
const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const NEWLINE = 8;
/** White space other than CR and LF: tab, vertical tab, form feed, space. */
const BLANK = 16;
/** Any other ASCII character: punctuation, symbols, controls. */
const OTHER = 32;
/** Beyond ASCII: the expression decides. */
const WIDE = 64;

const ASCII = new Uint8Array(128).fill(OTHER);
for (let c = 0x41; c <= 0x5a; c++) ASCII[c] = UPPER;
for (let c = 0x61; c <= 0x7a; c++) ASCII[c] = LOWER;
for (let c = 0x30; c <= 0x39; c++) ASCII[c] = DIGIT;
ASCII[0x0a] = ASCII[0x0d] = NEWLINE;
ASCII[0x09] = ASCII[0x0b] = ASCII[0x0c] = ASCII[0x20] = BLANK;

function classAt(text: string, i: number): number {
  if (i >= text.length) return END;
  const code = text.charCodeAt(i);
  return code < 128 ? ASCII[code]! : WIDE;
}

/** Where a contraction ('s, 'LL, …) that starts at `i` ends; `i` when there is none. */
function afterContraction(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x27) return i;
  const a = text.charCodeAt(i + 1) | 0x20; // lower case, for letters
  if (a === 0x73 || a === 0x64 || a === 0x6d || a === 0x74) return i + 2; // s d m t
  const b = text.charCodeAt(i + 2) | 0x20;
  if ((a === 0x6c && b === 0x6c) || (a === 0x76 && b === 0x65) || (a === 0x72 && b === 0x65)) return i + 3; // ll ve re
  return i;
}

/** The end of the piece at `i` when ASCII characters decide it, else -1. */
function asciiPieceEnd(text: string, i: number): number {
  const first = classAt(text, i);
  if (first === WIDE) return -1;
  // 1 and 2: letters, after at most one character of the optional prefix's class.
  if (first & (UPPER | LOWER | BLANK | OTHER)) {
    const letters = first & (BLANK | OTHER) ? i + 1 : i;
    let k = letters;
    while (classAt(text, k) === UPPER) k++;
    const after = classAt(text, k);
    if (after === WIDE) return -1;
    if (after === LOWER) {
      while (classAt(text, k) === LOWER) k++;
      return classAt(text, k) === WIDE ? -1 : afterContraction(text, k);
    }
    if (k > letters) return afterContraction(text, k);
  }
  // 3: digits, at most three.
  if (first === DIGIT) {
    let k = i + 1;
    while (k < i + 3 && classAt(text, k) === DIGIT) k++;
    return k < i + 3 && classAt(text, k) === WIDE ? -1 : k;
  }
  // 4: symbols, after an optional space.
  const symbols = text.charCodeAt(i) === 0x20 ? i + 1 : i;
  const next = classAt(text, symbols);
  if (next === WIDE) return -1;
  if (next === OTHER) {
    let k = symbols;
    while (classAt(text, k) === OTHER) k++;
    if (classAt(text, k) === WIDE) return -1;
    for (let c = text.charCodeAt(k); c === 0x0a || c === 0x0d || c === 0x2f; c = text.charCodeAt(++k));
    return k;
  }
  // 5, 6 and 7: white space (what is left: a space before a digit, white space or the end, or other white space).
  let end = i;
  let lastNewline = -1;
  for (let c = classAt(text, end); c === BLANK || c === NEWLINE; c = classAt(text, ++end)) if (c === NEWLINE) lastNewline = end;
  if (classAt(text, end) === WIDE) return -1;
  if (lastNewline !== -1) return lastNewline + 1;
  return end === text.length || end - i === 1 ? end : end - 1;
}

/** Calls `visit` with each piece's [start, end) in order. */
export function eachPiece(text: string, visit: (start: number, end: number) => void): void {
  for (let i = 0; i < text.length; ) {
    let end = asciiPieceEnd(text, i);
    if (end === -1) {
      EXPRESSION.lastIndex = i;
      // Every code point starts some alternative (letters 1 or 2, digits 3, white space 5 to 7,
      // anything else 4, lone surrogates too), none of them empty, and an ASCII piece never ends
      // inside a surrogate pair: this always matches. Were it not to, the character is skipped.
      if (!EXPRESSION.test(text)) {
        i++;
        continue;
      }
      end = EXPRESSION.lastIndex;
    }
    visit(i, end);
    i = end;
  }
}
