import { type CliProcessesResult, runCliProcesses } from './cli-processes.js';
import { type CliFormat, type CliOutput, type CliRunResult, runCli } from './cli-throughput.js';
import { fmt } from './table.js';

/** One way of running the CLI on one client: its output format and where it goes, the client's goroutines. */
export interface CliCase {
  readonly format: CliFormat;
  readonly output: CliOutput;
  readonly goroutines: number;
}

/** Clients of one binary at once under `--binary`, as the issue asks. */
export const processCount = 4;

/** `--quiet` first for each goroutine count (the baseline), then --json and text, to a file and to a pipe. */
export const cliCases: readonly CliCase[] = [1, 2].flatMap((goroutines) => [
  { format: 'quiet', output: 'pipe', goroutines },
  ...(['json', 'text'] as const).flatMap((format) =>
    (['file', 'pipe'] as const).map((output) => ({ format, output, goroutines })),
  ),
]);

export interface CliRounds {
  /** Each case's result in every round, in the order of the rounds. */
  byCase: Map<CliCase, CliRunResult[]>;
  /** The `--binary` run of every round. */
  processes: CliProcessesResult[];
}

/**
 * Runs every case of `cliCases` and the `--binary` run once per round, the order rotated by one
 * each round, as the other figures alternate their modes: a stretch of this shared VM running
 * slower then falls on different cases, not always on the same one.
 */
export async function runCliRounds(
  binary: string,
  calls: number,
  rounds: number,
  log: (line: string) => void,
): Promise<CliRounds> {
  const byCase = new Map<CliCase, CliRunResult[]>(cliCases.map((c) => [c, []]));
  const processes: CliProcessesResult[] = [];
  const steps: (() => Promise<void>)[] = [
    ...cliCases.map((c) => async () => {
      log(`cli-throughput: ${c.format} to a ${c.output}, ${c.goroutines} goroutine(s), ${fmt(calls)} requests`);
      byCase.get(c)!.push(await runCli({ binary, ...c, calls }));
    }),
    async () => {
      log(`cli-throughput: --json to a file, ${processCount} processes under --binary, ${fmt(calls)} requests in all`);
      processes.push(
        await runCliProcesses({ binary, processes: processCount, callsEach: Math.round(calls / processCount) }),
      );
    },
  ];
  for (let round = 0; round < rounds; round++) {
    log(`cli-throughput: round ${round + 1} of ${rounds}`);
    for (let i = 0; i < steps.length; i++) await steps[(i + round) % steps.length]!();
  }
  return { byCase, processes };
}
