import { Snooper, SnooperError, type HttpRequestEvent } from 'httpwatcher';
import type { TraceArgs } from './args.js';
import { formatJson } from './format-json.js';
import { formatText } from './format-text.js';
import { redactHeaders } from './redact.js';

export const ExitCode = { ok: 0, failed: 1, usage: 2, noPermission: 77 } as const;

function useColor(choice: TraceArgs['color'], stream: NodeJS.WriteStream): boolean {
  if (choice !== 'auto') return choice === 'always';
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export async function runTrace(args: TraceArgs): Promise<number> {
  const stderr = process.stderr;
  const stdout = process.stdout;
  let snoop: Snooper;
  try {
    snoop = await Snooper.init();
  } catch (error) {
    stderr.write(`httpwatcher: ${(error as Error).message}\n`);
    return SnooperError.isInstance(error) && error.code === 'PERMISSION_DENIED' ? ExitCode.noPermission : ExitCode.failed;
  }

  const traced: number[] = [];
  for (const pid of args.pids) {
    try {
      const p = await snoop.attach(pid, args.assumeGo ? { assumeGoVersion: args.assumeGo } : {});
      for (const w of p.warnings) stderr.write(`httpwatcher: warning: ${w}\n`);
      stderr.write(`httpwatcher: tracing pid ${pid} (${p.goVersion}, offsets ${p.layoutEntry})\n`);
      traced.push(pid);
    } catch (error) {
      stderr.write(`httpwatcher: ${(error as Error).message}\n`);
    }
  }
  if (traced.length === 0) {
    await snoop.close();
    return ExitCode.failed;
  }

  const color = useColor(args.color, stdout);
  const write = (ev: HttpRequestEvent): void => {
    const headers = args.showSecrets ? ev.headers : redactHeaders(ev.headers);
    stdout.write(args.json ? formatJson(ev, headers) : formatText(ev, headers, { timestamps: args.timestamps, color }));
  };

  let interrupts = 0;
  const stop = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    void snoop.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Ends the trace once every traced process has exited.
  const watcher = setInterval(() => {
    if (!traced.some(alive)) void snoop.close();
  }, 250);

  for await (const ev of snoop.events()) write(ev);
  clearInterval(watcher);
  const s = snoop.stats();
  stderr.write(`httpwatcher: ${s.events} requests, ${s.kernelDrops} dropped by kernel, ${s.queueDrops} dropped from queue\n`);
  return ExitCode.ok;
}
