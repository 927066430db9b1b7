import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { startTokenCounter } from '../../src/tokens.js';

describe('startTokenCounter', () => {
  it('counts o200k tokens in a worker, special-token text included, for calls in flight together', async () => {
    const counter = startTokenCounter();
    try {
      const texts = ['{"name":"getPetById","description":"Returns a single pet."}', 'a default of <|endoftext|> is text'];
      const [first, again] = await Promise.all([counter.count(texts), counter.count(texts.slice(0, 1))]);
      expect(first).toEqual([countTokens(texts[0]!), countTokens(texts[1]!, { disallowedSpecial: new Set() })]);
      expect(again).toEqual(first!.slice(0, 1));
    } finally {
      await counter.close();
    }
  });

  it('rejects, not hangs, once the worker is gone', async () => {
    const counter = startTokenCounter();
    await counter.close();
    await expect(counter.count(['x'])).rejects.toThrow(/stopped/);
  });
});
