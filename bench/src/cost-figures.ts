import type { CostResult } from './cost-per-call.js';
import { max, median, min } from './stats.js';
import { fmt, type Row } from './table.js';

/** The table rows and the note of one probe-cost measurement (one transport, one header-value kind). */
export function costFigures(cost: CostResult, label: string): { rows: Row[]; note: string } {
  const rows: Row[] = [];
  const a = cost.addedNs;
  const measured = (mode: keyof CostResult['nsPerCall']): boolean => cost.nsPerCall[mode].length > 0;
  const vsFloor = a.httpwatcher / a.floor;
  // How far untraced rounds of this run wander: an added cost below it cannot be told from noise.
  const untraced = cost.nsPerCall.untraced;
  const noise = (max(untraced) - min(untraced)) / 2;
  const resolvable = a.floor > noise;
  rows.push({
    figure: `probe cost per call, ${label}`,
    measured: `${fmt(a.httpwatcher)} ns`,
    baseline: `floor ${fmt(a.floor)} ns${resolvable ? '' : ` (untraced rounds vary ±${fmt(noise)} ns)`}`,
    ratio: resolvable ? `${fmt(vsFloor, 2)} ×` : 'noise',
    target: '≤ 1.15 ×',
    met: resolvable ? vsFloor <= 1.15 : undefined,
  });
  // The floor at the function entry: a counting probe on the function's first instruction, which
  // the kernel single-steps. httpwatcher's probe sits after the stack check, where it is emulated.
  const vsEntryFloor = a.httpwatcher / a.floorAtEntry;
  rows.push({
    figure: `probe cost per call vs the floor at the function entry, ${label}`,
    measured: `${fmt(a.httpwatcher)} ns`,
    baseline: `floor at entry ${fmt(a.floorAtEntry)} ns`,
    ratio: `${fmt(vsEntryFloor, 2)} ×`,
    target: '≤ 1.15 ×',
    met: vsEntryFloor <= 1.15,
  });
  const bpftraceRatio = a.bpftrace / a.httpwatcher;
  if (measured('bpftrace'))
    rows.push({
      figure: `bpftrace printing vs httpwatcher, ${label}`,
      measured: `bpftrace ${fmt(a.bpftrace)} ns`,
      baseline: `httpwatcher ${fmt(a.httpwatcher)} ns`,
      ratio: `${fmt(bpftraceRatio, 2)} ×`,
      target: '≥ 2 ×',
      met: bpftraceRatio >= 2,
    });
  if (measured('httpwatcherResponse'))
    rows.push({
      figure: `--response added ns/call, ${label}`,
      measured: `${fmt(a.httpwatcherResponse)} ns`,
      baseline: `entry only ${fmt(a.httpwatcher)} ns`,
      ratio: `${fmt(a.httpwatcherResponse / a.httpwatcher, 2)} ×`,
      target: 'reported',
      met: undefined,
    });
  if (measured('httpwatcherTransport'))
    rows.push({
      figure: `--transport added ns/call (Client.do and Transport.roundTrip probes), ${label}`,
      measured: `${fmt(a.httpwatcherTransport)} ns`,
      baseline: `Client.do only ${fmt(a.httpwatcher)} ns`,
      ratio: `${fmt(a.httpwatcherTransport / a.httpwatcher, 2)} ×`,
      target: 'reported',
      met: undefined,
    });
  const note =
    `${label}: untraced ${fmt(median(cost.nsPerCall.untraced))} ns/call; added ns/call (median of ${cost.iterations} paired rounds of ${cost.calls} calls): ` +
    (
      [
        ['floor', 'floor'],
        ['floorAtEntry', 'floor at the function entry'],
        ['httpwatcher', 'httpwatcher'],
        ['httpwatcherResponse', 'httpwatcher --response'],
        ['httpwatcherTransport', 'httpwatcher --transport'],
        ['bpftrace', 'bpftrace printing'],
      ] as const
    )
      .filter(([mode]) => measured(mode))
      .map(([mode, name]) => `${name} ${fmt(a[mode])}`)
      .join(', ') +
    (cost.problems.length ? `; problems: ${cost.problems.join('; ')}` : '');
  return { rows, note };
}
