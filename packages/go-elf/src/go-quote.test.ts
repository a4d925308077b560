import { describe, expect, it } from 'vitest';
import { unquoteGoString } from './go-quote.js';

describe('unquoteGoString', () => {
  it('unquotes a double-quoted value with spaces', () => expect(unquoteGoString('"-s -w"')).toBe('-s -w'));
  it('decodes \\n, \\t, \\", \\\\ and \\x escapes', () =>
    expect(unquoteGoString('"a\\nb\\tc\\"d\\\\e\\x41"')).toBe('a\nb\tc"d\\eA'));
  it('decodes \\u, \\U and octal escapes', () => expect(unquoteGoString('"\\u00e9\\U0001F600\\101"')).toBe('é😀A'));
  it('keeps a backquoted raw string as is', () => expect(unquoteGoString('`a\\nb`')).toBe('a\\nb'));
  it('rejects an unterminated literal', () => expect(unquoteGoString('"abc')).toBeUndefined());
  it('rejects an unknown escape', () => expect(unquoteGoString('"\\q"')).toBeUndefined());
  it('rejects a surrogate \\u escape', () => expect(unquoteGoString('"\\ud800"')).toBeUndefined());
});
