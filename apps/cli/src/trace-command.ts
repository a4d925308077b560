import { Snooper, SnooperError, type HttpRequestEvent } from 'httpwatcher';
import type { TraceArgs } from './args.js';
import { useColor } from './color.js';
import { ExitCode } from './exit-code.js';
import { formatJson } from './format-json.js';
import { formatText } from './format-text.js';
import { handleInterrupts } from './interrupts.js';
import { OutputClosedError, OutputSink } from './output-sink.js';
import { redactHeaders, redactUrl } from './redact.js';
import { matchesFilters } from './request-filter.js';
import { TraceSummary } from './trace-summary.js';

const say = (line: string): void => void process.stderr.write(`httpwatcher: ${line}\n`);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const exitCodeOf = (error: unknown): number =>
  SnooperError.isInstance(error) && error.code === 'PERMISSION_DENIED' ? ExitCode.noPermission : ExitCode.failed;

/** Targets the facade cannot attach yet (they need the lifecycle API: spawn, attachBinary, attachAll). */
function unavailableTarget(args: TraceArgs): string | undefined {
  if (args.exec) return '"-- command"';
  if (args.binaries.length > 0) return '--binary';
  if (args.all) return '--all';
  return undefined;
}

export async function runTrace(args: TraceArgs): Promise<number> {
  const unavailable = unavailableTarget(args);
  if (unavailable) {
    say(`${unavailable} is not available yet in this version of httpwatcher; trace running processes with --pid`);
    return ExitCode.failed;
  }

  let sink: OutputSink;
  try {
    sink = await OutputSink.open(args.output);
  } catch (error) {
    say(`cannot write to ${args.output}: ${(error as Error).message}`);
    return ExitCode.failed;
  }

  let snoop: Snooper;
  try {
    snoop = await Snooper.init();
  } catch (error) {
    say((error as Error).message);
    await sink.close();
    return exitCodeOf(error);
  }

  const summary = new TraceSummary();
  const traced: number[] = [];
  let lastError: unknown;
  for (const pid of args.pids) {
    try {
      const p = await snoop.attach(pid, args.assumeGo ? { assumeGoVersion: args.assumeGo } : {});
      for (const w of p.warnings) say(`warning: ${w}`);
      say(`tracing pid ${pid} (${p.goVersion}, offsets ${p.layoutEntry})`);
      summary.track(pid);
      traced.push(pid);
    } catch (error) {
      say((error as Error).message);
      lastError = error;
    }
  }
  if (traced.length === 0) {
    await snoop.close();
    await sink.close();
    return exitCodeOf(lastError);
  }

  let stopping = false;
  const stop = (reason: string): void => {
    if (!stopping) say(`stopping: ${reason}`);
    stopping = true;
    void snoop.close();
  };
  const removeInterruptHandlers = handleInterrupts((signal) => stop(`${signal}; printing what was captured (send it again to quit at once)`));
  const timers = [
    // Ends the trace once every traced process has exited.
    setInterval(() => traced.some(alive) || stop('every traced process exited'), 250),
    ...(args.durationMs !== undefined ? [setTimeout(() => stop(`--duration reached`), args.durationMs)] : []),
  ];

  const color = useColor(args.color, sink.isTerminal);
  const render = (ev: HttpRequestEvent): string => {
    const headers = args.showSecrets ? ev.headers : redactHeaders(ev.headers);
    const shown = args.showSecrets ? ev : { ...ev, url: redactUrl(ev.url) };
    return args.json ? formatJson(shown, headers) : formatText(shown, headers, { timestamps: args.timestamps, color });
  };

  let code: number = ExitCode.ok;
  try {
    for await (const ev of snoop.events()) {
      const keep = matchesFilters(args.filters, ev);
      summary.captured(ev.pid, keep);
      if (!keep) continue;
      await sink.write(render(ev));
      if (args.count !== undefined && summary.printed >= args.count) {
        stop('--count reached');
        break;
      }
    }
  } catch (error) {
    if (error instanceof OutputClosedError) {
      stop('the output was closed');
    } else {
      say(`writing the output failed: ${(error as Error).message}`);
      code = ExitCode.failed;
    }
  }
  for (const t of timers) clearTimeout(t);
  await snoop.close();
  removeInterruptHandlers();
  await sink.close().catch(() => undefined);
  process.stderr.write(summary.format(snoop.stats()));
  return code;
}
