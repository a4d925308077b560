import type { CliSummary } from '../cli-summary.js';
import { fmt } from '../table.js';
import type { ProgramTally } from './program-runs.js';
import type { RequestLines } from './request-lines.js';
import type { EventAccount } from './soak-verdict.js';

/** The programs' own counts against the CLI's output and its summary. */
export function eventAccount(tally: ProgramTally, lines: RequestLines, summary: CliSummary | undefined): EventAccount {
  return {
    sent: tally.requests,
    printed: lines.of(tally.requestsByPid.keys()),
    linesTotal: lines.total,
    cliPrinted: summary?.printed ?? Number.NaN,
    kernelDrops: summary?.kernelDrops ?? Number.NaN,
    scratchDrops: summary?.scratchDrops ?? Number.NaN,
    queueDrops: summary?.queueDrops ?? Number.NaN,
  };
}

/** Sentences on where the requests went, per process where the output and the summary allow. */
export function eventNotes(tally: ProgramTally, lines: RequestLines, summary: CliSummary | undefined): string[] {
  const notes: string[] = [];
  const ours = new Set([...tally.requestsByPid.keys(), ...tally.incompletePids]);
  const others = [...lines.byPid].filter(([pid]) => !ours.has(pid));
  const killedLines = lines.of(tally.incompletePids);
  const otherLines = others.reduce((n, [, c]) => n + c, 0);
  notes.push(
    `output: ${fmt(lines.total)} request lines; ` +
      (others.length
        ? `${fmt(otherLines)} of them from ${fmt(others.length)} processes not the soak's (traced by --all)`
        : "none from processes not the soak's") +
      (tally.incompletePids.size
        ? `, ${fmt(killedLines)} from ${fmt(tally.incompletePids.size)} runs the soak killed`
        : '') +
      (lines.unrecognised ? `; ${fmt(lines.unrecognised)} lines that are not requests` : ''),
  );
  const short: string[] = [];
  let shortPids = 0;
  for (const [pid, sent] of tally.requestsByPid) {
    const printed = lines.byPid.get(pid) ?? 0;
    if (printed === sent) continue;
    shortPids++;
    if (short.length < 5) short.push(`pid ${pid} sent ${fmt(sent)}, printed ${fmt(printed)}`);
  }
  notes.push(
    shortPids === 0
      ? `every one of the ${fmt(tally.requestsByPid.size)} runs had each request it sent printed`
      : `${fmt(shortPids)} of ${fmt(tally.requestsByPid.size)} runs did not have each request printed ` +
          `(${short.join('; ')}${shortPids > 5 ? '; …' : ''}); the CLI counts drops in total, not per run`,
  );
  if (!summary) {
    notes.push('the CLI printed no summary: its drop counters are unknown');
    return notes;
  }
  let attributed = 0;
  let disagree = 0;
  for (const [pid, row] of summary.byPid) {
    attributed += row.queueDrops;
    if (ours.has(pid) && row.printed !== (lines.byPid.get(pid) ?? 0)) disagree++;
  }
  notes.push(
    `CLI summary: ${fmt(summary.captured)} captured, ${fmt(summary.printed)} printed, ${fmt(summary.kernelDrops)} dropped by kernel, ` +
      `${fmt(summary.scratchDrops)} missed for want of a scratch slot, ${fmt(summary.queueDrops)} dropped from queue ` +
      `(its per-process lines name ${fmt(attributed)} of them), ${fmt(summary.incompleteReads)} incomplete reads; ` +
      `--response: ${fmt(summary.responsesNotAwaited)} printed before their call returned, ${fmt(summary.responsesUnmatched)} returns unmatched; ` +
      `${fmt(summary.byPid.size)} processes listed` +
      (disagree
        ? `; for ${fmt(disagree)} of the soak's processes its per-process "printed" differs from the lines in the output`
        : ''),
  );
  return notes;
}
