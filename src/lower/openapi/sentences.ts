/**
 * A text's sentences, as ICU's sentence segmenter (`Intl.Segmenter`, Unicode's UAX #29 rules)
 * gives them. ICU loads its break rules on first use, ~10 ms of a ~0.2 s generation, and almost
 * every spec has a description long enough to cut; almost all of them are ASCII. For ASCII text
 * the rules are applied here, on the ASCII rows of UAX #29's Sentence_Break table; any other text
 * goes to ICU. They were equal on all 417,343 strings of the bench corpus (docs/benchmarks.md), and
 * test/unit/sentences.test.ts holds them equal on every ASCII character in the places its class
 * decides, on random text and on the example specs. (The table is that of the ICU in Node 20.20;
 * another ICU may class a character otherwise, and generation keeps this one on every machine.)
 */

/** Sentence_Break classes of ASCII characters (UAX #29, table 4). */
const enum Class {
  Other,
  CR,
  LF,
  Sp,
  Lower,
  Upper,
  Numeric,
  ATerm,
  STerm,
  Close,
  SContinue,
}

const CLASSES = new Uint8Array(128);
const assign = (chars: string, cls: Class) => {
  for (const c of chars) CLASSES[c.charCodeAt(0)] = cls;
};
for (let c = 0x61; c <= 0x7a; c++) CLASSES[c] = Class.Lower;
for (let c = 0x41; c <= 0x5a; c++) CLASSES[c] = Class.Upper;
for (let c = 0x30; c <= 0x39; c++) CLASSES[c] = Class.Numeric;
assign('\r', Class.CR);
assign('\n', Class.LF);
assign('\t\v\f ', Class.Sp);
assign('.', Class.ATerm);
assign('!?', Class.STerm);
assign('"\'()[]{}', Class.Close);
assign(',-:;', Class.SContinue);

/** What ends SB8's look-ahead for a lower-case letter (OLetter has no ASCII member). */
const STOPS_LOOK_AHEAD: ReadonlySet<Class> = new Set([Class.Upper, Class.Lower, Class.CR, Class.LF, Class.ATerm, Class.STerm]);

const NON_ASCII = /[^\x00-\x7f]/;

let segmenter: Intl.Segmenter | undefined;

/** The sentences of `text`, in order; joined they are `text`. */
export function* sentences(text: string): Generator<string> {
  if (NON_ASCII.test(text)) {
    segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
    for (const { segment } of segmenter.segment(text)) yield segment;
    return;
  }
  let start = 0;
  for (const end of asciiBreaks(text)) {
    yield text.slice(start, end);
    start = end;
  }
  if (start < text.length) yield text.slice(start);
}

/** Where sentences end in ASCII text: the offset of each break before the text's end. */
function* asciiBreaks(text: string): Generator<number> {
  const n = text.length;
  const cls = (i: number): Class => (i < n ? (CLASSES[text.charCodeAt(i)] as Class) : Class.Other);
  const isParaSep = (c: Class) => c === Class.CR || c === Class.LF;
  /** Past the paragraph separator at `j`, CR LF being one. */
  const pastParaSep = (j: number) => j + (cls(j) === Class.CR && cls(j + 1) === Class.LF ? 2 : 1);
  let i = 0;
  while (i < n) {
    const c = cls(i);
    // SB3, SB4: break after a paragraph separator.
    if (isParaSep(c)) {
      i = pastParaSep(i);
      if (i < n) yield i;
      continue;
    }
    if (c !== Class.ATerm && c !== Class.STerm) {
      i++;
      continue;
    }
    const next = cls(i + 1);
    // SB6: "3.14"; SB7: "U.S".
    if (c === Class.ATerm && (next === Class.Numeric || (next === Class.Upper && i > 0 && (cls(i - 1) === Class.Upper || cls(i - 1) === Class.Lower)))) {
      i++;
      continue;
    }
    // SB9, SB10: no break inside the terminator, its closing punctuation and its spaces.
    let k = i + 1;
    while (cls(k) === Class.Close) k++;
    while (cls(k) === Class.Sp) k++;
    if (k >= n) break;
    const after = cls(k);
    // SB11 with its optional paragraph separator.
    if (isParaSep(after)) {
      k = pastParaSep(k);
      if (k < n) yield k;
      i = k;
      continue;
    }
    // SB8a: a comma, colon or another terminator continues the sentence.
    if (after === Class.SContinue || after === Class.ATerm || after === Class.STerm) {
      i = k;
      continue;
    }
    // SB8: after a full stop, a lower-case word ahead (past anything but letters, separators and
    // terminators) continues it ("e.g. the").
    if (c === Class.ATerm) {
      let m = k;
      while (m < n && !STOPS_LOOK_AHEAD.has(cls(m))) m++;
      if (cls(m) === Class.Lower && m < n) {
        i = k;
        continue;
      }
    }
    yield k; // SB11
    i = k;
  }
}
