import { describe, expect, it } from 'vitest';
import { FilterPatternError, matchesPattern, parsePattern, passesFilters } from './filter-pattern.js';

const m = (pattern: unknown, value: unknown) => matchesPattern(parsePattern(JSON.stringify(pattern)), value);

describe('event filter patterns', () => {
  it('matches exact values, nested objects and arrays of values', () => {
    expect(m({ body: { kind: ['order'] } }, { body: { kind: 'order' } })).toBe(true);
    expect(m({ body: { kind: ['order'] } }, { body: { kind: 'refund' } })).toBe(false);
    expect(m({ body: { tags: ['a'] } }, { body: { tags: ['b', 'a'] } })).toBe(true);
    expect(m({ body: { n: [1, 2] } }, { body: { n: 2 } })).toBe(true);
    expect(m({ body: { gone: [null] } }, { body: { gone: null } })).toBe(true);
    expect(m({ body: { kind: ['order'] } }, { body: 'plain text' })).toBe(false);
  });

  it('supports prefix, suffix, equals-ignore-case, anything-but, numeric and exists', () => {
    expect(m({ s: [{ prefix: 'ab' }] }, { s: 'abc' })).toBe(true);
    expect(m({ s: [{ suffix: 'bc' }] }, { s: 'abc' })).toBe(true);
    expect(m({ s: [{ 'equals-ignore-case': 'ABC' }] }, { s: 'abc' })).toBe(true);
    expect(m({ s: [{ 'anything-but': ['x', 'y'] }] }, { s: 'x' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { prefix: 'in' } }] }, { s: 'out' })).toBe(true);
    expect(m({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 5 })).toBe(true);
    expect(m({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 6 })).toBe(false);
    expect(m({ n: [{ exists: true }] }, { n: 1 })).toBe(true);
    expect(m({ n: [{ exists: false }] }, {})).toBe(true);
    expect(m({ n: [{ exists: false }] }, { n: 1 })).toBe(false);
  });

  it('a record passes when any filter matches, or when there are none', () => {
    const a = parsePattern('{"k":["a"]}');
    const b = parsePattern('{"k":["b"]}');
    expect(passesFilters([a, b], { k: 'b' })).toBe(true);
    expect(passesFilters([a, b], { k: 'c' })).toBe(false);
    expect(passesFilters([], { k: 'c' })).toBe(true);
  });

  it('refuses malformed patterns', () => {
    for (const bad of [
      '{not json',
      '[]',
      '{"k":[]}',
      '{"k":[{"prefix":1}]}',
      '{"k":[{"numeric":[">"]}]}',
      '{"k":[{"bogus":1}]}',
    ]) {
      expect(() => parsePattern(bad), bad).toThrow(FilterPatternError);
    }
  });
});
