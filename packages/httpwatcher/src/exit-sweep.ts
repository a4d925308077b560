import type { ProcessTable } from './process-table.js';
import type { SnooperLifetime } from './snooper-lifetime.js';

/** How often traced processes are looked for in /proc, by default. */
export const defaultExitSweepMs = 10_000;

/**
 * Finds traced processes that are gone although no exit record said so: the BPF exit tracepoint
 * writes the record into the ring, and a full ring refuses it (counted in kernelDrops). Without
 * this, such a process stayed traced in user space for the Snooper's life, and its binary probed.
 * Every `periodMs` each traced process's start time is read from /proc; one whose PID is gone, or
 * names a newer process, is let go as an exit after the ring is drained (its record may be there).
 */
export class ExitSweep {
  /** Processes let go here (stats().exitsSwept). */
  swept = 0;
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly parts: {
      processes: Pick<ProcessTable, 'tracedProcesses' | 'onGone'>;
      lifetime: SnooperLifetime;
      /** Decodes what the ring holds now. */
      flush: () => void;
      /** readStartTime (process-facts.ts): null when the PID is gone, undefined when unknown. */
      startTimeOf: (pid: number) => Promise<string | null | undefined>;
      nowNs: () => bigint;
    },
    periodMs: number,
  ) {
    this.timer = setInterval(() => void this.sweep(), periodMs);
    this.timer.unref();
  }

  /** One pass; resolves how many processes it let go. */
  async sweep(): Promise<number> {
    if (this.running || this.parts.lifetime.closed) return 0;
    this.running = true;
    try {
      const gone: Array<{ pid: number; startTime: string }> = [];
      for (const traced of this.parts.processes.tracedProcesses()) {
        const now = await this.parts.startTimeOf(traced.pid);
        if (now === null || (now !== undefined && now !== traced.startTime)) gone.push(traced);
      }
      if (gone.length === 0 || this.parts.lifetime.closed) return 0;
      this.parts.flush();
      let swept = 0;
      for (const { pid, startTime } of gone)
        if (this.parts.processes.onGone(pid, startTime, this.parts.nowNs())) swept++;
      this.swept += swept;
      return swept;
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
