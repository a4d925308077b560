import { median } from '../stats.js';
import { fmt, type Row } from '../table.js';
import { heldFds } from './cli-descriptors.js';
import { filesComingAndGoing, heldFdRanges, othersKey, type Range, rangeAfter, rangesBy } from './sample-ranges.js';
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
const range = (r: Range): string => (r.min === r.max ? `${fmt(r.min)} throughout` : `${fmt(r.min)}–${fmt(r.max)}`);
const ranges = (groups: Map<string, Range>, joiner: string): string =>
  [...groups].map(([key, r]) => `${range(r)}${key ? `${joiner}${key}` : ''}`).join('; ');
const constant = (groups: Map<string, Range>): boolean | undefined =>
  groups.size ? [...groups.values()].every((r) => r.min === r.max) : undefined;

/**
 * The issue's four targets, judged on the samples after warm-up and on the event account.
 * Descriptors and links are compared between samples taken in the same conditions (sample-ranges.ts).
 */
export function judgeSoak(samples: readonly SoakSample[], warmupMs: number, events: EventAccount): Row[] {
  const warm = `after warm-up (${fmt(warmupMs / 60_000, 1)} min)`;
  const growth = rssGrowth(samples, warmupMs);
  const fds = heldFdRanges(samples, warmupMs);
  const links = rangesBy(samples, warmupMs, othersKey, (s) => s.fds.bpfLinks);
  const perf = rangesBy(samples, warmupMs, othersKey, (s) => s.fds.perfEvents);
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
      measured: fds.size ? ranges(fds, ' with ') : 'no samples',
      baseline:
        (samples.length ? `${fmt(heldFds(samples[0]!.fds))} at the first sample` : '-') +
        (procMax ? `; /proc files being read not counted (up to ${procMax} at a sample)` : '') +
        (varying.length ? `; files held at times: ${varying.join(', ')}` : ''),
      ratio: '-',
      target: 'constant',
      met: constant(fds),
    },
    {
      figure: `CLI BPF links ${warm}`,
      measured: links.size ? ranges(links, ' ') : 'no samples',
      baseline: perf.size ? `perf events ${ranges(perf, ' ')}` : '-',
      ratio: '-',
      target: 'constant',
      met: links.size ? constant(links)! && constant(perf)! : undefined,
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
