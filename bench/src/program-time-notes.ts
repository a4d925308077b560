import type { ProgramTime } from './program-times.js';
import { fmt } from './table.js';

/**
 * Notes on the time spent inside the BPF programs per hit, and, when the probe cost per call misses
 * its mark, how much of it the program alone explains. `floorAddedNs`: the in-process floor's added
 * cost per call.
 */
export function programTimeNotes(runTime: readonly ProgramTime[], floorAddedNs: number): string[] {
  const notes: string[] = [];
  const ours = runTime.find((r) => r.mode === 'httpwatcher');
  const floor = runTime.find((r) => r.mode === 'floor');
  notes.push(
    `time inside the BPF programs per hit (kernel.bpf_stats_enabled, one in-process round each): ` +
      runTime
        .map(
          (r) =>
            `${r.mode} ${r.programs.map((p) => `${p.name} ${fmt(p.nsPerRun)} ns × ${fmt(p.runs)}`).join(' + ') || 'not seen by bpftool'}`,
        )
        .join('; '),
  );
  if (ours && floor) {
    notes.push(
      `httpwatcher's program spends ${fmt(ours.nsPerHit - floor.nsPerHit)} ns per hit more than the counting floor's`,
    );
    // Why the probe cost per call is missed when it is: what the program alone costs, against what the
    // target leaves it.
    const allowed = 0.15 * floorAddedNs;
    if (ours.nsPerHit - floor.nsPerHit > allowed) {
      notes.push(
        `probe cost per call against the same-address floor: the target leaves ${fmt(allowed)} ns per call beyond the trap, and httpwatcher's BPF program alone ` +
          `runs ${fmt(ours.nsPerHit)} ns per hit; the rest of the added cost is the trap and the Node.js consumer's CPU ` +
          `(see the pipeline note); BENCHMARKS.md says what the program reads`,
      );
    }
  }
  return notes;
}
