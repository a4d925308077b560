import { readFileSync } from 'node:fs';
import type { SnooperStats } from 'httpwatcher';
import { escapeControls } from './terminal-text.js';

interface ProcessCount {
  name: string;
  captured: number;
  printed: number;
  /** Captured, then dropped from the Snooper's queue before the output loop got them. */
  dropped: number;
}

const unknownName = '?';

const commOf = (pid: number): string => {
  try {
    // The kernel ends comm with a newline; the process chose every other byte (prctl PR_SET_NAME).
    return readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return unknownName;
  }
};

/** Per-process request counts for the exit summary; names are read while the process still lives. */
export class TraceSummary {
  private readonly byPid = new Map<number, ProcessCount>();
  /** The row of the last request's process: at full rate, request after request comes from the same one. */
  private last: { pid: number; row: ProcessCount } | undefined;
  printed = 0;

  /**
   * Registers a traced process so it is listed even with no requests. A name given later replaces
   * one that could not be read: a short-lived process's requests may come before its attach notice.
   */
  track(pid: number, name?: string): void {
    const row = this.byPid.get(pid);
    if (!row) this.byPid.set(pid, { name: name ?? commOf(pid), captured: 0, printed: 0, dropped: 0 });
    else if (name !== undefined && row.name === unknownName) row.name = name;
  }

  captured(pid: number, printed: boolean): void {
    let last = this.last;
    if (last?.pid !== pid) {
      this.track(pid);
      last = this.last = { pid, row: this.byPid.get(pid)! };
    }
    const row = last.row;
    row.captured++;
    if (printed) {
      row.printed++;
      this.printed++;
    }
  }

  /** A request of `pid` the kernel captured but the Snooper dropped from its full queue. */
  dropped(pid: number): void {
    this.track(pid);
    const row = this.byPid.get(pid)!;
    row.captured++;
    row.dropped++;
  }

  /**
   * Lines for stderr: totals and drop counters, then one line per process (its name escaped). With
   * --quiet the requests kept went to the exporters only: `kept` names them.
   */
  format(stats: SnooperStats, kept: 'printed' | 'exported' = 'printed'): string {
    const lines = [
      `${stats.events} requests captured, ${this.printed} ${kept}, ${stats.kernelDrops} dropped by kernel, ` +
        `${stats.queueDrops} dropped from queue, ${stats.readErrors} incomplete reads`,
    ];
    if (stats.scratchDrops > 0) {
      lines.push(
        `${stats.scratchDrops} requests missed by the kernel: every scratch slot of their CPU was held by preempted requests`,
      );
    }
    if (stats.responsesNotAwaited > 0 || stats.responsesUnmatched > 0) {
      lines.push(
        `--response: ${stats.responsesNotAwaited} requests printed before their call returned (too many in flight), ` +
          `${stats.responsesUnmatched} returns whose request was not seen`,
      );
    }
    for (const [pid, row] of [...this.byPid].sort(([a], [b]) => a - b)) {
      const dropped = row.dropped > 0 ? `, ${row.dropped} dropped from queue` : '';
      lines.push(
        `  pid ${pid} (${escapeControls(row.name)}): ${row.captured} captured, ${row.printed} ${kept}${dropped}`,
      );
    }
    return lines.map((l) => `httpwatcher: ${l}\n`).join('');
  }
}
