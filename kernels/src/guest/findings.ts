import { isDeepStrictEqual, inspect } from 'node:util';

const MAX_KEPT = 12;

/**
 * Exact comparisons for the guest, where vitest does not run: each `same` that differs is kept
 * as a problem (the first few), so a check reports every way it failed, not just the first.
 */
export class Findings {
  readonly problems: string[] = [];
  private count = 0;

  /** Deep strict equality, like vitest's toEqual on plain data. */
  same(what: string, got: unknown, want: unknown): boolean {
    if (isDeepStrictEqual(got, want)) return true;
    this.add(`${what}: got ${show(got)}, want ${show(want)}`);
    return false;
  }

  atLeast(what: string, got: number | undefined, min: number): void {
    if (got === undefined || !(got >= min)) this.add(`${what}: got ${show(got)}, want at least ${min}`);
  }

  atMost(what: string, got: number | undefined, max: number): void {
    if (got === undefined || !(got <= max)) this.add(`${what}: got ${show(got)}, want at most ${max}`);
  }

  add(problem: string): void {
    this.count++;
    if (this.problems.length < MAX_KEPT) this.problems.push(problem);
    else if (this.problems.length === MAX_KEPT) this.problems.push('… more problems not shown');
  }

  get ok(): boolean {
    return this.count === 0;
  }
}

function show(v: unknown): string {
  return inspect(v, { depth: 4, breakLength: Infinity, maxStringLength: 200, maxArrayLength: 20 });
}
