import { describe, expect, it } from 'vitest';
import { MonotonicClock } from './monotonic-clock.js';

describe('MonotonicClock', () => {
  it('places a monotonic timestamp on the wall clock, to the millisecond below', () => {
    // The wall clock reads …263.699968 ms (the nearest double to …263.7) at monotonic 5 000 s.
    const clock = new MonotonicClock(1_764_138_331_263.7, 5_000_000_000_000n);
    expect(clock.toDate(5_000_000_000_000n).getTime()).toBe(1_764_138_331_263);
    expect(clock.toDate(5_000_000_300_031n).getTime()).toBe(1_764_138_331_263);
    expect(clock.toDate(5_000_000_300_032n).getTime()).toBe(1_764_138_331_264);
    expect(clock.toDate(6_000_000_300_032n).getTime()).toBe(1_764_139_331_264);
  });

  it('gives the same time from a number as from a bigint', () => {
    const clock = new MonotonicClock(1_764_138_331_264, 123_456_789_012_345n);
    for (const ns of [0n, 999_999n, 1_000_000n, 123_456_789_012_345n, 2n ** 52n + 12_345n, 2n ** 53n - 1_000_001n]) {
      const viaBigint = Number((ns + 1_764_138_331_264_000_000n - 123_456_789_012_345n) / 1_000_000n);
      expect([clock.toDate(ns).getTime(), clock.dateOfNs(Number(ns)).getTime()]).toEqual([viaBigint, viaBigint]);
    }
    expect(clock.toDate(2n ** 63n).getTime()).toBe(
      Number((2n ** 63n + 1_764_138_331_264_000_000n - 123_456_789_012_345n) / 1_000_000n),
    );
  });
});
