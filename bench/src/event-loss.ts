import { Snooper } from 'httpwatcher';
import { EventCounter } from './event-counter.js';
import { GoProgram } from './go-program.js';
import type { PipelineMeter } from './pipeline-meter.js';
import { nowMs, waitFor } from './stats.js';

export interface LossResult {
  goroutines: number;
  calls: number;
  untracedCallsPerSec: number;
  tracedCallsPerSec: number[];
  /** Events consumed per second by the `for await` loop while the client ran (end to end, live). */
  liveEventsPerSec: number[];
  lost: number;
  missing: number;
  /** Node.js CPU time (user + system) per event over the traced rounds: drain, copy, decode, queue, consume. */
  nodeCpuUsPerEvent: number;
  batchesPerSec: number;
  bytesPerEvent: number;
  callbackUsPerEvent: number;
  heapBytesPerEvent: number;
}

/**
 * Events lost at full speed: the fastest one Go process goes here (in-process RoundTripper, one
 * goroutine per core) while traced, and whether every call became an event.
 */
export async function measureEventLoss(options: {
  binary: string;
  snoop: Snooper;
  consumer: EventCounter;
  meter: PipelineMeter;
  goroutines: number;
  calls: number;
  iterations: number;
}): Promise<LossResult> {
  const { binary, snoop, consumer, meter, goroutines, calls, iterations } = options;
  const program = await GoProgram.start(binary, ['-transport', 'inproc', '-goroutines', String(goroutines)]);
  try {
    await program.run(calls / 4);
    const untraced = await program.run(calls);
    await snoop.attach(program.pid);
    const before = snoop.stats();
    const tracedCallsPerSec: number[] = [];
    const liveEventsPerSec: number[] = [];
    let missing = 0;
    meter.reset();
    const cpu = process.cpuUsage();
    const wallStart = nowMs();
    for (let i = 0; i < iterations; i++) {
      const start = consumer.count;
      const t0 = nowMs();
      const round = await program.run(calls);
      const complete = await waitFor(() => consumer.count - start >= calls, 10_000, 1);
      liveEventsPerSec.push(((consumer.count - start) / (nowMs() - t0)) * 1000);
      if (!complete) missing += calls - (consumer.count - start);
      tracedCallsPerSec.push(round.callsPerSec);
    }
    const wallMs = nowMs() - wallStart;
    const used = process.cpuUsage(cpu);
    const after = snoop.stats();
    await snoop.detach(program.pid);
    const events = after.events - before.events;
    return {
      goroutines,
      calls,
      untracedCallsPerSec: untraced.callsPerSec,
      tracedCallsPerSec,
      liveEventsPerSec,
      lost:
        after.kernelDrops -
        before.kernelDrops +
        (after.scratchDrops - before.scratchDrops) +
        (after.queueDrops - before.queueDrops),
      missing,
      nodeCpuUsPerEvent: (used.user + used.system) / events,
      batchesPerSec: (meter.batches / wallMs) * 1000,
      bytesPerEvent: meter.bytes / events,
      callbackUsPerEvent: meter.callbackNs / 1000 / events,
      heapBytesPerEvent: meter.heapEvents ? meter.heapBytes / meter.heapEvents : Number.NaN,
    };
  } finally {
    await program.stop();
  }
}

export interface CeilingResult {
  events: number;
  eventsPerSec: number[];
  drainMs: number[];
}

/**
 * The pipeline ceiling into a JavaScript consumer, apart from how fast Go can produce. The
 * JavaScript thread sleeps (Atomics.wait) while the client fills a large ring with `events`
 * records; then the clock starts and the `for await` loop counts until all arrived.
 */
export async function measurePipelineCeiling(options: {
  binary: string;
  meter: PipelineMeter;
  goroutines: number;
  events: number;
  iterations: number;
}): Promise<CeilingResult> {
  const { binary, meter, goroutines, events, iterations } = options;
  const snoop = await Snooper.init({ binding: meter.binding, ringBufferBytes: 256 << 20, maxQueue: 1 << 20 });
  const consumer = new EventCounter(snoop);
  const program = await GoProgram.start(binary, ['-transport', 'inproc', '-goroutines', String(goroutines)]);
  const eventsPerSec: number[] = [];
  const drainMs: number[] = [];
  const nap = new Int32Array(new SharedArrayBuffer(4));
  try {
    await snoop.attach(program.pid);
    for (let i = 0; i < iterations; i++) {
      const startHits = snoop.stats().hits;
      const startCount = consumer.count;
      const reply = program.run(events);
      // Keep this thread off the ring until every call has hit the probe.
      const deadline = nowMs() + 60_000;
      while (snoop.stats().hits - startHits < events && nowMs() < deadline) Atomics.wait(nap, 0, 0, 20);
      const t0 = nowMs();
      const complete = await waitFor(() => consumer.count - startCount >= events, 30_000, 0);
      const ms = nowMs() - t0;
      await reply;
      if (!complete) throw new Error(`pipeline ceiling: ${consumer.count - startCount} of ${events} events arrived`);
      drainMs.push(ms);
      eventsPerSec.push((events / ms) * 1000);
    }
    const stats = snoop.stats();
    if (stats.kernelDrops + stats.scratchDrops + stats.queueDrops > 0)
      throw new Error(
        `pipeline ceiling: ${stats.kernelDrops} kernel, ${stats.scratchDrops} scratch and ${stats.queueDrops} queue drops`,
      );
  } finally {
    await program.stop();
    await snoop.close();
    await consumer.done;
  }
  return { events, eventsPerSec, drainMs };
}
