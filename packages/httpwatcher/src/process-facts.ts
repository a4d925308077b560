import { readFile, readlink } from 'node:fs/promises';

/** Facts about a live process from /proc, used to key state on (PID, start time). */
export interface ProcessFacts {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. Distinguishes PID reuse. */
  startTime: string;
  /** The PID inside the process's innermost PID namespace (last NSpid entry). */
  nsPid: number;
  /** Where /proc/<pid>/exe points (may end in " (deleted)"). */
  exe: string;
}

export async function readProcessFacts(pid: number, procRoot = '/proc'): Promise<ProcessFacts> {
  const stat = await readFile(`${procRoot}/${pid}/stat`, 'utf8');
  // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = rest[19];
  if (startTime === undefined) throw new Error(`unexpected format of ${procRoot}/${pid}/stat`);
  const status = await readFile(`${procRoot}/${pid}/status`, 'utf8');
  const nsPidLine = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
  const nsPid = Number(nsPidLine?.[nsPidLine.length - 1] ?? pid);
  const exe = await readlink(`${procRoot}/${pid}/exe`).catch(() => '');
  return { pid, startTime, nsPid: Number.isInteger(nsPid) ? nsPid : pid, exe };
}
