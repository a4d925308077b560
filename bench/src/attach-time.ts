import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { GoBinary, clientDoName, inspectGoBinary } from '@httpwatcher/go-elf';
import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import type { EventCounter } from './event-counter.js';
import { GoProgram } from './go-program.js';
import { median, nowMs, waitFor } from './stats.js';
import { fmt, type Row } from './table.js';

export interface InspectionTiming {
  binary: string;
  sizeBytes: number;
  stripped: boolean;
  /** inspectGoBinary (what `httpwatcher inspect` does), ms. */
  inspectMs: number;
  /** GoBinary.open + buildInfo + findFunction(net/http.(*Client).do), ms. */
  lookupMs: number;
  /** `go version <binary>` wall time (a process of its own), ms. */
  goVersionMs: number;
}

async function timeMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    await work();
    times.push(nowMs() - t0);
  }
  return median(times);
}

/** Issue 3's speed figure: build info + symbol lookup on one binary, next to `go version`. */
export async function timeInspection(binary: string, goroot: string, runs: number): Promise<InspectionTiming> {
  const go = join(goroot, 'bin', 'go');
  let stripped = false;
  const inspectMs = await timeMs(runs, async () => {
    stripped = (await inspectGoBinary(binary)).stripped;
  });
  const lookupMs = await timeMs(runs, async () => {
    await using elf = await GoBinary.open(binary);
    await elf.buildInfo();
    await elf.findFunction(clientDoName);
  });
  const goVersionMs = await timeMs(runs, async () => {
    const r = spawnSync(go, ['version', binary], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
    if (r.status !== 0) throw new Error(`go version ${binary}: ${r.stderr}`);
  });
  return { binary, sizeBytes: statSync(binary).size, stripped, inspectMs, lookupMs, goVersionMs };
}

export interface AttachTiming {
  binary: string;
  sizeBytes: number;
  /** snoop.attach(pid) of a running process the first time: parse + resolve + attach, ms. */
  firstMs: number;
  /**
   * Re-attaching right after a detach (the ELF is not parsed again), median and slowest, ms. The
   * kernel may still be unregistering the previous uprobe of the same file offset (an RCU grace
   * period, freed on a background thread); a new registration then waits for it.
   */
  medianMs: number;
  maxMs: number;
  /** Each re-attach in order, ms: a wait on the kernel shows as a run of slow ones. */
  reattachMs: number[];
  runs: number;
  /** The probe attached there delivered the request the program made. */
  eventSeen: boolean;
}

/** Attach time: parse + resolve + attach of a running large stripped binary, with detach between runs. */
export async function timeAttach(options: {
  binary: string;
  snoop: Snooper;
  consumer: EventCounter;
  runs: number;
}): Promise<AttachTiming> {
  const { binary, snoop, consumer, runs } = options;
  const program = await GoProgram.start(binary);
  const times: number[] = [];
  let eventSeen = false;
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = nowMs();
      await snoop.attach(program.pid);
      times.push(nowMs() - t0);
      if (i === 0) {
        let seen: HttpRequestEvent | undefined;
        consumer.observe((ev) => {
          if (ev.pid === program.pid) seen = ev;
        });
        const sent = await program.send<{ url: string }>('get', 'bench-large request');
        await waitFor(() => seen !== undefined, 2_000);
        consumer.observe(undefined);
        eventSeen = seen?.url === sent.url;
      }
      await snoop.detach(program.pid);
    }
  } finally {
    await program.stop();
  }
  return {
    binary,
    sizeBytes: statSync(binary).size,
    firstMs: times[0]!,
    medianMs: median(times.slice(1)),
    maxMs: Math.max(...times.slice(1)),
    reattachMs: times.slice(1),
    runs,
    eventSeen,
  };
}

/** The attach-time row of the table: the first attach, beside inspection and the re-attaches. */
export function attachTimeRow(attach: AttachTiming, inspectLarge: InspectionTiming): Row {
  return {
    figure: `attach time (parse+resolve+attach), ${fmt(attach.sizeBytes / 1e6, 1)} MB stripped`,
    measured: `${fmt(attach.firstMs, 1)} ms`,
    baseline: `inspect ${fmt(inspectLarge.inspectMs, 1)} ms; re-attach median ${fmt(attach.medianMs, 1)}, max ${fmt(attach.maxMs, 1)} ms`,
    ratio: '-',
    target: '≤ 50 ms',
    met: attach.firstMs <= 50 && attach.eventSeen,
  };
}
