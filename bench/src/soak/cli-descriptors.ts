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
  other: number;
}

const isFile = (target: string): boolean => target.startsWith('/') && !target.startsWith('/dev/');

export function countFdKinds(targets: readonly string[]): FdCounts {
  const counts: FdCounts = { total: 0, bpfLinks: 0, perfEvents: 0, bpfMaps: 0, bpfPrograms: 0, files: 0, other: 0 };
  for (const target of targets) {
    counts.total++;
    if (target === 'anon_inode:bpf_link') counts.bpfLinks++;
    else if (target === 'anon_inode:[perf_event]') counts.perfEvents++;
    else if (target === 'anon_inode:bpf-map') counts.bpfMaps++;
    else if (target === 'anon_inode:bpf-prog') counts.bpfPrograms++;
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

/** Descriptors counted by kind, the regular files among them, and the process's threads at that moment. */
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
    if (!fewest || targets.length < fewest.counts.total)
      fewest = { counts: countFdKinds(targets), files: targets.filter(isFile).sort(), threads };
  }
  return fewest!;
}
