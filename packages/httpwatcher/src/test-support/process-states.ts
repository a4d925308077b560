import { readdirSync, readFileSync } from 'node:fs';

/** Fields 3 onwards of /proc/<pid>/stat (comm, field 2, may hold spaces); undefined once gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The state letter of a process (T while stopped); undefined once it is gone. */
export function stateOf(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** Every live process below `root` (children, grandchildren, ...), from /proc. */
export function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    const ppid = Number.isInteger(pid) ? statFields(pid)?.[1] : undefined;
    if (ppid !== undefined) parentOf.set(pid, Number(ppid));
  }
  const below = (pid: number): boolean => {
    for (let at = parentOf.get(pid), depth = 0; at !== undefined && depth < 64; at = parentOf.get(at), depth++)
      if (at === root) return true;
    return false;
  };
  return [...parentOf.keys()].filter(below);
}

/** Processes below `root` that are stopped (state T): those a hold test could have left behind. */
export function stoppedDescendants(root: number = process.pid): number[] {
  return descendantsOf(root).filter((pid) => stateOf(pid) === 'T');
}

/** Polls every 5 ms until `done()` holds; returns the milliseconds it took. */
export async function waitFor(done: () => boolean, what: string, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - started;
}
