import { median } from '../stats.js';
import { fmt, type Row } from '../table.js';
import { heldFds } from './cli-descriptors.js';
import {
  filesComingAndGoing,
  floorsAtFewestBinaries,
  type LevelFloors,
  type Range,
  rangeAfter,
} from './sample-ranges.js';
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
const range = (r: Range): string => (r.min === r.max ? fmt(r.min) : `${fmt(r.min)}–${fmt(r.max)}`);
const floorOrNone = (n: number | undefined): string => (n === undefined ? 'none' : fmt(n));
const floorText = (f: LevelFloors): string => `${floorOrNone(f.first)} → ${floorOrNone(f.last)}`;
const windows = (f: LevelFloors): string =>
  (f.window === 1 ? 'first and last sample' : `fewest of the first and last ${f.window} samples`) +
  (f.mostBinaries > f.binaries
    ? ` taken while ${f.binaries} binaries were probed (the fewest; up to ${f.mostBinaries} at times: other Go programs under --all)`
    : '');
/** Met when the last floor is no higher than the first; not judged when a window has no sample at the level. */
const steady = (...all: LevelFloors[]): boolean | undefined =>
  all.some((f) => f.first === undefined || f.last === undefined) ? undefined : all.every((f) => f.last! <= f.first!);
const listed = (items: string[], most = 4): string =>
  items.length > most ? `${items.slice(0, most).join(', ')} and ${items.length - most} more` : items.join(', ');

/**
 * The four targets, judged on the samples after warm-up and on the event account.
 * Descriptors and links are "constant" when their floor at the end is where it was after warm-up,
 * both counted at the fewest binaries probed (sample-ranges.ts says why not every sample); a window
 * with no such sample is not judged.
 */
export function judgeSoak(samples: readonly SoakSample[], warmupMs: number, events: EventAccount): Row[] {
  const warm = `after warm-up (${fmt(warmupMs / 60_000, 1)} min)`;
  const growth = rssGrowth(samples, warmupMs);
  const fds = floorsAtFewestBinaries(samples, warmupMs, (s) => heldFds(s.fds));
  const links = floorsAtFewestBinaries(samples, warmupMs, (s) => s.fds.bpfLinks);
  const perf = floorsAtFewestBinaries(samples, warmupMs, (s) => s.fds.perfEvents);
  const fdRange = rangeAfter(samples, warmupMs, (s) => heldFds(s.fds));
  const linkRange = rangeAfter(samples, warmupMs, (s) => s.fds.bpfLinks);
  const threads = rangeAfter(samples, warmupMs, (s) => s.threads);
  const procMax = rangeAfter(samples, warmupMs, (s) => s.fds.proc)?.max ?? 0;
  const varying = filesComingAndGoing(samples, warmupMs).map((f) => f.split('/').slice(-2).join('/'));
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
      measured: fds ? floorText(fds) : 'too few samples',
      baseline: fds
        ? `${windows(fds)}; all samples ${range(fdRange!)}, threads ${range(threads!)}` +
          (procMax ? `; /proc files being read not counted (up to ${procMax})` : '') +
          (varying.length ? `; files held at times: ${listed(varying)}` : '')
        : '-',
      ratio: '-',
      target: 'constant (floor)',
      met: fds ? steady(fds) : undefined,
    },
    {
      figure: `CLI BPF links ${warm}`,
      measured: links ? floorText(links) : 'too few samples',
      baseline: links && perf ? `perf events ${floorText(perf)}; all samples ${range(linkRange!)}` : '-',
      ratio: '-',
      target: 'constant (floor)',
      met: links && perf ? steady(links, perf) : undefined,
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
