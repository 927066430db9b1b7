import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { countTokens as reference } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { toolsListText } from '../../src/generate.js';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { groupDigits } from '../../src/diagnostics.js';
import { countTokens, encodingFile, TABLE_FILE } from '../../src/tokens/count.js';
import { buildTable, rankOf, readTable } from '../../src/tokens/table.js';

const plain = { disallowedSpecial: new Set<string>() };
const GENERATED = path.resolve(import.meta.dirname, '../../generated');

describe('countTokens', () => {
  it("counts every example server's tools/list as gpt-tokenizer does", () => {
    const listings = readdirSync(GENERATED).map((dir) => {
      const definition = JSON.parse(readFileSync(path.join(GENERATED, dir, 'server-definition.json'), 'utf8')) as ServerDefinition;
      return toolsListText(definition);
    });
    expect(listings.length).toBeGreaterThan(5);
    expect(countTokens(listings)).toEqual(listings.map((text) => reference(text, plain)));
  });

  it('counts text in many scripts, odd bytes and special-token text as gpt-tokenizer does', () => {
    const texts = [
      '',
      ' ',
      'a',
      '{"name":"getPetById","description":"Returns a single pet."}',
      'a default of <|endoftext|> is text',
      "It's the user's: we'LL see, they'd've DON'T",
      'Größenänderung für Straßen — naïve café déjà vu',
      '東京都渋谷区の天気予報を取得します。パラメータは必須です。',
      '서울의 날씨를 알려주세요 — 오늘과 내일',
      'Получить список заказов пользователя по идентификатору',
      'الطقس في القاهرة اليوم',
      'emoji 👩‍👩‍👧‍👦 🇫🇷 ✔️ and a lone surrogate \ud800 here',
      '12345678901234567890 3.14159 1e-10 0x1F',
      '\t\n\r\n   \n\n    indented\n\t\ttabs  ',
      'aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCBkYXRh/+==',
      'https://api.example.com/v1/users/{userId}/orders?status=open&limit=10#frag',
      '^[a-zA-Z0-9_-]{1,64}$ \\d{3}-\\d{4} (?:foo|bar)*',
      'x'.repeat(500),
      'ab'.repeat(300) + ' ' + '🙂'.repeat(50),
    ];
    expect(countTokens(texts)).toEqual(texts.map((text) => reference(text, plain)));
  });

  it('builds the same table as the one the build wrote', () => {
    const built = buildTable(readFileSync(encodingFile(), 'utf8'));
    expect(Buffer.compare(Buffer.from(built), readFileSync(TABLE_FILE))).toBe(0);
  });
});

describe('groupDigits', () => {
  it('writes counts as toLocaleString("en") does', () => {
    for (const n of [0, 7, 999, 1000, 5643, 12345, 999999, 1000000, 6551248]) expect(groupDigits(n)).toBe(n.toLocaleString('en'));
  });
});

describe('readTable', () => {
  it('reads bytes that are not word-aligned, and refuses what is not a table', () => {
    const built = buildTable('IQ== 0\nIg== 1\nISI= 2\n');
    const shifted = Buffer.alloc(built.length + 1);
    shifted.set(built, 1);
    const table = readTable(shifted.subarray(1));
    expect(rankOf(table, new Uint8Array([0x21, 0x22]), 0, 2)).toBe(2);
    expect(rankOf(table, new Uint8Array([0x22, 0x21]), 0, 2)).toBe(-1);
    expect(() => readTable(new Uint8Array(built).reverse())).toThrow();
  });
});
