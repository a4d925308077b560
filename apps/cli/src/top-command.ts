import { basename } from 'node:path';
import { isatty } from 'node:tty';
import { Snooper, SnooperError, type TracedChild } from 'httpwatcher';
import type { TopArgs } from './args.js';
import { attachTargets } from './attach-targets.js';
import { useColor } from './color.js';
import { ExitCode } from './exit-code.js';
import { handleInterrupts } from './interrupts.js';
import { matchesFilters } from './request-filter.js';
import { say } from './terminal-text.js';
import { groupings, TopStats } from './top-stats.js';
import { TopTerminal } from './top-terminal.js';
import { renderView, sortKeys, type ViewState } from './top-view.js';

const refreshMs = 1000;
/** As the trace command: bounded queue and a 4 MiB ring (trace-command.ts says why). */
const queuedRequests = 1024;
const ringBufferBytes = 4 << 20;

const next = <T>(list: readonly T[], current: T): T => list[(list.indexOf(current) + 1) % list.length]!;

const exitCodeOf = (error: unknown): number =>
  SnooperError.isInstance(error) && error.code === 'PERMISSION_DENIED' ? ExitCode.noPermission : ExitCode.failed;

/**
 * `httpwatcher top`: the targets' requests as a live table refreshed every second, grouped by
 * process and host (or host+path pattern, method, status), with --response on to get statuses and
 * latencies. Runs until q, Ctrl-C, SIGINT or SIGTERM; the program after `--` gets SIGTERM then.
 */
export async function runTop(args: TopArgs): Promise<number> {
  if (!isatty(0) || !isatty(1)) {
    say('top needs a terminal on stdin and stdout; for a pipe or a file, trace without "top"');
    return ExitCode.usage;
  }
  let snoop: Snooper;
  try {
    snoop = await Snooper.init({ maxQueue: queuedRequests, ringBufferBytes, response: true });
  } catch (error) {
    say((error as Error).message);
    return exitCodeOf(error);
  }

  const stats = new TopStats();
  const names = new Map<number, string>();
  const state: ViewState = { grouping: 'host', sort: 'rate', filter: '', paused: false, message: '' };
  const messages: string[] = [];
  const ui = new TopTerminal(useColor(args.color, true));
  let prompting = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const redraw = (): void => {
    if (prompting) return;
    const s = snoop.stats();
    const data = {
      rows: stats.rows(state.grouping),
      total: stats.total,
      errors: stats.errors,
      rate: stats.rate(),
      stats: s,
      names,
    };
    ui.draw(renderView(data, state, ui.width, ui.height));
  };
  const note = (line: string): void => {
    state.message = line;
    messages.push(line);
    if (messages.length > 100) messages.shift();
    redraw();
  };
  const onKey = (name: string): void => {
    if (prompting) return;
    if (name === 'q' || name === 'Q' || name === 'CTRL_C') {
      finish();
      return;
    }
    if (name === 'p' || name === ' ') state.paused = !state.paused;
    else if (name === 'g') state.grouping = next(groupings, state.grouping);
    else if (name === 's') state.sort = next(sortKeys, state.sort);
    else if (name === 'ESCAPE') state.filter = '';
    else if (name === '/') {
      prompting = true;
      void ui.prompt('filter (Esc cancels): ', state.filter).then((text) => {
        prompting = false;
        if (text !== undefined) state.filter = text;
        redraw();
      });
      return;
    } else return;
    redraw();
  };

  const removeInterruptHandlers = handleInterrupts(() => finish());
  ui.start(onKey, redraw);
  let program: TracedChild | undefined;
  let programRunning = false;
  let code: number = ExitCode.ok;
  const timer = setInterval(() => state.paused || redraw(), refreshMs);
  try {
    redraw();
    const targets = await attachTargets(snoop, args, note, (pid, name) => names.set(pid, name), 'none');
    program = targets.program;
    if (targets.pids.size === 0 && !program && !targets.watching) {
      code = exitCodeOf(targets.errors.at(-1));
      finish();
    }
    programRunning = program !== undefined;
    void program?.exited.then(() => {
      programRunning = false;
      note(`pid ${program!.pid} exited; q quits`);
    });
    const notices = (async () => {
      for await (const n of snoop.lifecycle()) {
        if (n.kind === 'attach') {
          names.set(n.pid, basename(n.process.exe));
          note(`tracing pid ${n.pid} (${n.process.exe}, ${n.process.goVersion})`);
        } else if (n.kind === 'exit') note(`pid ${n.pid} exited`);
        else note(n.error.message);
      }
    })();
    const events = (async () => {
      for await (const ev of snoop.events()) if (matchesFilters(args.filters, ev)) stats.add(ev);
    })();
    await finished;
    clearInterval(timer);
    await snoop.close();
    await Promise.all([notices, events]);
  } finally {
    clearInterval(timer);
    ui.restore();
    removeInterruptHandlers();
  }
  await snoop.close();
  if (program && programRunning) program.child.kill('SIGTERM');
  const s = snoop.stats();
  for (const m of messages.slice(-5)) say(m);
  say(
    `${stats.total} requests seen, ${stats.errors} failed, ${s.kernelDrops + s.scratchDrops} dropped by kernel, ${s.queueDrops} dropped from queue`,
  );
  return code;
}
