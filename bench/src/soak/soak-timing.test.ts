import { describe, expect, it } from 'vitest';
import { soakTiming } from './soak-timing.js';

describe('soakTiming', () => {
  it('warms up for the first 20 % of a long run and samples every 10 s', () => {
    expect(soakTiming(30)).toEqual({ durationMs: 1_800_000, warmupMs: 360_000, sampleIntervalMs: 10_000 });
  });

  it('warms up for at least a minute', () => {
    expect(soakTiming(4)).toEqual({ durationMs: 240_000, warmupMs: 60_000, sampleIntervalMs: 10_000 });
  });

  it('warms up for half of a run of two minutes or less, sampling more often', () => {
    expect(soakTiming(2)).toEqual({ durationMs: 120_000, warmupMs: 60_000, sampleIntervalMs: 5_000 });
    expect(soakTiming(1)).toEqual({ durationMs: 60_000, warmupMs: 30_000, sampleIntervalMs: 2_500 });
    expect(soakTiming(0.1).sampleIntervalMs).toBe(2_000);
  });
});
