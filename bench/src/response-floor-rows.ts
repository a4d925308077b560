import type { ResponseFloorResult } from './response-floor.js';
import type { ObservationSite } from './return-observation-sites.js';
import { max, median, min } from './stats.js';
import { fmt, type Row } from './table.js';

/** Target of issue 17: response mode's added cost per call against the counting floor of the same sites. */
export const responseFloorTarget = 1.3;

/** `median [min–max]` of a mode's added ns per call over the rounds. */
const spread = (values: readonly number[]): string =>
  `${fmt(median(values))} [${fmt(min(values))}–${fmt(max(values))}]`;

/** Per-round ratios of two modes' added ns per call, as `median [min–max]`. */
function roundRatios(over: readonly number[], under: readonly number[]): number[] {
  return over.map((o, i) => o / (under[i] ?? Number.NaN)).filter(Number.isFinite);
}

const siteList = (sites: readonly ObservationSite[]): string =>
  sites
    .map(
      (s) =>
        `${s.function}+0x${s.address.toString(16)} ${s.instruction} (${s.emulated ? 'emulated' : 'single-stepped'}${s.instructionStart ? '' : ', NOT a proven instruction start'})`,
    )
    .join('; ');

/** The rows and notes of one binary's response-floor measurement. */
export function responseFloorFigure(r: ResponseFloorResult): { rows: Row[]; notes: string[] } {
  const a = r.addedNs;
  const m = (values: readonly number[]): number => median(values);
  const ratio = m(a.response) / m(a.floorReturns);
  const ratios = roundRatios(a.response, a.floorReturns);
  const rows: Row[] = [
    {
      figure: `--response added ns/call vs the counting floor of its sites (entry + ${r.sites.returns.length} RETs), ${r.label}`,
      measured: `${fmt(m(a.response))} ns`,
      baseline: `floor ${fmt(m(a.floorReturns))} ns (entry alone ${fmt(m(a.floorEntry))})`,
      ratio: `${fmt(ratio, 2)} × (rounds ${fmt(min(ratios), 2)}–${fmt(max(ratios), 2)})`,
      target: `≤ ${responseFloorTarget} ×`,
      met: ratio <= responseFloorTarget,
    },
  ];
  const retCost = m(a.floorReturns) - m(a.floorEntry);
  if (a.floorReturnAddress.length > 0) {
    const cost = m(a.floorReturnAddress) - m(a.floorEntry);
    rows.push({
      figure: `counting floor at the return address in the caller vs at the RETs (beyond the entry's), ${r.label}`,
      measured: `${fmt(cost)} ns`,
      baseline: `RETs ${fmt(retCost)} ns`,
      ratio: `${fmt(cost / retCost, 2)} ×`,
      target: 'reported',
      met: undefined,
    });
  }
  if (a.floorDeferBranch.length > 0) {
    const cost = m(a.floorDeferBranch) - m(a.floorEntry);
    rows.push({
      figure: `counting floor at the defer branches to the epilogues vs at the RETs (beyond the entry's), ${r.label}`,
      measured: `${fmt(cost)} ns`,
      baseline: `RETs ${fmt(retCost)} ns`,
      ratio: `${fmt(cost / retCost, 2)} ×`,
      target: 'reported (not as safe)',
      met: undefined,
    });
  }
  const s = r.sites;
  const notes = [
    `${r.label} (${r.goVersion}): untraced ${spread(r.nsPerCall.untraced)} ns/call; added ns/call, median [min–max] of ${r.iterations} paired rounds of ${fmt(r.calls)} calls: ` +
      `floor at the entry ${spread(a.floorEntry)}, floor at the entry + RETs ${spread(a.floorReturns)}, --response ${spread(a.response)}` +
      (a.floorReturnAddress.length ? `, floor at the entry + return addresses ${spread(a.floorReturnAddress)}` : '') +
      (a.floorDeferBranch.length ? `, floor at the entry + defer branches ${spread(a.floorDeferBranch)}` : '') +
      (r.problems.length ? `; problems: ${r.problems.join('; ')}` : ''),
    `${r.label}: RET sites: ${siteList(s.returns)}`,
    `${r.label}: return addresses (direct calls of Client.do): ${s.returnAddresses.length ? siteList(s.returnAddresses) : 'none'}` +
      (s.returnAddresses.some((x) => x.jumpTarget) ? '; some are also jump targets' : '; none is a jump target') +
      `; functions that jump to Client.do instead (tail calls): ${s.tailJumpsFrom.length ? s.tailJumpsFrom.join(', ') : 'none'}`,
    `${r.label}: defer branches to the epilogues: ${s.deferBranches.length ? siteList(s.deferBranches) : 'none'}`,
    `${r.label}: time inside response mode's BPF programs per hit (kernel.bpf_stats_enabled, one more round): ${r.programNs
      .map((p) => `${p.name} ${fmt(p.nsPerRun)} ns × ${fmt(p.runs)}`)
      .join(', ')}`,
  ];
  return { rows, notes };
}
