import { Snooper } from 'httpwatcher';
import { watchExits } from '../../../packages/httpwatcher/src/test-support/exit-watch.js';
import type { GuestPlan } from '../guest-plan.js';
import type { Findings } from './findings.js';
import { runTraced } from './traced.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests of the bulk scenario per check; the JavaScript thread is blocked until they are made. */
const n = 2_000;
const blockJsThreadMs = 60_000;

/**
 * The addon's drain thread (docs/delivery.md): 2,000 requests through a 256 KiB ring while the
 * JavaScript thread is blocked until the client has exited. Every one arrives, none dropped, and
 * the thread held more than the ring could (spill.e2e).
 */
export async function checkDrainThread(plan: GuestPlan, f: Findings): Promise<Record<string, unknown>> {
  const ringBufferBytes = 256 << 10;
  const snoop = await Snooper.init({ ringBufferBytes, bpfBuild: plan.bpfBuild });
  try {
    const run = await runTraced(snoop, plan.client.path, ['-scenario', 'bulk', '-n', String(n)], 5_000, {
      blockJsThreadMs,
    });
    f.same('fixture exit code', run.exitCode, 0);
    f.same('bulk summary', run.bulk, { kind: 'bulk', sent: n, ok: n });
    const stats = snoop.stats();
    f.same('probe hits', stats.hits, n);
    f.same('kernel drops', stats.kernelDrops, 0);
    f.atLeast('spill peak bytes', stats.spillPeakBytes, ringBufferBytes + 1);
    const seqs = new Set(run.events.map((e) => /\/bulk\/(\d+)$/.exec(e.url)?.[1]));
    f.same('distinct requests delivered', seqs.size, n);
    f.same('events delivered', run.events.length, n);
    return { hits: stats.hits, delivered: run.events.length, spillPeakBytes: stats.spillPeakBytes };
  } finally {
    await snoop.close();
  }
}

/**
 * A 16 KiB ring, and as little beyond it for the drain thread, while 2,000 requests run with the
 * JavaScript thread blocked: records delivered + kernelDrops = records written, the process's exit
 * record included, and the thread held no more than its bound (kernel-drops.e2e).
 */
export async function checkKernelDrops(plan: GuestPlan, f: Findings): Promise<Record<string, unknown>> {
  const ringBufferBytes = 4096 * 4;
  const snoop = await Snooper.init({ ringBufferBytes, spillBufferBytes: ringBufferBytes, bpfBuild: plan.bpfBuild });
  const exits = watchExits(snoop);
  try {
    const run = await runTraced(snoop, plan.client.path, ['-scenario', 'bulk', '-n', String(n)], 500, {
      blockJsThreadMs,
    });
    await sleep(50);
    await exits.stop();
    f.same('fixture exit code', run.exitCode, 0);
    f.same('bulk summary', run.bulk, { kind: 'bulk', sent: n, ok: n });
    const stats = snoop.stats();
    f.same('probe hits', stats.hits, n);
    f.atLeast('kernel drops', stats.kernelDrops, 1);
    f.atLeast('events delivered', run.events.length, 1);
    f.atLeast('spill peak bytes', stats.spillPeakBytes, 1);
    f.atMost('spill peak bytes', stats.spillPeakBytes, ringBufferBytes);
    const exitDelivered = exits.pids.includes(run.pid) ? 1 : 0;
    f.same('delivered + dropped', run.events.length + exitDelivered + stats.kernelDrops, n + 1);
    f.same('queue drops', stats.queueDrops, 0);
    f.same('scratch drops', stats.scratchDrops, 0);
    return {
      hits: stats.hits,
      delivered: run.events.length + exitDelivered,
      kernelDrops: stats.kernelDrops,
      scratchDrops: stats.scratchDrops,
    };
  } finally {
    await snoop.close();
  }
}
