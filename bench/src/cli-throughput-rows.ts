import { type CliProcessesResult, runCliProcesses } from './cli-processes.js';
import { type CliFormat, type CliOutput, type CliRunResult, runCli } from './cli-throughput.js';
import { nodeAloneMb } from './cli-memory.js';
import { fmt, type Row } from './table.js';

/** The consumer-cost target: CPU per request from the ring to the bytes written. */
const targetUs = 1.5;
const hwmTargetMb = 120;
const idleTargetMb = 60;

export interface CliThroughputFigure {
  rows: Row[];
  notes: string[];
  results: CliRunResult[];
  processes?: CliProcessesResult;
}

/** Clients of one binary at once under `--binary`, as the issue asks. */
const processCount = 4;

/**
 * The CLI as a user runs it, `httpwatcher --json|text -o FILE|| -- client`: every request of a
 * client at its full in-process rate printed? Its CPU per request beside the same run with
 * --quiet (drain and decode, nothing formatted or written), its memory beside `node` alone.
 */
export async function cliThroughputFigure(
  binary: string,
  calls: number,
  log: (line: string) => void,
): Promise<CliThroughputFigure> {
  const results: CliRunResult[] = [];
  const run = async (format: CliFormat, output: CliOutput, goroutines: number): Promise<CliRunResult> => {
    log(`cli-throughput: ${format} to a ${output}, ${goroutines} goroutine(s), ${fmt(calls)} requests`);
    const r = await runCli({ binary, format, output, goroutines, calls });
    results.push(r);
    return r;
  };
  const rows: Row[] = [];
  const notes: string[] = [];
  const node = await nodeAloneMb();
  for (const goroutines of [1, 2]) {
    const quiet = await run('quiet', 'pipe', goroutines);
    for (const format of ['json', 'text'] as const) {
      for (const output of ['file', 'pipe'] as const) {
        const r = await run(format, output, goroutines);
        const lost = r.calls - r.printed;
        rows.push({
          figure: `CLI ${format === 'json' ? '--json' : 'text'} to a ${output}, ${goroutines} goroutine${goroutines > 1 ? 's' : ''}: printed of calls`,
          measured: `${fmt(r.printed)} of ${fmt(r.calls)} (captured ${fmt(r.captured)}, dropped: kernel ${fmt(r.kernelDrops)}, queue ${fmt(r.queueDrops)})`,
          baseline: `${fmt(r.callsPerSec)} calls/s traced`,
          ratio: '-',
          target: '0 lost',
          met: lost === 0 && r.kernelDrops + r.queueDrops === 0,
        });
        rows.push({
          figure: `CLI ${format === 'json' ? '--json' : 'text'} to a ${output}, ${goroutines} goroutine${goroutines > 1 ? 's' : ''}: CPU per request`,
          measured: `${fmt(r.cpuUsPerRequest, 2)} µs`,
          baseline: `--quiet ${fmt(quiet.cpuUsPerRequest, 2)} µs`,
          ratio: `${fmt(r.cpuUsPerRequest / quiet.cpuUsPerRequest, 2)} ×`,
          target: `≤ ${targetUs} µs`,
          met: r.cpuUsPerRequest <= targetUs,
        });
        rows.push({
          figure: `CLI ${format === 'json' ? '--json' : 'text'} to a ${output}, ${goroutines} goroutine${goroutines > 1 ? 's' : ''}: VmHWM`,
          measured: `${fmt(r.hwmMb, 1)} MB (idle ${fmt(r.idleRssMb, 1)} MB; ${fmt(r.startRssMb, 1)} MB at start)`,
          baseline: `node alone ${fmt(node, 1)} MB`,
          ratio: '-',
          target: `≤ ${hwmTargetMb} MB, idle ≤ ${idleTargetMb} MB`,
          met: r.hwmMb <= hwmTargetMb && r.idleRssMb <= idleTargetMb,
        });
      }
    }
    notes.push(
      `CLI --quiet, ${goroutines} goroutine(s): ${fmt(quiet.captured)} of ${fmt(quiet.calls)} captured (kernel drops ${fmt(quiet.kernelDrops)}, queue drops ${fmt(quiet.queueDrops)}), ` +
        `${fmt(quiet.cpuUsPerRequest, 2)} µs CPU per request, VmHWM ${fmt(quiet.hwmMb, 1)} MB, ${fmt(quiet.callsPerSec)} calls/s`,
    );
  }
  log(`cli-throughput: --json to a file, ${processCount} processes under --binary, ${fmt(calls)} requests in all`);
  const many = await runCliProcesses({ binary, processes: processCount, callsEach: Math.round(calls / processCount) });
  const perProcess = [...many.printedByPid.entries()].map(
    ([pid, printed]) => `${pid}: ${fmt(printed)} printed, summary ${fmt(many.byPid.get(pid)?.captured ?? 0)} captured`,
  );
  const everyOne =
    many.printedByPid.size === processCount && [...many.printedByPid.values()].every((n) => n === many.callsEach);
  rows.push({
    figure: `CLI --json to a file, ${processCount} processes under --binary: printed of calls`,
    measured: `${fmt(many.printed)} of ${fmt(many.calls)} (captured ${fmt(many.captured)}, dropped: kernel ${fmt(many.kernelDrops)}, queue ${fmt(many.queueDrops)})`,
    baseline: `${fmt(many.callsPerSec)} calls/s traced, the ${processCount} clients' rates added`,
    ratio: '-',
    target: '0 lost',
    met: many.printed === many.calls && everyOne && many.kernelDrops + many.queueDrops === 0,
  });
  rows.push({
    figure: `CLI --json to a file, ${processCount} processes under --binary: CPU per request`,
    measured: `${fmt(many.cpuUsPerRequest, 2)} µs`,
    baseline: `VmHWM ${fmt(many.hwmMb, 1)} MB`,
    ratio: '-',
    target: `≤ ${targetUs} µs, VmHWM ≤ ${hwmTargetMb} MB`,
    met: many.cpuUsPerRequest <= targetUs && many.hwmMb <= hwmTargetMb,
  });
  notes.push(`CLI --json, ${processCount} processes under --binary, per process: ${perProcess.join('; ')}`);
  return { rows, notes, results, processes: many };
}
