export interface SoakTiming {
  durationMs: number;
  /** Samples before this are warm-up: the targets are judged on the samples after it. */
  warmupMs: number;
  sampleIntervalMs: number;
}

const minute = 60_000;

/**
 * Warm-up is the first 20 % of the run, at least a minute (the V8 heap, the backlog's blocks and
 * the binaries' probes settle in the first seconds at full rate), but never more than half the
 * run, so a short run still has samples to judge. Samples every 10 s, more often in short runs
 * (at least 24 per run, at most one every 2 s).
 */
export function soakTiming(minutes: number): SoakTiming {
  const durationMs = Math.round(minutes * minute);
  const warmupMs = Math.min(Math.max(minute, durationMs * 0.2), durationMs / 2);
  const sampleIntervalMs = Math.min(10_000, Math.max(2_000, Math.floor(durationMs / 24)));
  return { durationMs, warmupMs, sampleIntervalMs };
}
