/**
 * A set of at most `capacity` keys that forgets the least recently used one to make room, and
 * counts what it forgot: memory stays bounded however many distinct keys a long run meets.
 */
export class RecentKeys {
  /** A Map iterates in insertion order: re-inserting a key on use keeps the oldest first. */
  private readonly keys = new Map<string, true>();
  /** Keys forgotten to make room. */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Whether `key` is held; a hit makes it the most recently used. */
  has(key: string): boolean {
    if (!this.keys.delete(key)) return false;
    this.keys.set(key, true);
    return true;
  }

  add(key: string): void {
    this.keys.delete(key);
    if (this.keys.size >= this.capacity) {
      this.keys.delete(this.keys.keys().next().value!);
      this.evicted++;
    }
    this.keys.set(key, true);
  }
}
