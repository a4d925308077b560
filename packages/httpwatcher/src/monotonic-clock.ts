/**
 * Converts bpf_ktime_get_ns() timestamps (CLOCK_MONOTONIC) to wall-clock time. Node's
 * process.hrtime.bigint() reads the same clock on Linux, so one offset taken at start suffices.
 */
export class MonotonicClock {
  private readonly wallMinusMonotonicNs: bigint;
  /** The same offset as whole milliseconds plus 0–999 999 ns, so that number arithmetic stays exact. */
  private readonly offsetMs: number;
  private readonly offsetRestNs: number;

  constructor(nowMs: number = Date.now(), monotonicNs: bigint = process.hrtime.bigint()) {
    this.wallMinusMonotonicNs = BigInt(Math.round(nowMs * 1e6)) - monotonicNs;
    let ms = this.wallMinusMonotonicNs / 1_000_000n;
    let rest = this.wallMinusMonotonicNs % 1_000_000n;
    if (rest < 0n) {
      ms -= 1n;
      rest += 1_000_000n;
    }
    this.offsetMs = Number(ms);
    this.offsetRestNs = Number(rest);
  }

  toDate(monotonicNs: bigint): Date {
    if (monotonicNs <= BigInt(Number.MAX_SAFE_INTEGER) - 1_000_000n) return this.dateOfNs(Number(monotonicNs));
    return new Date(Number((monotonicNs + this.wallMinusMonotonicNs) / 1_000_000n));
  }

  /** `toDate` without bigints, for counts below 2^53 − 10^6 ns (104 days of uptime). */
  dateOfNs(monotonicNs: number): Date {
    return new Date(this.msOfNs(monotonicNs));
  }

  /** `dateOfNs(…).getTime()` without the Date. */
  msOfNs(monotonicNs: number): number {
    const ns = monotonicNs + this.offsetRestNs;
    return this.offsetMs + (ns - (ns % 1e6)) / 1e6;
  }
}
