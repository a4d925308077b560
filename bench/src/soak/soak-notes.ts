import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { fmt } from '../table.js';
import type { ProgramTally, StormCounts } from './program-runs.js';
import type { TracedCli } from './traced-cli.js';

/** How many runs of each program, the storm's starts, and the runs that did not exit 0. */
export function programNotes(
  tally: ProgramTally,
  storm: StormCounts,
  stormMaxAlive: number,
  /** Set when runs still going this long after the time was up were killed. */
  killedAfterMs: number | undefined,
): string[] {
  const notes = [
    `programs: ${[...tally.runsByLabel].map(([label, n]) => `${label} ${fmt(n)} runs`).join(', ')}; ` +
      `storm: ${fmt(storm.started)} started, ${fmt(storm.skipped)} skipped (${stormMaxAlive} still running then)` +
      (killedAfterMs === undefined
        ? ''
        : `; runs still going ${killedAfterMs / 1000} s after the time was up were killed`),
  ];
  if (tally.failureCount > 0) {
    const first = tally.failures.slice(0, 5).map((r) => `${r.label} (pid ${r.pid}) ${r.end}`);
    notes.push(`${fmt(tally.failureCount)} runs did not exit 0: ${first.join('; ')}`);
  }
  return notes;
}

const clip = (text: string, chars = 160): string => (text.length > chars ? `${text.slice(0, chars)}…` : text);

/** How the CLI ended, the processes it traced that are not the soak's, its other diagnostics. */
export function cliNote(cli: TracedCli, end: string, soakPids: ReadonlySet<number>): string {
  const foreign = new Set([...cli.attached].filter(([pid]) => !soakPids.has(pid)).map(([, exe]) => basename(exe)));
  return (
    `CLI: ended with ${end}; said it traced ${fmt(cli.attached.size)} processes` +
    (foreign.size ? `, among them processes of ${[...foreign].join(', ')} (not the soak's)` : '') +
    (cli.noteCount
      ? `; ${fmt(cli.noteCount)} other diagnostics, the first: ${clip(cli.notes[0]!)}`
      : '; no other diagnostics')
  );
}

export const loadNote = (startLoad: number, endLoad: number): string =>
  `load average (1 min) ${fmt(startLoad, 2)} before the soak, ${fmt(endLoad, 2)} at the last sample, on ` +
  `${availableParallelism()} CPUs that the CLI shares with the programs`;
