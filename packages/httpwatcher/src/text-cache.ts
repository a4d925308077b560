/**
 * Decodes byte ranges to strings through a direct-mapped cache of recent ASCII strings. Header
 * keys, methods, hosts, many header values and URLs repeat from one request to the next: a
 * repeat costs a hash and a compare instead of a new string, and queued events share it.
 */
export class TextCache {
  private readonly hashes: Int32Array;
  private readonly texts: Array<string | undefined>;
  private readonly mask: number;

  /** `slots` is rounded up to a power of two; longer ranges than `maxBytes` are decoded without the cache. */
  constructor(
    slots: number,
    private readonly maxBytes: number,
  ) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(slots, 1)));
    this.hashes = new Int32Array(size);
    this.texts = new Array<string | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  /** `bytes[start, end)` as UTF-8. */
  decode(bytes: Buffer, start: number, end: number): string {
    if (end <= start) return '';
    if (end - start > this.maxBytes) return bytes.toString('utf8', start, end);
    // FNV-1a, and whether any byte is outside ASCII (cached strings hold one char per byte).
    let hash = 0x811c9dc5 | 0;
    let high = 0;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      high |= c;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    if (high & 0x80) return bytes.toString('utf8', start, end);
    const slot = (hash ^ (hash >>> 16)) & this.mask;
    const cached = this.texts[slot];
    if (
      cached !== undefined &&
      this.hashes[slot] === hash &&
      cached.length === end - start &&
      spells(cached, bytes, start)
    )
      return cached;
    const text = bytes.toString('latin1', start, end);
    this.texts[slot] = text;
    this.hashes[slot] = hash;
    return text;
  }
}

function spells(text: string, bytes: Buffer, start: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
