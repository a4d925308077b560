import { basename } from 'node:path';
import { constants } from 'node:os';
import {
  SecretRedactor,
  Snooper,
  SnooperError,
  type ExitStatus,
  type HttpRequestEvent,
  type HttpRequestView,
  type TracedChild,
} from 'httpwatcher';
import { loadAgentExport, startAgentExport } from './agent-export.js';
import type { TraceArgs } from './args.js';
import { attachTargets } from './attach-targets.js';
import { BatchedOutput } from './batched-output.js';
import { useColor } from './color.js';
import { cliVersion } from './cli-version.js';
import { EventsProgress } from './events-progress.js';
import { ExitCode } from './exit-code.js';
import { formatCurl } from './format-curl.js';
import { formatJson } from './format-json.js';
import { formatText } from './format-text.js';
import { harEntry } from './har-entry.js';
import { HarFile } from './har-file.js';
import { handleInterrupts } from './interrupts.js';
import { OutputClosedError, OutputSink } from './output-sink.js';
import { matchesFilters } from './request-filter.js';
import { ShapeTexts } from './shape-texts.js';
import { say } from './terminal-text.js';
import { TraceSummary } from './trace-summary.js';
import { YoungCollection } from './young-collection.js';

/**
 * Decoded requests the Snooper may hold while the output catches up: 6 ms at 170 000 requests/s.
 * Decoded events are large (8192 of them peaked at 160 MB against 120 MB at P3's rate, see
 * BENCHMARKS.md); behind them requests wait undecoded in the backlog below.
 */
const queuedRequests = 1024;
/**
 * With --metrics or --otlp: the exporters' work comes in bursts (a batch of up to 512 spans is
 * encoded in one go), during which requests queue up. 100 ms at 80 000 requests/s: at 20 processes
 * × 1 000 requests/s it dropped nothing where 1024 dropped 8 % (BENCHMARKS.md).
 */
const queuedRequestsForExporters = 8192;
/**
 * Requests behind the queue wait as their ring records (about 330 bytes each): 200 000 of them,
 * over a second of a client at 170 000 requests/s, before one is dropped. Losing requests is worse
 * than memory, and this memory is taken only while the output is behind (a loaded machine, a slow
 * reader of a pipe); the blocks it took are freed as it drains.
 */
const queueBacklogBytes = 64 << 20;
/**
 * The kernel ring, whose pages are resident from the start: about 30 ms of records at 170 000
 * requests/s. The addon's drain thread empties it whenever the BPF side wakes it (every 256 KiB)
 * into memory taken only while the output is behind (64 MiB at most, `spillBufferBytes`), so it
 * need not cover the moments the main thread does not run. When the main thread drained the ring
 * itself, 8 MiB lost requests on a quiet machine (docs/delivery.md); with the drain thread, 2 MiB
 * lost none in any case of the benchmark.
 */
const ringBufferBytes = 2 << 20;
/** Bytes gathered for the next write before the loop waits for the one in flight. */
const pendingOutputBytes = 1024 * 1024;

const exitCodeOf = (error: unknown): number =>
  SnooperError.isInstance(error) && error.code === 'PERMISSION_DENIED' ? ExitCode.noPermission : ExitCode.failed;

/** A shell's view of a program's end: its code, or 128 + the number of the signal that ended it. */
const shellStatus = (s: ExitStatus): number => s.code ?? 128 + (s.signal ? (constants.signals[s.signal] ?? 0) : 0);

const describeExit = (s: ExitStatus): string => (s.signal ? `killed by ${s.signal}` : `exit code ${s.code}`);

