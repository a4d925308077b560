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

/** A figure's floor at the start and at the end of the samples after warm-up. */
export interface Floors {
  /** The fewest in the first window, and in the last. */
  first: number;
  last: number;
  /** Samples in each window: a sixth of those after warm-up. */
  window: number;
}

/**
 * Whether a count comes back to where it was. Between samples the CLI holds things for a while
 * that are not leaks: a binary it examines or probes for another program on the machine (`--all`),
 * the /proc file it is reading, its analyzer's worker thread, which exits after 10 s without work;
 * the CLI short of CPU, "a while" can be seconds. A leak raises the floor, the fewest over a window
 * of samples, and the floor of the last window stays above the first.
 */
export function floors(
  samples: readonly SoakSample[],
  warmupMs: number,
  pick: (s: SoakSample) => number,
): Floors | undefined {
  const values = after(samples, warmupMs).map(pick);
  if (values.length < 2) return undefined;
  const window = Math.max(1, Math.round(values.length / 6));
  return { first: Math.min(...values.slice(0, window)), last: Math.min(...values.slice(-window)), window };
}

/** Files (but /proc ones) the CLI held open in some samples after warm-up but not in all of them. */
export function filesComingAndGoing(samples: readonly SoakSample[], warmupMs: number): string[] {
  const late = after(samples, warmupMs);
  const all = new Set(late.flatMap((s) => s.files).filter((f) => !f.startsWith('/proc/')));
  return [...all].filter((f) => !late.every((s) => s.files.includes(f))).sort();
}

/** Binaries the CLI holds a probe for in a sample (probe_configs entries). */
export const probedBinaries = (s: SoakSample): number => s.mapEntries.probe_configs ?? 0;

/** floors() counted at one level of probed binaries; a window with no sample at that level has no floor. */
export interface LevelFloors {
  first: number | undefined;
  last: number | undefined;
  window: number;
  /** The level: the fewest binaries probed in any sample after warm-up. */
  binaries: number;
  /** The most probed in any sample after warm-up. */
  mostBinaries: number;
}

/**
 * floors(), counting only the samples taken while the fewest binaries of the run were probed. Under
 * `--all` another user's long-running Go program brings a probe of its own (its links, perf events
 * and two open files) for as long as it runs: that raises a floor without any leak. A window in
 * which such a program ran throughout cannot be judged (undefined), rather than judged wrongly.
 */
export function floorsAtFewestBinaries(
  samples: readonly SoakSample[],
  warmupMs: number,
  pick: (s: SoakSample) => number,
): LevelFloors | undefined {
  const late = after(samples, warmupMs);
  if (late.length < 2) return undefined;
  const levels = late.map(probedBinaries);
  const binaries = Math.min(...levels);
  const window = Math.max(1, Math.round(late.length / 6));
  const floorOf = (part: SoakSample[]): number | undefined => {
    const values = part.filter((s) => probedBinaries(s) === binaries).map(pick);
    return values.length === 0 ? undefined : Math.min(...values);
  };
  return {
    first: floorOf(late.slice(0, window)),
    last: floorOf(late.slice(-window)),
    window,
    binaries,
    mostBinaries: Math.max(...levels),
  };
}
