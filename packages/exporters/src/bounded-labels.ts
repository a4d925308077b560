/**
 * Keeps a label's values to a fixed set: the first `limit` distinct values keep their name, any
 * later one becomes `other`, so a program that calls a million hosts cannot make a million series.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(readonly limit: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size < this.limit) {
      this.seen.add(value);
      return value;
    }
    return 'other';
  }
}
