import { describe, expect, it } from 'vitest';
import { shapeToBudget } from '../../src/runtime/upstream/shape.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('shapeToBudget', () => {
  it('leaves an answer within the budget alone', () => {
    const value = { a: [1, 2, 3] };
    expect(shapeToBudget(value, 100)).toEqual({ value, bytes: bytes(value), cuts: [] });
  });

  it('shortens the largest spine array first, and only as much as needed', () => {
    const value = { meta: { page: 1 }, data: { items: Array.from({ length: 100 }, (_, i) => ({ i })) }, tags: ['a', 'b'] };
    const shaped = shapeToBudget(structuredClone(value), 300)!;
    expect(shaped.cuts).toHaveLength(1);
    expect(shaped.cuts[0]!.at).toBe('$.data.items');
    expect(shaped.bytes).toBe(bytes(shaped.value));
    expect(shaped.bytes).toBeLessThanOrEqual(300);
    // The most items that fit: one more would not.
    const kept = shaped.cuts[0]!.kept;
    const oneMore = { ...value, data: { items: value.data.items.slice(0, kept + 1) } };
    expect(bytes(oneMore)).toBeGreaterThan(300);
    expect((shaped.value as typeof value).tags).toEqual(['a', 'b']);
  });

  it('moves on to the next array when emptying the largest is not enough, and keeps room for the note', () => {
    const value = { a: Array.from({ length: 50 }, () => 'x'.repeat(20)), b: Array.from({ length: 40 }, () => 'y'.repeat(20)) };
    const shaped = shapeToBudget(value, 500, () => 100)!;
    expect(shaped.cuts.map((c) => c.at)).toEqual(['$.a', '$.b']);
    expect(shaped.cuts[0]!.kept).toBe(0);
    expect(shaped.bytes).toBeLessThanOrEqual(400);
  });

  it('names odd keys in brackets and keeps __proto__ a key', () => {
    const value = JSON.parse(`{"__proto__": [${Array(50).fill('"long value here"').join(',')}], "my key": 1}`) as Record<string, unknown>;
    const shaped = shapeToBudget(value, 200)!;
    expect(shaped.cuts[0]!.at).toBe('$.__proto__');
    expect(Object.getPrototypeOf(shaped.value)).toBe(Object.prototype);
    expect(Object.hasOwn(shaped.value as object, '__proto__')).toBe(true);
    const odd = shapeToBudget({ 'a b': Array(50).fill('zzzz') }, 100)!;
    expect(odd.cuts[0]!.at).toBe('$["a b"]');
  });

  it('counts the note of every cut it makes against the budget', () => {
    const value = { a: Array.from({ length: 100 }, (_, i) => i), b: Array.from({ length: 100 }, (_, i) => i) };
    const note = (cuts: Array<{ at: string; kept: number; dropped: number }>) => JSON.stringify(cuts).length;
    const shaped = shapeToBudget(value, 250, note)!;
    expect(shaped.cuts).toHaveLength(2);
    expect(shaped.bytes + note(shaped.cuts)).toBeLessThanOrEqual(250);
  });

  it('needs no cut when the answer fits once compacted', () => {
    expect(shapeToBudget({ a: [1, 2, 3] }, 100, () => 50).cuts).toEqual([]);
  });

  it('gives up on an answer whose bulk is not in a list', () => {
    expect(shapeToBudget({ text: 'x'.repeat(1_000) }, 100)).toBeUndefined();
  });
});
