import { fmt } from '../table.js';
import { heldFds } from './cli-descriptors.js';
import type { SoakSample } from './soak-sample.js';

/** Short column names for the maps whose entries are sampled, in the order of the table. */
const mapColumns: Array<[string, string]> = [
  ['traced_procs', 'procs'],
  ['watched', 'watched'],
  ['probe_configs', 'configs'],
  ['probe_sites', 'sites'],
  ['held', 'held'],
  ['ignored', 'ignored'],
  ['calls', 'calls'],
];

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** At most `maxRows` samples, evenly spread, always with the last. */
export function spreadSamples<T>(samples: readonly T[], maxRows: number): T[] {
  if (samples.length <= maxRows) return [...samples];
  const step = (samples.length - 1) / (maxRows - 1);
  return Array.from({ length: maxRows }, (_, i) => samples[Math.round(i * step)]!);
}

/**
 * The samples as a Markdown table: time, memory, descriptors (but the /proc files being read,
 * counted apart), map entries, rates, the running totals.
 */
export function formatSamples(samples: readonly SoakSample[], warmupMs: number, maxRows = 30): string {
  const header = [
    'time',
    'RSS MB',
    'HWM MB',
    'fds',
    'threads',
    'links',
    'perf',
    'files',
    '/proc',
    ...mapColumns.map(([, short]) => short),
    'CLI CPU %',
    'printed/s',
    'sent',
    'printed',
    'load',
  ];
  const rows = spreadSamples(samples, maxRows).map((s) => [
    `${clock(s.tMs)}${s.tMs < warmupMs ? ' w' : ''}`,
    fmt(s.rssKb / 1024, 1),
    fmt(s.hwmKb / 1024, 1),
    fmt(heldFds(s.fds)),
    fmt(s.threads),
    fmt(s.fds.bpfLinks),
    fmt(s.fds.perfEvents),
    fmt(s.fds.files),
    fmt(s.fds.proc),
    ...mapColumns.map(([name]) => (s.mapEntries[name] === undefined ? '-' : fmt(s.mapEntries[name]!))),
    fmt(s.cliCpuPercent),
    fmt(s.printedPerSec),
    fmt(s.sent),
    fmt(s.printed),
    fmt(s.load1, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
