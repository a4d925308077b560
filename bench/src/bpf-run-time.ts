import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const statsSwitch = '/proc/sys/kernel/bpf_stats_enabled';

interface ProgStats {
  id: number;
  name: string;
  runNs: number;
  runs: number;
}

function snapshot(): Map<number, ProgStats> {
  const progs = JSON.parse(
    execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as Array<{
    id: number;
    name?: string;
    run_time_ns?: number;
    run_cnt?: number;
  }>;
  return new Map(
    progs.map((p) => [p.id, { id: p.id, name: p.name ?? '?', runNs: p.run_time_ns ?? 0, runs: p.run_cnt ?? 0 }]),
  );
}

/**
 * Time spent inside BPF programs (kernel.bpf_stats_enabled: run_time_ns / run_cnt per program)
 * while `work` runs: the program's own cost per hit, apart from the uprobe trap around it.
 * `work` calls `sample()` while its program is still loaded. Counts programs that ran at least
 * `minRuns` times.
 */
export async function bpfRunTime(
  work: (sample: () => void) => Promise<void>,
  minRuns: number,
): Promise<Array<{ name: string; nsPerRun: number; runs: number }>> {
  const previous = readFileSync(statsSwitch, 'utf8').trim();
  writeFileSync(statsSwitch, '1');
  try {
    const before = snapshot();
    let after = new Map<number, ProgStats>();
    await work(() => (after = snapshot()));
    const ran: Array<{ name: string; nsPerRun: number; runs: number }> = [];
    for (const [id, p] of after) {
      const b = before.get(id);
      const runs = p.runs - (b?.runs ?? 0);
      if (runs >= minRuns) ran.push({ name: p.name, nsPerRun: (p.runNs - (b?.runNs ?? 0)) / runs, runs });
    }
    return ran;
  } finally {
    writeFileSync(statsSwitch, previous);
  }
}
