import { loadavg } from 'node:os';
import { statusKb } from '../cli-memory.js';
import { cpuUsOf } from '../process-cpu.js';
import type { BpfMapEntries } from './bpf-map-entries.js';
import { type FdCounts, steadyFds } from './cli-descriptors.js';
import type { ProgramTally } from './program-runs.js';
import type { RequestLines } from './request-lines.js';

/** The CLI and the load at one moment of the soak. */
export interface SoakSample {
  /** Since the load started. */
  tMs: number;
  rssKb: number;
  /** Peak resident memory so far (VmHWM). */
  hwmKb: number;
  fds: FdCounts;
  /** The regular files among them: the output, and the binaries the CLI keeps open. */
  files: string[];
  /** The CLI's threads when its descriptors were counted. */
  threads: number;
  /** Entries in the CLI's hash maps, by name. */
  mapEntries: Record<string, number>;
  /** The CLI's CPU time since the previous sample, as a share of one CPU. */
  cliCpuPercent: number;
  /** Request lines the CLI wrote so far, and per second since the previous sample. */
  printed: number;
  printedPerSec: number;
  /** Requests the programs that ended so far said they sent. */
  sent: number;
  programRuns: number;
  load1: number;
}

/** Takes samples of the CLI `pid`; each knows the one before it, for rates. */
export class SoakSampler {
  readonly samples: SoakSample[] = [];
  private last: { tMs: number; cpuUs: number; printed: number };

  constructor(
    private readonly pid: number,
    private readonly maps: BpfMapEntries,
    private readonly lines: RequestLines,
    private readonly tally: ProgramTally,
    private readonly startMs: number,
  ) {
    this.last = { tMs: 0, cpuUs: cpuUsOf(pid), printed: lines.total };
  }

  async take(): Promise<SoakSample> {
    const fds = await steadyFds(this.pid);
    const tMs = performance.now() - this.startMs;
    const cpuUs = cpuUsOf(this.pid);
    const printed = this.lines.total;
    const seconds = Math.max(1e-3, (tMs - this.last.tMs) / 1000);
    const sample: SoakSample = {
      tMs,
      rssKb: statusKb(this.pid, 'VmRSS'),
      hwmKb: statusKb(this.pid, 'VmHWM'),
      fds: fds.counts,
      files: fds.files,
      threads: fds.threads,
      mapEntries: await this.maps.count(),
      cliCpuPercent: ((cpuUs - this.last.cpuUs) / (seconds * 1e6)) * 100,
      printed,
      printedPerSec: (printed - this.last.printed) / seconds,
      sent: this.tally.requests,
      programRuns: this.tally.runs,
      load1: loadavg()[0]!,
    };
    this.last = { tMs, cpuUs, printed };
    this.samples.push(sample);
    return sample;
  }
}
