import { readFile, readlink } from 'node:fs/promises';

/** The inode of the initial PID namespace, fixed in the kernel (PROC_PID_INIT_INO). */
const initialPidNamespace = 'pid:[4026531836]';

/** Facts about a live process from /proc, used to key state on (PID, start time). */
export interface ProcessFacts {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. Distinguishes PID reuse. */
  startTime: string;
  /** The PID inside the process's innermost PID namespace (last NSpid entry). */
  nsPid: number;
  /** Where /proc/<pid>/exe points (may end in " (deleted)"). */
  exe: string;
  /** Already in do_exit (PF_EXITING) or a zombie: its BPF state would be cleaned up, or was. */
  exiting: boolean;
}

const PF_EXITING = 0x4; // include/linux/sched.h

/** Fields 3 onwards of /proc/<pid>/stat; comm (field 2) may hold spaces and parentheses. */
function statFields(stat: string, path: string): string[] {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest.length < 20) throw new Error(`unexpected format of ${path}`);
  return rest;
}

export async function readProcessFacts(pid: number, procRoot = '/proc'): Promise<ProcessFacts> {
  const statPath = `${procRoot}/${pid}/stat`;
  const rest = statFields(await readFile(statPath, 'utf8'), statPath);
  const state = rest[0];
  const flags = Number(rest[6]);
  const startTime = rest[19]!;
  const status = await readFile(`${procRoot}/${pid}/status`, 'utf8');
  const nsPidLine = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
  const nsPid = Number(nsPidLine?.[nsPidLine.length - 1] ?? pid);
  const exe = await readlink(`${procRoot}/${pid}/exe`).catch(() => '');
  return {
    pid,
    startTime,
    nsPid: Number.isInteger(nsPid) ? nsPid : pid,
    exe,
    exiting: state === 'Z' || state === 'X' || (flags & PF_EXITING) !== 0,
  };
}

/**
 * The start time (field 22 of /proc/<pid>/stat) of the process `pid` names now; null when no
 * process has that PID (ENOENT, ESRCH); undefined when it could not be read for another reason.
 */
export async function readStartTime(pid: number, procRoot = '/proc'): Promise<string | null | undefined> {
  const statPath = `${procRoot}/${pid}/stat`;
  try {
    return statFields(await readFile(statPath, 'utf8'), statPath)[19]!;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? null : undefined;
  }
}

/**
 * Whether /proc shows this process in the initial PID namespace, so that the PIDs the kernel
 * reports (host PIDs) name the same processes there. In a container with its own PID namespace a
 * host PID read in /proc may be missing, or another process.
 */
export async function procShowsHostPids(procRoot = '/proc'): Promise<boolean> {
  return (await readlink(`${procRoot}/self/ns/pid`).catch(() => '')) === initialPidNamespace;
}
