/**
 * Converts bpf_ktime_get_ns() timestamps (CLOCK_MONOTONIC) to wall-clock time. Node's
 * process.hrtime.bigint() reads the same clock on Linux, so one offset taken at start suffices.
 */
export class MonotonicClock {
  private readonly wallMinusMonotonicNs: bigint;

  constructor(nowMs: number = Date.now(), monotonicNs: bigint = process.hrtime.bigint()) {
    this.wallMinusMonotonicNs = BigInt(Math.round(nowMs * 1e6)) - monotonicNs;
  }

  toDate(monotonicNs: bigint): Date {
    return new Date(Number((monotonicNs + this.wallMinusMonotonicNs) / 1_000_000n));
  }
}
