import { describe, expect, it } from 'vitest';
import { firstSentences, trimArguments } from '../../src/lower/openapi/prose.js';

describe('firstSentences', () => {
  it('keeps whole leading sentences within the budget', () => {
    const text = 'Lists pets. Results are paged with a cursor. See the guide for the filter syntax and its many operators.';
    expect(firstSentences(text, 50)).toBe('Lists pets. Results are paged with a cursor.');
    expect(firstSentences(text, 500)).toBe(text);
  });

  it('does not end a sentence inside a URL or a number', () => {
    const text = 'For example: /v1/search?q=drone&limit=3 returns three drones. Version 2.5 changed the order of results entirely.';
    expect(firstSentences(text, 70)).toBe('For example: /v1/search?q=drone&limit=3 returns three drones.');
  });

  it('ends sentences at full-width stops, and never splits a surrogate pair', () => {
    expect(firstSentences('これはペンです。あれは本です。それは長い長い長い文章です。', 16)).toBe('これはペンです。あれは本です。');
    const cut = firstSentences('😀'.repeat(20), 10);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.isWellFormed()).toBe(true);
  });

  it('cuts a first sentence longer than the budget at a word, marked', () => {
    expect(firstSentences('An extremely long opening sentence without any full stop in sight', 30)).toBe('An extremely long opening…');
  });
});

describe('trimArguments', () => {
  it('trims descriptions at every depth, drops examples and titles that restate the name, and keeps keyword-named properties', () => {
    const long = `${'Word '.repeat(20)}ends here. ${'More '.repeat(30)}text.`;
    const trimmed = trimArguments({
      type: 'object',
      properties: {
        petId: { type: 'integer', title: 'Pet ID', examples: [7], description: long },
        sort: { type: 'string', title: 'Sort order' },
        examples: { type: 'array', items: { type: 'object', properties: { note: { type: 'string', description: long } } } },
      },
    }) as { properties: Record<string, Record<string, unknown>> };
    expect(trimmed.properties.petId).toEqual({ type: 'integer', description: `${'Word '.repeat(20)}ends here.` });
    expect(trimmed.properties.sort!.title).toBe('Sort order');
    const withDefs = trimArguments({ type: 'object', $defs: { RowVersion: { type: 'string', title: 'Row version' }, Sort: { type: 'string', title: 'Sort order' } } }) as { $defs: Record<string, Record<string, unknown>> };
    expect(withDefs.$defs).toEqual({ RowVersion: { type: 'string' }, Sort: { type: 'string', title: 'Sort order' } });
    const nested = (trimmed.properties.examples!.items as { properties: { note: { description: string } } }).properties.note;
    expect(nested.description).toBe(`${'Word '.repeat(20)}ends here.`);
  });
});
