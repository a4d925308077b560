import { basename } from 'node:path';
import { heldFds } from './cli-descriptors.js';
import type { SoakSample } from './soak-sample.js';

export interface Range {
  min: number;
  max: number;
}

const after = (samples: readonly SoakSample[], warmupMs: number): SoakSample[] =>
  samples.filter((s) => s.tMs >= warmupMs);

/** The least and most of a figure over the samples after warm-up. */
export function rangeAfter(
  samples: readonly SoakSample[],
  warmupMs: number,
  pick: (s: SoakSample) => number,
): Range | undefined {
  const values = after(samples, warmupMs).map(pick);
  return values.length === 0 ? undefined : { min: Math.min(...values), max: Math.max(...values) };
}

/** The range of a figure after warm-up in each group of samples that `key` names. */
export function rangesBy(
  samples: readonly SoakSample[],
  warmupMs: number,
  key: (s: SoakSample) => string,
  pick: (s: SoakSample) => number,
): Map<string, Range> {
  const groups = new Map<string, Range>();
  for (const s of after(samples, warmupMs)) {
    const value = pick(s);
    const r = groups.get(key(s));
    groups.set(key(s), r ? { min: Math.min(r.min, value), max: Math.max(r.max, value) } : { min: value, max: value });
  }
  return groups;
}

/**
 * `--all` also traces Go programs that are not the soak's (another engineer's benchmark): each
 * binary brings its probes' links and perf events, and the files the CLI keeps open, while it runs.
 */
export const othersKey = (s: SoakSample): string =>
  s.otherTraced.length ? `while ${[...new Set(s.otherTraced.map((exe) => basename(exe)))].join(', ')} traced` : '';

/**
 * The binary analyzer's worker thread (packages/go-offsets/src/analysis/binary-analyzer.ts) exits
 * after 10 s without work and starts again for the next never-seen binary, with 4 descriptors of
 * its own (Node 20): descriptors are compared at the same thread count, and the same other programs.
 */
export const fdsKey = (s: SoakSample): string => [`${s.threads} threads`, othersKey(s)].filter(Boolean).join(', ');

/** Descriptors after warm-up per thread count and other programs traced, but the /proc files being read. */
export const heldFdRanges = (samples: readonly SoakSample[], warmupMs: number): Map<string, Range> =>
  rangesBy(samples, warmupMs, fdsKey, (s) => heldFds(s.fds));

/** Files (but /proc ones) the CLI held open in some samples after warm-up but not in all of them. */
export function filesComingAndGoing(samples: readonly SoakSample[], warmupMs: number): string[] {
  const late = after(samples, warmupMs);
  const all = new Set(late.flatMap((s) => s.files).filter((f) => !f.startsWith('/proc/')));
  return [...all].filter((f) => !late.every((s) => s.files.includes(f))).sort();
}
