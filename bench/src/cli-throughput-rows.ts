import type { CliProcessesResult } from './cli-processes.js';
import type { CliRunResult } from './cli-throughput.js';
import { type CliCase, cliCases, processCount, runCliRounds } from './cli-throughput-rounds.js';
import { cliHwmTargetMb as hwmTargetMb, nodeAloneMb } from './cli-memory.js';
import { max, median } from './stats.js';
import { fmt, type Row } from './table.js';

/** The consumer-cost target: CPU per request from the ring to the bytes written. */
const targetUs = 1.5;
const idleTargetMb = 60;

export interface CliThroughputFigure {
  rows: Row[];
  notes: string[];
  results: CliRunResult[];
  processes: CliProcessesResult[];
}

const list = (values: readonly number[], digits: number): string => values.map((v) => fmt(v, digits)).join(', ');

/** Printed of calls over the rounds: met only when every round printed every request and dropped none. */
function printedMeasure(
  results: readonly { printed: number; calls: number; captured: number; kernelDrops: number; queueDrops: number }[],
): { measured: string; met: boolean } {
  const lossOf = (r: (typeof results)[number]) => r.calls - r.printed + r.kernelDrops + r.queueDrops;
  const worst = results.reduce((a, b) => (lossOf(b) > lossOf(a) ? b : a));
  const met = results.every((r) => lossOf(r) === 0 && r.printed === r.calls);
  const each = results.length > 1 ? ` in ${met ? 'each' : 'the worst'} of ${results.length} rounds` : '';
  return {
    measured: `${fmt(worst.printed)} of ${fmt(worst.calls)}${each} (captured ${fmt(worst.captured)}, dropped: kernel ${fmt(worst.kernelDrops)}, queue ${fmt(worst.queueDrops)})`,
    met,
  };
}

/** A case's three rows (printed, CPU, memory) from its rounds, beside the `--quiet` rounds of the same goroutines. */
export function caseRows(
  c: CliCase,
  results: readonly CliRunResult[],
  quiet: readonly CliRunResult[],
  node: number,
): Row[] {
  const name = `CLI ${c.format === 'json' ? '--json' : 'text'} to a ${c.output}, ${c.goroutines} goroutine${c.goroutines > 1 ? 's' : ''}`;
  const cpu = results.map((r) => r.cpuUsPerRequest);
  const quietCpu = quiet.map((r) => r.cpuUsPerRequest);
  const printed = printedMeasure(results);
  const hwm = max(results.map((r) => r.hwmMb));
  const idle = max(results.map((r) => r.idleRssMb));
  return [
    {
      figure: `${name}: printed of calls`,
      measured: printed.measured,
      baseline: `${list(
        results.map((r) => r.callsPerSec),
        0,
      )} calls/s traced`,
      ratio: '-',
      target: '0 lost',
      met: printed.met,
    },
    {
      figure: `${name}: CPU per request`,
      measured: `${fmt(median(cpu), 2)} µs (${list(cpu, 2)})`,
      baseline: `--quiet ${fmt(median(quietCpu), 2)} µs (${list(quietCpu, 2)})`,
      ratio: `${fmt(median(cpu) / median(quietCpu), 2)} ×`,
      target: `≤ ${targetUs} µs`,
      met: median(cpu) <= targetUs,
    },
    {
      figure: `${name}: VmHWM`,
      measured: `${fmt(hwm, 1)} MB (idle ${fmt(idle, 1)} MB; ${fmt(max(results.map((r) => r.startRssMb)), 1)} MB at start)`,
      baseline: `node alone ${fmt(node, 1)} MB`,
      ratio: '-',
      target: `≤ ${hwmTargetMb} MB, idle ≤ ${idleTargetMb} MB`,
      met: hwm <= hwmTargetMb && idle <= idleTargetMb,
    },
  ];
}

