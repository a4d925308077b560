import { describe, expect, it } from 'vitest';
import { TextCache } from './text-cache.js';

describe('TextCache', () => {
  it('returns the same string for the same bytes, wherever they lie', () => {
    const cache = new TextCache(16, 64);
    const a = Buffer.from('xxAcceptyy');
    const b = Buffer.from('Accept');
    const first = cache.decode(a, 2, 8);
    expect(first).toBe('Accept');
    expect(cache.decode(b, 0, 6)).toBe(first);
    expect(cache.decode(b, 0, 0)).toBe('');
  });

  it('never answers with another string that shares the slot or the hash', () => {
    // One slot, so every text collides; X-aapfo and X-a9rja also share their 32-bit FNV-1a hash.
    const cache = new TextCache(1, 64);
    const texts = ['GET', 'PUT', 'get', 'GETX', 'X-aapfo', 'X-a9rja', 'X-aapfo'];
    for (let round = 0; round < 2; round++) {
      for (const t of texts) expect(cache.decode(Buffer.from(t), 0, t.length)).toBe(t);
    }
  });

  it('sees a change of the bytes behind a cached string', () => {
    const cache = new TextCache(16, 64);
    const buf = Buffer.from('value-1');
    expect(cache.decode(buf, 0, buf.length)).toBe('value-1');
    buf.write('2', 6);
    expect(cache.decode(buf, 0, buf.length)).toBe('value-2');
  });

  it('decodes UTF-8 and texts longer than its limit without caching them', () => {
    const cache = new TextCache(16, 4);
    const utf8 = Buffer.from('héllo ✓');
    expect(cache.decode(utf8, 0, utf8.length)).toBe('héllo ✓');
    const cut = Buffer.from([0x61, 0xe2, 0x9c]);
    expect(cache.decode(cut, 0, 3)).toBe(cut.toString('utf8'));
    const long = Buffer.from('longer than four');
    expect(cache.decode(long, 0, long.length)).toBe('longer than four');
  });
});
