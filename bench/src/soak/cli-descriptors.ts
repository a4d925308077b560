import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { sleep } from '../stats.js';

/** A process's open file descriptors by what they are (their /proc/<pid>/fd link targets). */
export interface FdCounts {
  total: number;
  /** BPF links: the exec and exit tracepoints, and one per uprobe. */
  bpfLinks: number;
  /** perf events, which each uprobe's link holds. */
  perfEvents: number;
  bpfMaps: number;
  bpfPrograms: number;
  /** Regular files: the output, and the binaries the CLI holds open while they are probed. */
  files: number;
  /**
   * /proc files: what a process runs and when it started, read and closed at once
   * (packages/httpwatcher/src/process-facts.ts); with the CLI short of CPU, "at once" can outlast
   * a second, so they are counted apart.
   */
  proc: number;
  other: number;
}

const isProc = (target: string): boolean => target.startsWith('/proc/');
const isFile = (target: string): boolean => target.startsWith('/') && !target.startsWith('/dev/') && !isProc(target);

/** Descriptors that should stay the same in a steady state: all but the /proc files being read. */
export const heldFds = (c: FdCounts): number => c.total - c.proc;

export function countFdKinds(targets: readonly string[]): FdCounts {
  const counts: FdCounts = {
    total: 0,
    bpfLinks: 0,
    perfEvents: 0,
    bpfMaps: 0,
    bpfPrograms: 0,
    files: 0,
    proc: 0,
    other: 0,
  };
  for (const target of targets) {
    counts.total++;
    if (target === 'anon_inode:bpf_link') counts.bpfLinks++;
    else if (target === 'anon_inode:[perf_event]') counts.perfEvents++;
    else if (target === 'anon_inode:bpf-map') counts.bpfMaps++;
    else if (target === 'anon_inode:bpf-prog') counts.bpfPrograms++;
    else if (isProc(target)) counts.proc++;
    else if (isFile(target)) counts.files++;
    else counts.other++;
  }
  return counts;
}

/** Each open descriptor of `pid` and what it links to (a descriptor closed meanwhile is left out). */
export function fdTargets(pid: number): Map<number, string> {
  const targets = new Map<number, string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.set(Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed between the listing and the readlink
    }
  }
  return targets;
}

/** A field of /proc/<pid>/fdinfo/<fd> (map_id, map_type, link_type, ...), or undefined. */
export function fdInfoField(pid: number, fd: number, field: string): string | undefined {
  try {
    return new RegExp(`^${field}:\\s+(\\S+)`, 'm').exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Descriptors counted by kind, the files among them (/proc ones too), and the process's threads at that moment. */
export interface FdSnapshot {
  counts: FdCounts;
  files: string[];
  /** A worker thread holds descriptors of its own (4 in Node 20: its event loop's epoll, eventfds, pipe). */
  threads: number;
}

const threadsOf = (pid: number): number =>
  Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);

/**
 * The fewest descriptors of `reads` reads `gapMs` apart: an exec being examined holds its binary,
 * and a /proc file, open for a moment (longer on a loaded machine); a leaked descriptor stays in
 * all of them.
 */
export async function steadyFds(pid: number, reads = 5, gapMs = 250): Promise<FdSnapshot> {
  let fewest: FdSnapshot | undefined;
  for (let i = 0; i < reads; i++) {
    if (i > 0) await sleep(gapMs);
    const threads = threadsOf(pid);
    const targets = [...fdTargets(pid).values()];
    const counts = countFdKinds(targets);
    if (!fewest || heldFds(counts) < heldFds(fewest.counts))
      fewest = { counts, files: targets.filter((t) => isFile(t) || isProc(t)).sort(), threads };
  }
  return fewest!;
}
