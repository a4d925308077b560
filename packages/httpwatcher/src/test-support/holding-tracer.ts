import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const dist = join(__dirname, '..', '..', 'dist', 'index.js');

/** What the tracer child reports once it traces and holds: its kernel objects, by id, and its guardian. */
export interface TracerReport {
  traced: boolean;
  maps: number[];
  links: number[];
  programs: number[];
  guardian: number;
}

/**
 * A tracer in a process of its own: traces everything (attachAll) and holds new binaries below
 * `root` only (the test process), reports, then blocks its event loop for good, so that it can
 * resume nothing itself.
 */
const tracerScript = `
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
const { Snooper } = await import(${JSON.stringify(dist)});
const [root, clientPid] = process.argv.slice(2).map(Number);
const snoop = await Snooper.init();
const { processes } = await snoop.attachAll({ hold: true, holdSubtree: root, holdTimeoutMs: 60000 });
const report = { traced: processes.some((p) => p.pid === clientPid), maps: [], links: [], programs: [] };
const kinds = { 'anon_inode:bpf-map': ['maps', 'map_id'], 'anon_inode:bpf_link': ['links', 'link_id'], 'anon_inode:bpf-prog': ['programs', 'prog_id'] };
for (const fd of readdirSync('/proc/self/fd')) {
  let kind;
  try { kind = kinds[readlinkSync('/proc/self/fd/' + fd)]; } catch { continue; }
  if (!kind) continue;
  const id = new RegExp(kind[1] + ':\\\\s*(\\\\d+)').exec(readFileSync('/proc/self/fdinfo/' + fd, 'utf8'));
  if (id) report[kind[0]].push(Number(id[1]));
}
report.guardian = Number(readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8').trim().split(' ')[0]);
console.log(JSON.stringify(report));
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
`;

/**
 * Starts the tracer child (its script written into `dir`), in the cgroup v2 directory `cgroup`
 * when given (it enters it before it loads anything, so its guardian starts there too), and
 * resolves with its report. `clientPid`: a process whose attach the report confirms.
 */
export async function startHoldingTracer(
  dir: string,
  children: Set<ChildProcess>,
  options: { clientPid?: number; cgroup?: string } = {},
): Promise<{ tracer: ChildProcess; report: TracerReport }> {
  const script = join(dir, 'tracer.mjs');
  writeFileSync(script, tracerScript);
  const node = [process.execPath, script, String(process.pid), String(options.clientPid ?? 0)];
  const [command, ...args] = options.cgroup
    ? ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', options.cgroup, ...node]
    : node;
  const tracer = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(tracer);
  const report = await new Promise<TracerReport>((resolve, reject) => {
    createInterface({ input: tracer.stdout! }).once('line', (line) => resolve(JSON.parse(line) as TracerReport));
    tracer.once('exit', (code) => reject(new Error(`the tracer exited with ${code} before its report`)));
  });
  return { tracer, report };
}

/** The cgroup v2 path of a process ("0::<path>" in /proc/<pid>/cgroup); undefined once it is gone. */
export function cgroupOf(pid: number): string | undefined {
  try {
    return /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system). */
export function cgroup2Mount(): string {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [mount, fs] = line.split(' - ');
    const fields = mount?.split(' ');
    if (fs?.startsWith('cgroup2 ') && fields?.[3] === '/') return fields[4]!;
  }
  throw new Error('no cgroup v2 hierarchy is mounted');
}
