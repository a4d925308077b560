/** One process's line of the CLI's exit summary. */
export interface ProcessSummary {
  name: string;
  captured: number;
  printed: number;
  queueDrops: number;
}

/** What the CLI prints on stderr when it stops (apps/cli/src/trace-summary.ts). */
export interface CliSummary {
  captured: number;
  /** Printed, or exported under --quiet with exporters. */
  printed: number;
  kernelDrops: number;
  queueDrops: number;
  incompleteReads: number;
  /** Requests missed by the kernel for want of a scratch slot; printed only when not 0. */
  scratchDrops: number;
  /** --response counters; printed only when one is not 0. */
  responsesNotAwaited: number;
  responsesUnmatched: number;
  byPid: Map<number, ProcessSummary>;
}

const totalsLine =
  /^httpwatcher: (\d+) requests captured, (\d+) (?:printed|exported), (\d+) dropped by kernel, (\d+) dropped from queue, (\d+) incomplete reads$/m;
const scratchLine = /^httpwatcher: (\d+) requests missed by the kernel: every scratch slot/m;
const responseLine =
  /^httpwatcher: --response: (\d+) requests printed before their call returned .*?, (\d+) returns whose request was not seen$/m;
const processLine =
  /^httpwatcher: {3}pid (\d+) \((.*)\): (\d+) captured, (\d+) (?:printed|exported)(?:, (\d+) dropped from queue)?$/gm;

/** The CLI's exit summary in its stderr, or undefined when the totals line is not there (it did not stop cleanly). */
export function parseCliSummary(stderr: string): CliSummary | undefined {
  const totals = totalsLine.exec(stderr);
  if (!totals) return undefined;
  const [, captured, printed, kernelDrops, queueDrops, incompleteReads] = totals.map(Number) as number[];
  const scratch = scratchLine.exec(stderr);
  const responses = responseLine.exec(stderr);
  const byPid = new Map<number, ProcessSummary>();
  for (const m of stderr.matchAll(processLine)) {
    byPid.set(Number(m[1]), {
      name: m[2]!,
      captured: Number(m[3]),
      printed: Number(m[4]),
      queueDrops: Number(m[5] ?? 0),
    });
  }
  return {
    captured: captured!,
    printed: printed!,
    kernelDrops: kernelDrops!,
    queueDrops: queueDrops!,
    incompleteReads: incompleteReads!,
    scratchDrops: scratch ? Number(scratch[1]) : 0,
    responsesNotAwaited: responses ? Number(responses[1]) : 0,
    responsesUnmatched: responses ? Number(responses[2]) : 0,
    byPid,
  };
}
