import type { StdioOptions } from 'node:child_process';
import { basename } from 'node:path';
import { isatty } from 'node:tty';
import type { AttachedProcess, Snooper, TracedChild } from 'httpwatcher';
import type { TopArgs, TraceArgs } from './args.js';

export interface AttachedTargets {
  /** PIDs attached by -p that still run: the trace ends when none is left (with no other target). */
  pids: Set<number>;
  /** The program started after `--`. */
  program: TracedChild | undefined;
  /** Whether new processes can still appear (--binary, --all). */
  watching: boolean;
  /** Errors of the targets that could not be attached. */
  errors: unknown[];
}

/**
 * Attaches every target of the command line; a target that fails is reported and skipped. The
 * program after `--` starts last, once every other probe is in place. Its stdout stays apart from
 * a piped request stream: with requests on a non-terminal stdout it goes to stderr instead.
 */
export async function attachTargets(
  snoop: Snooper,
  args: TraceArgs | TopArgs,
  say: (line: string) => void,
  track: (pid: number, name: string, process: AttachedProcess) => void,
  /** `top` owns the terminal: the program gets none of it. */
  programStdio: 'terminal' | 'none' = 'terminal',
): Promise<AttachedTargets> {
  const resolve = args.assumeGo ? { assumeGoVersion: args.assumeGo } : {};
  const result: AttachedTargets = { pids: new Set(), program: undefined, watching: false, errors: [] };
  const attempt = async (what: () => Promise<void>): Promise<void> => {
    try {
      await what();
    } catch (error) {
      say((error as Error).message);
      result.errors.push(error);
    }
  };
  for (const pid of args.pids) {
    await attempt(async () => {
      const p = await snoop.attach(pid, resolve);
      for (const w of p.warnings) say(`warning: ${w}`);
      say(`tracing pid ${pid} (${p.goVersion}, offsets ${p.layoutEntry})`);
      track(pid, basename(p.exe), p);
      result.pids.add(pid);
    });
  }
  for (const path of args.binaries) {
    await attempt(async () => {
      const b = await snoop.attachBinary(path, resolve);
      say(
        `tracing binary ${path} (${b.goVersion}, offsets ${b.layoutEntry}): ${b.processes.length} running, and any started later`,
      );
      for (const p of b.processes) track(p.pid, basename(p.exe), p);
      result.watching = true;
    });
  }
  if (args.all) {
    await attempt(async () => {
      const { processes } = await snoop.attachAll();
      say(`tracing every Go process with net/http's client: ${processes.length} running, and any started later`);
      for (const p of processes) track(p.pid, basename(p.exe), p);
      result.watching = true;
    });
  }
  if (args.exec) {
    const { file, args: argv } = args.exec;
    const programStdout = args.output === undefined && !isatty(1) ? 2 : 'inherit';
    await attempt(async () => {
      const stdio: StdioOptions = programStdio === 'none' ? 'ignore' : ['inherit', programStdout, 'inherit'];
      const program = await snoop.spawn(file, argv, { stdio, resolve });
      say(
        `tracing pid ${program.pid}: started ${file} (${program.process.goVersion}, offsets ${program.process.layoutEntry})`,
      );
      track(program.pid, basename(file), program.process);
      result.program = program;
    });
  }
  return result;
}
