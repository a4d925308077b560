import { median } from '../stats.js';
import { fmt, type Row } from '../table.js';
import { heldFds } from './cli-descriptors.js';
import type { SoakSample } from './soak-sample.js';

/** Growth of resident memory over the samples after warm-up: the median of the first window against the last. */
export interface RssGrowth {
  fromKb: number;
  toKb: number;
  percent: number;
  /** Samples in each window: a sixth of those after warm-up, so one late collection does not decide. */
  window: number;
}

export function rssGrowth(samples: readonly SoakSample[], warmupMs: number): RssGrowth | undefined {
  const after = samples.filter((s) => s.tMs >= warmupMs);
  if (after.length < 2) return undefined;
  const window = Math.max(1, Math.round(after.length / 6));
  const fromKb = median(after.slice(0, window).map((s) => s.rssKb));
  const toKb = median(after.slice(-window).map((s) => s.rssKb));
  return { fromKb, toKb, percent: ((toKb - fromKb) / fromKb) * 100, window };
}

export interface Range {
  min: number;
  max: number;
}

export function rangeAfter(
  samples: readonly SoakSample[],
  warmupMs: number,
  pick: (s: SoakSample) => number,
): Range | undefined {
  const values = samples.filter((s) => s.tMs >= warmupMs).map(pick);
  return values.length === 0 ? undefined : { min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Descriptors after warm-up (but the /proc files being read, see FdCounts.proc) at each thread count of the CLI. The binary analyzer's worker thread
 * (packages/go-offsets/src/analysis/binary-analyzer.ts) exits after 10 s without work and starts
 * again for the next never-seen binary, with descriptors of its own: "constant" holds at each
 * thread count.
 */
export function fdsByThreads(samples: readonly SoakSample[], warmupMs: number): Map<number, Range> {
  const groups = new Map<number, Range>();
  for (const s of samples.filter((x) => x.tMs >= warmupMs)) {
    const held = heldFds(s.fds);
    const r = groups.get(s.threads);
    groups.set(s.threads, r ? { min: Math.min(r.min, held), max: Math.max(r.max, held) } : { min: held, max: held });
  }
  return new Map([...groups].sort(([a], [b]) => a - b));
}

/** Files (but /proc ones) the CLI held open in some samples after warm-up but not in all of them. */
export function filesComingAndGoing(samples: readonly SoakSample[], warmupMs: number): string[] {
  const after = samples.filter((s) => s.tMs >= warmupMs);
  const all = new Set(after.flatMap((s) => s.files).filter((f) => !f.startsWith('/proc/')));
  return [...all].filter((f) => !after.every((s) => s.files.includes(f))).sort();
}

/** The requests of the run, from the programs and from the CLI. */
export interface EventAccount {
  /** What the soak's programs said they sent (runs that ended by themselves). */
  sent: number;
  /** Request lines of those programs' PIDs in the CLI's output. */
  printed: number;
  /** All request lines in the output, of any process, and what the CLI's summary says it printed. */
  linesTotal: number;
  cliPrinted: number;
  /** Drops the CLI counted, for every process it traced (it does not say whose). */
  kernelDrops: number;
  scratchDrops: number;
  queueDrops: number;
}

export const countedDrops = (a: EventAccount): number => a.kernelDrops + a.scratchDrops + a.queueDrops;

/**
 * Sent, less printed, less every drop counted. The drops are the CLI's totals: they may include
 * other processes' requests, and kernel drops count any record (notices and returns too), so this
 * errs on the side of "counted"; with no drops it is exact.
 */
export const lostUncounted = (a: EventAccount): number => a.sent - a.printed - countedDrops(a);

const mb = (kb: number): string => `${fmt(kb / 1024, 1)} MB`;
const range = (r: Range): string => (r.min === r.max ? `${fmt(r.min)} throughout` : `${fmt(r.min)}–${fmt(r.max)}`);

/** The four targets, judged on the samples after warm-up and on the event account. */
export function judgeSoak(samples: readonly SoakSample[], warmupMs: number, events: EventAccount): Row[] {
  const warm = `after warm-up (${fmt(warmupMs / 60_000, 1)} min)`;
  const growth = rssGrowth(samples, warmupMs);
  const fds = fdsByThreads(samples, warmupMs);
  const links = rangeAfter(samples, warmupMs, (s) => s.fds.bpfLinks);
  const perf = rangeAfter(samples, warmupMs, (s) => s.fds.perfEvents);
  const varying = filesComingAndGoing(samples, warmupMs).map((f) => f.split('/').slice(-3).join('/'));
  const procMax = rangeAfter(samples, warmupMs, (s) => s.fds.proc)?.max ?? 0;
  const lost = lostUncounted(events);
  const hwm = samples.length ? Math.max(...samples.map((s) => s.hwmKb)) : Number.NaN;
  return [
    {
      figure: `CLI resident memory (VmRSS) growth ${warm}`,
      measured: growth ? `${growth.percent >= 0 ? '+' : ''}${fmt(growth.percent, 1)} %` : 'too few samples',
      baseline: growth
        ? `${mb(growth.fromKb)} → ${mb(growth.toKb)} (medians of ${growth.window} samples); VmHWM ${mb(hwm)}`
        : '-',
      ratio: '-',
      target: '< 5 %',
      met: growth ? growth.percent < 5 : undefined,
    },
    {
      figure: `CLI open descriptors ${warm}`,
      measured: fds.size
        ? [...fds].map(([threads, r]) => `${range(r)} with ${threads} threads`).join('; ')
        : 'no samples',
      baseline:
        (samples.length ? `${fmt(heldFds(samples[0]!.fds))} at the first sample` : '-') +
        (procMax ? `; /proc files being read not counted (up to ${procMax} at a sample)` : '') +
        (varying.length ? `; files held at times: ${varying.join(', ')}` : ''),
      ratio: '-',
      target: 'constant (at each thread count)',
      met: fds.size ? [...fds.values()].every((r) => r.min === r.max) : undefined,
    },
    {
      figure: `CLI BPF links ${warm}`,
      measured: links ? range(links) : 'no samples',
      baseline: perf ? `perf events ${range(perf)}` : '-',
      ratio: '-',
      target: 'constant',
      met: links && perf ? links.min === links.max && perf.min === perf.max : undefined,
    },
    {
      figure: 'requests lost without being counted',
      measured: fmt(Math.max(0, lost)),
      baseline:
        `sent ${fmt(events.sent)}, printed ${fmt(events.printed)}, counted drops ${fmt(countedDrops(events))}` +
        (events.linesTotal === events.cliPrinted
          ? ''
          : `; output ${fmt(events.linesTotal)} lines, CLI says ${fmt(events.cliPrinted)} printed`),
      ratio: '-',
      target: '0',
      met: lost <= 0 && events.printed <= events.sent && events.linesTotal === events.cliPrinted,
    },
  ];
}
