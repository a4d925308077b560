import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliSummary } from '../cli-summary.js';
import { sleep, waitFor } from '../stats.js';
import { fmt, type Row } from '../table.js';
import { BpfMapEntries } from './bpf-map-entries.js';
import { ChildProcesses } from './child-processes.js';
import {
  type Anchor,
  execStorm,
  ProgramRunner,
  ProgramTally,
  repeat,
  startAnchor,
  type StormCounts,
} from './program-runs.js';
import { RequestLines } from './request-lines.js';
import { eventAccount, eventNotes } from './soak-events.js';
import { cliNote, loadNote, programNotes } from './soak-notes.js';
import { type SoakSample, SoakSampler } from './soak-sample.js';
import { type SoakTiming, soakTiming } from './soak-timing.js';
import { judgeSoak, type EventAccount } from './soak-verdict.js';
import { anchorsOf, soakWorkload } from './soak-workload.js';
import { TracedCli } from './traced-cli.js';

export interface SoakResult {
  minutes: number;
  timing: SoakTiming;
  samples: SoakSample[];
  events: EventAccount;
  verdict: Row[];
  notes: string[];
  runsByLabel: Record<string, number>;
  storm: StormCounts;
  cliEnd: string;
  summary: Omit<CliSummary, 'byPid'> | undefined;
}

/** The summary without its per-process lines, of which a long soak has thousands. */
function summaryTotals({ byPid: _byPid, ...totals }: CliSummary): Omit<CliSummary, 'byPid'> {
  return totals;
}

/** Ctrl-C or SIGTERM ended the soak before its time: nothing is judged. */
export class SoakInterrupted extends Error {
  override readonly name = 'SoakInterrupted';
}

/** How long the programs get to finish their run once the soak's time is up, and the CLI to drain and stop. */
const windDownMs = 60_000;

/**
 * The soak: the CLI traces every Go process while several clients run at full rate and an exec
 * storm starts short-lived programs; the CLI is sampled every interval, and at the end its
 * output and summary are compared with what the programs said they sent.
 */
export async function runSoak(minutes: number, signal: AbortSignal, log: (line: string) => void): Promise<SoakResult> {
  const timing = soakTiming(minutes);
  const startLoad = loadavg()[0]!;
  const workload = soakWorkload();
  const programs = new ChildProcesses();
  const cliProcess = new ChildProcesses();
  const dir = mkdtempSync(join(tmpdir(), 'httpwatcher-soak-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  // Also when the soak exits without unwinding (a second Ctrl-C, an uncaught error).
  const onExit = (): void => {
    programs.kill();
    cliProcess.kill();
    removeDir();
  };
  process.once('exit', onExit);
  try {
    // A FIFO, not a file: at full rate the output grows by tens of MB a second, which a 30-minute
    // run could not keep on disk. The soak reads it as it comes, as `| jq` would.
    const output = join(dir, 'requests.ndjson');
    execFileSync('mkfifo', ['-m', '600', output]);
    const cli = TracedCli.start(cliProcess, output);
    const lines = new RequestLines();
    const outputRead = (async () => {
      for await (const chunk of createReadStream(output, { highWaterMark: 1 << 20 })) lines.add(chunk as Buffer);
      lines.end();
    })();
    await cli.watchingAll(60_000);
    log(`CLI pid ${cli.pid} traces every Go process; starting one idle process of each traced binary`);

    const anchors: Anchor[] = [];
    for (const spec of anchorsOf(workload)) {
      const anchor = await startAnchor(spec, programs);
      anchors.push(anchor);
      if (!(await cli.tracing(anchor.pid, 10_000)))
        throw new Error(`the CLI did not trace ${spec.label} (pid ${anchor.pid}) within 10 s`);
    }

    const tally = new ProgramTally();
    const failures: unknown[] = [];
    let running = true;
    const isRunning = (): boolean => running && !signal.aborted && cli.running && failures.length === 0;
    const start = performance.now();
    const sampler = new SoakSampler(cli.pid, new BpfMapEntries(cli.pid), lines, tally, start);
    const failed = (error: unknown): void => void failures.push(error);
    const runner = new ProgramRunner(programs, dir);
    const loops = workload.fullRate.map((spec) => repeat(spec, runner, tally, isRunning).catch(failed));
    const storm = execStorm(
      workload.storm,
      { intervalMs: workload.stormIntervalMs, maxAlive: workload.stormMaxAlive },
      runner,
      tally,
      isRunning,
    ).catch((error: unknown) => {
      failed(error);
      return { started: 0, skipped: 0 };
    });
    log(
      `${fmt(minutes, 1)} min: ${workload.fullRate.map((p) => p.label).join(', ')} at full rate; ` +
        `exec storm of ${workload.storm.map((p) => p.label).join(', ')}; warm-up ${fmt(timing.warmupMs / 1000)} s, ` +
        `a sample every ${fmt(timing.sampleIntervalMs / 1000, 1)} s`,
    );

    for (let at = timing.sampleIntervalMs; at <= timing.durationMs; at += timing.sampleIntervalMs) {
      await waitFor(() => !isRunning() || performance.now() - start >= at, timing.sampleIntervalMs + 1_000, 50);
      if (!isRunning()) break;
      const s = await sampler.take();
      log(
        `${fmt(s.tMs / 1000)} s: RSS ${fmt(s.rssKb / 1024, 1)} MB, fds ${s.fds.total}, links ${s.fds.bpfLinks}, ` +
          `${fmt(s.printedPerSec)} printed/s, CLI CPU ${fmt(s.cliCpuPercent)} %, ${fmt(s.programRuns)} runs`,
      );
    }
    running = false;
    if (signal.aborted) throw new SoakInterrupted('interrupted');
    if (failures.length > 0) throw failures[0];
    if (!cli.running) throw new Error(`the CLI ended during the soak (${await cli.exited}): ${cli.notes.join(' | ')}`);

    log('time is up: letting the programs finish their run');
    const finished = await Promise.race([
      Promise.all([...loops, storm]).then(() => true),
      sleep(windDownMs).then(() => false),
    ]);
    if (!finished) programs.kill();
    const stormCounts = await storm;
    for (const anchor of anchors) {
      anchor.stop();
      tally.recordIdle(anchor.label, anchor.pid);
    }
    // Done once the output has not grown for 2 s: the CLI has written what it had queued.
    log('waiting for the CLI to write what it has queued');
    for (let last = -1, waited = 0; lines.total !== last && waited < windDownMs; waited += 2_000) {
      last = lines.total;
      await sleep(2_000);
    }
    const cliEnd = await cli.stop(windDownMs);
    await Promise.race([outputRead, sleep(10_000)]);

    const events = eventAccount(tally, lines, cliEnd.summary);
    const verdict = judgeSoak(sampler.samples, timing.warmupMs, events);
    const notes = [
      ...programNotes(tally, stormCounts, workload.stormMaxAlive, finished ? undefined : windDownMs),
      ...eventNotes(tally, lines, cliEnd.summary),
      cliNote(cli, cliEnd.end, programs.started),
      loadNote(startLoad, sampler.samples.at(-1)?.load1 ?? Number.NaN),
    ];
    return {
      minutes,
      timing,
      samples: sampler.samples,
      events,
      verdict,
      notes,
      runsByLabel: Object.fromEntries(tally.runsByLabel),
      storm: stormCounts,
      cliEnd: cliEnd.end,
      summary: cliEnd.summary && summaryTotals(cliEnd.summary),
    };
  } finally {
    programs.kill();
    cliProcess.kill();
    removeDir();
    process.removeListener('exit', onExit);
  }
}
