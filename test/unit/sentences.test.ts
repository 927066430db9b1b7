/**
 * The ASCII sentence rules (src/lower/openapi/sentences.ts) against ICU's segmenter, which the
 * rest of the text goes to: on made-up edge cases, on every ASCII character in the places its
 * class decides, on random text over every class, and on every description of the example specs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sentences } from '../../src/lower/openapi/sentences.js';
import { REPO } from '../helpers/project.js';

const icu = new Intl.Segmenter('en', { granularity: 'sentence' });
const expected = (text: string) => [...icu.segment(text)].map((s) => s.segment);

/** A deterministic generator (mulberry32): the same random texts on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sentences', () => {
  it('splits as ICU does on the cases each rule is for', () => {
    const cases = [
      '',
      'One. Two.',
      'Pi is 3.14 here. Next.',
      'Made in the U.S.A. Then more.',
      'See e.g. the docs. Done.',
      'Is it? yes it is! No.',
      'He said "stop." Then left.',
      'End.) (Next one.',
      'Wait... what?! Really.',
      'Lines\nbreak\r\nhere.\rAnd here.',
      'A list: one, two. three.',
      'trailing spaces.   ',
      'No terminator at all',
      'x.\n\nY',
      'Version 2.0.1. Released.',
      'Tab\tafter.\tNext',
      'Call /pets/{id}. Returns 404 if missing.',
    ];
    for (const text of cases) expect([...sentences(text)], JSON.stringify(text)).toEqual(expected(text));
  });

  it('gives every ASCII character the class ICU gives it', () => {
    // Each character where its class decides a break: after a full stop, a question mark, a
    // closing bracket and spaces, before a lower-case word, and after a capital.
    const contexts = ['a.X b', 'a.X', 'A. X', 'a?X', 'x.Xy', 'a. Xb', 'q.)Xz', ' .X', 'a.  Xq', 'aX. b', 'X. c', '3.X1', 'a.)X) b'];
    for (let code = 0; code < 128; code++) {
      for (const context of contexts) {
        const text = context.replace('X', String.fromCharCode(code));
        expect([...sentences(text)], JSON.stringify(text)).toEqual(expected(text));
      }
    }
  });

  it('splits random ASCII text as ICU does', () => {
    const next = random(20261208);
    // Every Sentence_Break class of ASCII, weighted toward the terminators and what follows them.
    const alphabet = 'aZ9.!? \t\n\r"()\',;:-#_\x01\x0b\x0c\x1f\x7f..  aaAA';
    for (let round = 0; round < 20_000; round++) {
      const length = 1 + Math.floor(next() * 24);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect([...sentences(text)], JSON.stringify(text)).toEqual(expected(text));
    }
  });

  it('splits every description of the example specs as ICU does, and leaves other text to ICU', () => {
    const texts: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object')
        for (const [key, value] of Object.entries(node)) {
          if ((key === 'description' || key === 'summary') && typeof value === 'string') texts.push(value);
          else collect(value);
        }
    };
    const specs = path.join(REPO, 'specs');
    for (const file of readdirSync(specs).filter((f) => /\.(ya?ml|json)$/.test(f))) collect(parse(readFileSync(path.join(specs, file), 'utf8')));
    expect(texts.length).toBeGreaterThan(100);
    for (const text of [...texts, 'Größe in cm. Nächster Satz.', '第一句。第二句。']) expect([...sentences(text)], text).toEqual(expected(text));
  });
});
