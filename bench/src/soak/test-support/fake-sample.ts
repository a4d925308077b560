import type { FdCounts } from '../cli-descriptors.js';
import type { SoakSample } from '../soak-sample.js';

/** A sample at `tMs` with steady figures, and what a test changes. */
export function fakeSample(
  tMs: number,
  over: Partial<Omit<SoakSample, 'fds'>> & { fds?: Partial<FdCounts> } = {},
): SoakSample {
  const { fds, ...rest } = over;
  return {
    tMs,
    rssKb: 100_000,
    hwmKb: 200_000,
    fds: { total: 60, bpfLinks: 20, perfEvents: 18, bpfMaps: 12, bpfPrograms: 5, files: 2, proc: 0, other: 3, ...fds },
    files: ['/tmp/out', '/x/go1.24/default/client'],
    threads: 11,
    mapEntries: { traced_procs: 5 },
    cliCpuPercent: 80,
    printed: 0,
    printedPerSec: 0,
    sent: 0,
    programRuns: 0,
    load1: 1,
    ...rest,
  };
}
