import type { Snooper } from 'httpwatcher';
import type { EventCounter } from './event-counter.js';
import { GoProgram } from './go-program.js';
import { max, median, realtimeNs, sleep } from './stats.js';

export interface LatencyResult {
  requests: number;
  intervalMs: number;
  medianMs: number;
  maxMs: number;
  missing: number;
}

/**
 * From the Go program's CLOCK_REALTIME right before client.Do to the moment the `for await` loop
 * receives the event, at a low rate (one request per `intervalMs`), where no byte threshold helps.
 */
export async function measureDeliveryLatency(options: {
  binary: string;
  snoop: Snooper;
  consumer: EventCounter;
  requests: number;
  intervalMs: number;
}): Promise<LatencyResult> {
  const { binary, snoop, consumer, requests, intervalMs } = options;
  const program = await GoProgram.start(binary, ['-transport', 'inproc']);
  const received = new Map<number, number>();
  const sent = new Map<number, number>();
  try {
    await snoop.attach(program.pid);
    consumer.observe((ev) => {
      const m = /\/paced\/(\d+)$/.exec(ev.url);
      if (m && ev.pid === program.pid) received.set(Number(m[1]), realtimeNs());
    });
    await program.paced(requests, intervalMs, (mark) => sent.set(mark.seq, mark.realtimeNs));
    await sleep(500);
    await snoop.detach(program.pid);
  } finally {
    consumer.observe(undefined);
    await program.stop();
  }
  const latencies = [...sent].flatMap(([seq, at]) => {
    const got = received.get(seq);
    return got === undefined ? [] : [(got - at) / 1e6];
  });
  return {
    requests,
    intervalMs,
    medianMs: median(latencies),
    maxMs: max(latencies),
    missing: requests - latencies.length,
  };
}
