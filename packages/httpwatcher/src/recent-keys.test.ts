import { describe, expect, it } from 'vitest';
import { RecentKeys } from './recent-keys.js';

describe('RecentKeys: a bounded set that forgets the least recently used key', () => {
  it('holds at most its capacity, forgetting the oldest unused key first and counting it', () => {
    const keys = new RecentKeys(2);
    keys.add('a');
    keys.add('b');
    expect(keys.has('a')).toBe(true); // `a` is now the most recent: `b` goes first
    keys.add('c');
    expect([keys.has('a'), keys.has('b'), keys.has('c')]).toEqual([true, false, true]);
    expect(keys.size).toBe(2);
    expect(keys.evicted).toBe(1);
  });

  it('adding a key it holds evicts nothing', () => {
    const keys = new RecentKeys(1);
    keys.add('a');
    keys.add('a');
    expect(keys.evicted).toBe(0);
    expect(keys.size).toBe(1);
  });

  it('stays bounded over many distinct keys', () => {
    const keys = new RecentKeys(100);
    for (let i = 0; i < 10_000; i++) keys.add(`k${i}`);
    expect(keys.size).toBe(100);
    expect(keys.evicted).toBe(9_900);
    expect(keys.has('k9999')).toBe(true);
    expect(keys.has('k9899')).toBe(false);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RecentKeys(0)).toThrow(RangeError);
  });
});
