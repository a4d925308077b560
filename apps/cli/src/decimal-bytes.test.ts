import { describe, expect, it } from 'vitest';
import { putBytes, putDecimal } from './decimal-bytes.js';

describe('putDecimal: a number written as the digits String() gives', () => {
  const into = Buffer.alloc(64, 0x2a);
  const numbers = [
    0,
    1,
    9,
    10,
    11,
    99,
    100,
    101,
    4242,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 60,
    2 ** 64 - 1,
  ];
  for (let p = 1; p <= 1e15; p *= 10) numbers.push(p - 1, p, p + 1);

  it(`${numbers.length} numbers at the edges of each length and of exact doubles`, () => {
    for (const n of numbers) {
      const end = putDecimal(into, 5, n);
      expect(into.toString('latin1', 5, end)).toBe(String(n));
      expect(into[4]).toBe(0x2a);
    }
  });

  it('writes 2^64 − 1, read as a double, as 18446744073709552000', () => {
    const end = putDecimal(into, 0, 2 ** 64 - 1);
    expect(into.toString('latin1', 0, end)).toBe('18446744073709552000');
  });
});

describe('putBytes', () => {
  it('copies the bytes at the offset and returns their end', () => {
    const into = Buffer.alloc(8);
    expect(putBytes(into, 2, Buffer.from('abc'))).toBe(5);
    expect(into.toString('latin1')).toBe('\0\0abc\0\0\0');
  });
});