export async function runTrace(args: TraceArgs): Promise<number> {
  let sink: OutputSink;
  try {
    sink = await OutputSink.open(args.output);
  } catch (error) {
    say((error as Error).message);
    return ExitCode.failed;
  }

  let har: HarFile | undefined;
  let exportersModule: Awaited<ReturnType<typeof loadAgentExport>>;
  try {
    exportersModule = await loadAgentExport(args);
    if (args.har !== undefined) har = await HarFile.open(args.har, { name: 'httpwatcher', version: cliVersion });
  } catch (error) {
    say((error as Error).message);
    await sink.close();
    return ExitCode.failed;
  }
  const closeFiles = async (): Promise<void> => {
    await sink.close().catch(() => undefined);
    await har?.close().catch((error: unknown) => say(`writing ${args.har} failed: ${(error as Error).message}`));
  };

  const summary = new TraceSummary();
  // Requests are taken as views of their records (no event object each) unless their calls are joined.
  const viewRequests = !args.response && !args.transport;
  let snoop: Snooper;
  try {
    snoop = await Snooper.init({
      maxQueue: exportersModule ? queuedRequestsForExporters : queuedRequests,
      queueBacklogBytes,
      onQueueDrop: (pid) => summary.dropped(pid),
      requestViews: viewRequests,
      ringBufferBytes,
      response: args.response,
      transport: args.transport,
    });
  } catch (error) {
    say((error as Error).message);
    const verifierLog = SnooperError.isInstance(error) ? error.kernel?.verifierLog : undefined;
    if (verifierLog !== undefined) {
      if (args.debug) for (const line of verifierLog.split('\n')) say(`  ${line}`);
      else say("run with --debug to see the kernel verifier's log");
    }
    await closeFiles();
    return exitCodeOf(error);
  }
  if (snoop.bpfBuild === 'compat')
    say('this kernel lacks bpf_loop or BPF cookies (Linux < 5.17): running the compat build of the BPF program');

  const redactor = args.showSecrets ? undefined : new SecretRedactor(args.redact);
  let exporters: Awaited<ReturnType<typeof startAgentExport>> | undefined;
  try {
    exporters =
      exportersModule &&
      (await startAgentExport(exportersModule, args, snoop, (ev) => (redactor ? redactor.url(ev.url) : ev.url)));
  } catch (error) {
    say((error as Error).message);
    await snoop.close();
    await closeFiles();
    return ExitCode.failed;
  }
  const served = exporters?.metricsAddress;
  if (exporters?.exportsSpans) say('sending spans over OTLP');
  if (served)
    say(
      `serving metrics on http://${served.host.includes(':') ? `[${served.host}]` : served.host}:${served.port}/metrics`,
    );

  let stopping = false;
  const stop = (reason: string): void => {
    if (!stopping) say(`stopping: ${reason}`);
    stopping = true;
    void snoop.close();
  };
  let program: TracedChild | undefined;
  // Installed before attaching: --all can take a while, and a signal must not find the default action.
  const removeInterruptHandlers = handleInterrupts((signal) =>
    program
      ? say(`${signal}: waiting for pid ${program.pid} to exit (send it again to quit at once)`)
      : stop(`${signal}; printing what was captured (send it again to quit at once)`),
  );

  const targets = await attachTargets(snoop, args, say, (pid, name, p) => {
    summary.track(pid, name);
    exporters?.attached(p);
  });
  for (const error of targets.errors) if (SnooperError.isInstance(error)) exporters?.attachFailed(error.code);
  program = targets.program;
  if (targets.pids.size === 0 && !program && !targets.watching) {
    removeInterruptHandlers();
    await snoop.close();
    await exporters?.close();
    await closeFiles();
    return stopping ? ExitCode.ok : exitCodeOf(targets.errors.at(-1));
  }
  const duration =
    args.durationMs === undefined ? undefined : setTimeout(() => stop('--duration reached'), args.durationMs);
  const progress = new EventsProgress();
  const written = (): Promise<void> => progress.reached(snoop.stats().events, () => snoop.stats().queueDrops);
  let programStatus: ExitStatus | undefined;
  void program?.exited.then(async (status) => {
    programStatus = status;
    snoop.flush();
    await written();
    stop(`pid ${program!.pid} exited (${describeExit(status)})`);
  });

  // Exit notices say when -p processes end; attach notices name processes that --binary or --all found.
  const notices = (async () => {
    for await (const n of snoop.lifecycle()) {
      // Before waiting for the output: the process's first requests must find its labels.
      if (n.kind === 'attach') exporters?.attached(n.process);
      else if (n.kind === 'exit') exporters?.exited(n.pid);
      else exporters?.attachFailed(n.error.code);
      await written();
      if (n.kind === 'attach' && (n.via === 'binary' || n.via === 'all')) {
        say(`tracing pid ${n.pid} (${n.process.exe}, ${n.process.goVersion})`);
        summary.track(n.pid, basename(n.process.exe));
      } else if (n.kind === 'exit' && targets.pids.delete(n.pid)) {
        say(`pid ${n.pid} ${n.replaced ? "exec'd another program" : `exited (${describeExit(n)})`}`);
        if (targets.pids.size === 0 && !program && !targets.watching) stop('every traced process exited');
      } else if (n.kind === 'error') {
        say(n.error.message);
      }
    }
  })();

  const color = useColor(args.color, sink.isTerminal);
  const render = (ev: HttpRequestEvent): string => {
    const shown = redactor ? redactor.request(ev) : ev;
    har?.add(harEntry(ev, shown));
    if (args.format === 'json') return formatJson(ev, shown);
    if (args.format === 'curl') return formatCurl(ev, shown, { timestamps: args.timestamps });
    return formatText(ev, shown, { timestamps: args.timestamps, color });
  };
  const output = new BatchedOutput(sink, pendingOutputBytes, {
    written: (events) => progress.done(events),
    // Ends the loop below, which then reports the error.
    failed: (error) => (error instanceof OutputClosedError ? stop('the output was closed') : void snoop.close()),
  });

  // Without HAR, exporters or curl, a request's text is written from its view and shape (shape-texts.ts).
  const shapeTexts =
    har || exporters || args.format === 'curl'
      ? undefined
      : new ShapeTexts({
          format: args.quiet ? undefined : args.format === 'json' ? 'json' : 'text',
          timestamps: args.timestamps,
          color,
          filters: args.filters,
          redactor,
        });
  const young = shapeTexts ? YoungCollection.start(() => snoop.stats().events) : undefined;
  const countReached = (): boolean => args.count !== undefined && summary.printed >= args.count;
  /** One request; false once --count is reached. */
  const take = (ev: HttpRequestEvent): boolean => {
    const keep = matchesFilters(args.filters, ev);
    summary.captured(ev.pid, keep);
    if (keep) exporters?.request(ev);
    output.add(keep && !args.quiet ? render(ev) : '');
    return !countReached();
  };
  const takeView = (view: HttpRequestView): boolean => {
    if (!shapeTexts) return take(view.toEvent());
    const text = shapeTexts.of(view.shape);
    summary.captured(view.pid, text.keep);
    if (text.bytes) output.addCall(view, shapeTexts.writeCall, text.bytes);
    else output.skip();
    return !countReached();
  };

  let code: number = ExitCode.ok;
  try {
    if (viewRequests) {
      requests: for await (const batch of snoop.requestViews()) {
        for (const view of batch) {
          if (!takeView(view)) {
            stop('--count reached');
            break requests;
          }
          if (output.full) {
            output.send();
            await output.room();
          }
        }
        output.send();
      }
      output.send();
    } else {
      for await (const ev of snoop.events()) {
        if (!take(ev)) {
          stop('--count reached');
          break;
        }
        if (output.full) await output.room();
      }
    }
    await output.flush();
    await har?.flush();
  } catch (error) {
    if (error instanceof OutputClosedError) {
      stop('the output was closed');
    } else {
      say(`writing the output failed: ${(error as Error).message}`);
      code = ExitCode.failed;
    }
  }
  progress.end();
  young?.stop();
  clearTimeout(duration);
  await snoop.close();
  await notices;
  await exporters?.close();
  await closeFiles();
  process.stderr.write(summary.format(snoop.stats(), args.quiet && exporters ? 'exported' : 'printed'));
  if (program && code === ExitCode.ok) {
    // -c, -d or a closed output ended the trace first: the program runs on to its end.
    programStatus ??= await program.exited;
    code = shellStatus(programStatus);
  }
  removeInterruptHandlers();
  return code;
}