/** The `--binary` run's two rows (printed, CPU) from its rounds: every client's every request in every round. */
export function processRows(runs: readonly CliProcessesResult[]): Row[] {
  const printed = printedMeasure(runs);
  const everyOne = runs.every(
    (m) => m.printedByPid.size === processCount && [...m.printedByPid.values()].every((n) => n === m.callsEach),
  );
  const cpu = runs.map((m) => m.cpuUsPerRequest);
  const hwm = max(runs.map((m) => m.hwmMb));
  return [
    {
      figure: `CLI --json to a file, ${processCount} processes under --binary: printed of calls`,
      measured: printed.measured,
      baseline: `${list(
        runs.map((m) => m.callsPerSec),
        0,
      )} calls/s traced, the ${processCount} clients' rates added`,
      ratio: '-',
      target: '0 lost',
      met: printed.met && everyOne,
    },
    {
      figure: `CLI --json to a file, ${processCount} processes under --binary: CPU per request`,
      measured: `${fmt(median(cpu), 2)} µs (${list(cpu, 2)})`,
      baseline: `VmHWM ${fmt(hwm, 1)} MB`,
      ratio: '-',
      target: `≤ ${targetUs} µs, VmHWM ≤ ${hwmTargetMb} MB`,
      met: median(cpu) <= targetUs && hwm <= hwmTargetMb,
    },
  ];
}

/**
 * The CLI as a user runs it, `httpwatcher --json|text -o FILE|| -- client`: every request of a
 * client at its full in-process rate printed? Its CPU per request beside the same run with
 * --quiet (drain and decode, nothing formatted or written), its memory beside `node` alone.
 * Each case runs once per round: no request may be lost in any round; the CPU figure is the
 * median of the rounds, each round's figure beside it; memory is the highest of the rounds.
 */
export async function cliThroughputFigure(
  binary: string,
  calls: number,
  rounds: number,
  log: (line: string) => void,
): Promise<CliThroughputFigure> {
  const node = await nodeAloneMb();
  const { byCase, processes } = await runCliRounds(binary, calls, rounds, log);
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const goroutines of [1, 2]) {
    const quiet = byCase.get(cliCases.find((c) => c.format === 'quiet' && c.goroutines === goroutines)!)!;
    for (const c of cliCases.filter((x) => x.format !== 'quiet' && x.goroutines === goroutines))
      rows.push(...caseRows(c, byCase.get(c)!, quiet, node));
    notes.push(
      `CLI --quiet, ${goroutines} goroutine(s), per round: ` +
        quiet
          .map(
            (q) =>
              `${fmt(q.captured)} of ${fmt(q.calls)} captured (kernel drops ${fmt(q.kernelDrops)}, queue drops ${fmt(q.queueDrops)}), ` +
              `${fmt(q.cpuUsPerRequest, 2)} µs, VmHWM ${fmt(q.hwmMb, 1)} MB, ${fmt(q.callsPerSec)} calls/s`,
          )
          .join('; '),
    );
  }
  rows.push(...processRows(processes));
  const single = [...[...byCase].filter(([c]) => c.format !== 'quiet').flatMap(([, rs]) => rs), ...processes];
  notes.push(
    `single runs within ${targetUs} µs: ${single.filter((r) => r.cpuUsPerRequest <= targetUs).length} of ${single.length} ` +
      `(highest ${fmt(max(single.map((r) => r.cpuUsPerRequest)), 2)} µs)`,
  );
  const last = processes[processes.length - 1]!;
  const perProcess = [...last.printedByPid.entries()].map(
    ([pid, printed]) => `${pid}: ${fmt(printed)} printed, summary ${fmt(last.byPid.get(pid)?.captured ?? 0)} captured`,
  );
  notes.push(
    `CLI --json, ${processCount} processes under --binary, per process (last round): ${perProcess.join('; ')}`,
  );
  return { rows, notes, results: [...byCase.values()].flat(), processes };
}
