import { GoBinary, clientDoName } from '@httpwatcher/go-elf';
import { resolveProcessBinary, type Snooper } from 'httpwatcher';
import { Bpftrace, bpftracePrintScript } from './bpftrace-printer.js';
import type { EventCounter } from './event-counter.js';
import { FloorProbe } from './floor-probe.js';
import { GoProgram, type Round } from './go-program.js';
import { median } from './stats.js';
import { waitFor } from './stats.js';

export const costModes = [
  'untraced',
  'floor',
  'httpwatcher',
  'httpwatcherResponse',
  'httpwatcherTransport',
  'floorAtEntry',
  'bpftrace',
] as const;
export type CostMode = (typeof costModes)[number];

export interface CostResult {
  transport: string;
  calls: number;
  iterations: number;
  /** ns/call of every round, by mode. */
  nsPerCall: Record<CostMode, number[]>;
  /** Median over iterations of (mode − untraced of the same iteration), ns per call. */
  addedNs: Record<CostMode, number>;
  /** Problems seen in the rounds: a probe that missed calls, events lost. */
  problems: string[];
}

/**
 * Runs `iterations` rounds of each mode side by side in one Go process (same binary, same probe
 * address), rotating the order each iteration so that drifting load spreads over every mode.
 */
export async function measureCostPerCall(options: {
  binary: string;
  transport: 'inproc' | 'loopback';
  calls: number;
  iterations: number;
  snoop: Snooper;
  consumer: EventCounter;
  /** A Snooper made with `response: true` and its consumer, for the `httpwatcherResponse` mode. */
  responseSnoop: Snooper;
  responseConsumer: EventCounter;
  /** A Snooper made with `transport: true` and its consumer, for the `httpwatcherTransport` mode. */
  transportSnoop?: Snooper;
  transportConsumer?: EventCounter;
  modes?: readonly CostMode[];
  /** More arguments for the client, e.g. `-header-values built`. */
  programArgs?: readonly string[];
  /** Names this run's files (bpftrace output). */
  label?: string;
}): Promise<CostResult> {
  const { binary, transport, calls, iterations } = options;
  // The transport probe's cost is measured only with a transport Snooper (`--only transport-cost`).
  const modes = options.modes ?? costModes.filter((m) => m !== 'httpwatcherTransport' || options.transportSnoop);
  const program = await GoProgram.start(binary, ['-transport', transport, ...(options.programArgs ?? [])]);
  const problems: string[] = [];
  const nsPerCall = Object.fromEntries(costModes.map((m) => [m, [] as number[]])) as Record<CostMode, number[]>;
  try {
    const resolved = await resolveProcessBinary(program.pid);
    const entryOffset = await (async () => {
      await using elf = await GoBinary.open(binary);
      return (await elf.findFunction(clientDoName)).fileOffset;
    })();
    const script = bpftracePrintScript(binary, resolved);
    await program.run(Math.min(calls, 20_000)); // warm-up: first-call allocations, page faults

    const runMode = async (mode: CostMode): Promise<Round> => {
      switch (mode) {
        case 'untraced':
          return program.run(calls);
        case 'floor':
        case 'floorAtEntry': {
          const offset = mode === 'floor' ? resolved.probe.fileOffset : entryOffset;
          const probe = await FloorProbe.attach(binary, offset, program.pid);
          const round = await program.run(calls);
          const hits = await probe.stop();
          // At the entry a goroutine stack growth restarts the function: a few hits more than calls.
          if (hits < calls || (mode === 'floor' && hits !== calls))
            problems.push(`${mode}: ${hits} hits for ${calls} calls`);
          return round;
        }
        case 'httpwatcher':
        case 'httpwatcherResponse':
        case 'httpwatcherTransport': {
          const [snoop, consumer] =
            mode === 'httpwatcher'
              ? [options.snoop, options.consumer]
              : mode === 'httpwatcherResponse'
                ? [options.responseSnoop, options.responseConsumer]
                : [options.transportSnoop, options.transportConsumer];
          if (!snoop || !consumer) throw new Error(`${mode}: no Snooper given for it`);
          const before = consumer.count;
          await snoop.attach(program.pid);
          const round = await program.run(calls);
          const complete = await waitFor(() => consumer.count - before >= calls, 10_000);
          await snoop.detach(program.pid);
          if (!complete) problems.push(`${mode}: ${consumer.count - before} events for ${calls} calls`);
          return round;
        }
        case 'bpftrace': {
          const bt = await Bpftrace.start(`print-${options.label ?? transport}`, script);
          const round = await program.run(calls);
          const { lines, lost } = await bt.stop();
          const printed = lines.filter((l) => l.startsWith('GET ')).length;
          if (printed + lost < calls)
            problems.push(`bpftrace: printed ${printed} requests (lost ${lost}) for ${calls} calls`);
          else if (lost > 0) problems.push(`bpftrace: lost ${lost} of ${calls} events`);
          return round;
        }
      }
    };

    for (let i = 0; i < iterations; i++) {
      const order = [...modes.slice(i % modes.length), ...modes.slice(0, i % modes.length)];
      for (const mode of order) {
        const round = await runMode(mode);
        nsPerCall[mode].push(round.nsPerCall);
      }
    }
  } finally {
    await program.stop();
  }
  const addedNs = Object.fromEntries(
    costModes.map((m) => [m, median(nsPerCall[m].map((ns, i) => ns - (nsPerCall.untraced[i] ?? Number.NaN)))]),
  ) as Record<CostMode, number>;
  return { transport, calls, iterations, nsPerCall, addedNs, problems };
}
