/**
 * The pre-tokenising split against gpt-tokenizer's expression it stands in for. The corpus run
 * that justified it (all 200 bench listings, 28.5 M characters, 82 with non-ASCII text, and
 * 500,000 random strings) is kept here in small: the example servers' listings, cases for each
 * alternative, and deterministic random text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { toolsListText } from '../../src/generate.js';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { eachPiece } from '../../src/tokens/pieces.js';

const expression = (text: string) => [...text.matchAll(O200K_TOKEN_SPLIT_REGEX)].map((m) => m[0]);
const split = (text: string) => {
  const pieces: string[] = [];
  eachPiece(text, (start, end) => pieces.push(text.slice(start, end)));
  return pieces;
};

/** Mulberry32: the same strings on every run. */
function random(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

describe('eachPiece', () => {
  it.each([
    ['letters after a prefix', ' Hello world', [' Hello', ' world']],
    ['upper case runs', 'getHTTPResponse ABC abcDEF', ['get', 'HTTPResponse', ' ABC', ' abc', 'DEF']],
    ['contractions in either case', "it's we'LL they'd've DON'T x'y", ["it's", " we'LL", " they'd", "'ve", " DON'T", ' x', "'y"]],
    ['digits in threes', 'v12345 1.5', ['v', '123', '45', ' ', '1', '.', '5']],
    ['symbols with their newlines and slashes', '{"a":1}\n/* x */ //y', ['{"', 'a', '":', '1', '}\n/', '*', ' x', ' */', ' //', 'y']],
    ['white space before text keeps its last space', 'a   b\t\tc', ['a', '  ', ' b', '\t', '\tc']],
    ['white space through its last newline', 'a \n \n  b\n', ['a', ' \n \n', ' ', ' b', '\n']],
    ['white space at the end', 'a   ', ['a', '   ']],
    ['controls are symbols', 'a\u0001\u001fb', ['a', '\u0001\u001f', 'b']],
    ['text beyond ASCII goes to the expression', 'café Ünïcode 東京 \u00a0 x — 😀 ²3', null],
  ])('%s', (_name, text, want) => {
    expect(split(text)).toEqual(expression(text));
    if (want) expect(split(text)).toEqual(want);
  });

  it("splits every example server's tools/list as the expression does", () => {
    const generated = path.resolve(import.meta.dirname, '../../generated');
    for (const dir of readdirSync(generated)) {
      const definition = JSON.parse(readFileSync(path.join(generated, dir, 'server-definition.json'), 'utf8')) as ServerDefinition;
      const text = toolsListText(definition);
      expect(split(text), dir).toEqual(expression(text));
    }
  });

  it('splits random text over every ASCII class, mixed with other characters, as the expression does', () => {
    const tricky = [..."aZsSlLvVeErRtTdDmM' \t\n\r\u000b\u000c059/.{\":-_", '\u0001', '\u001f', '\u007f'];
    const wide = ['é', 'É', 'ß', 'ǅ', 'ʰ', '\u0301', '中', '١', '²', '\u00a0', '\u2028', '\u3000', '😀', '\ud800', '€', '—'];
    const next = random(29);
    for (let round = 0; round < 20_000; round++) {
      let text = '';
      for (let n = 1 + next(16); n > 0; n--) {
        const pick = next(10);
        text += pick < 6 ? tricky[next(tricky.length)] : pick < 8 ? String.fromCharCode(next(128)) : wide[next(wide.length)];
      }
      expect(split(text), JSON.stringify(text)).toEqual(expression(text));
    }
  });
});
