import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Snooper } from 'httpwatcher';
import { attachTimeRow, timeAttach, timeInspection } from './attach-time.js';
import { bpfBuildsRow } from './bpf-builds.js';
import { cliThroughputFigure } from './cli-throughput-rows.js';
import { measureCostPerCall } from './cost-per-call.js';
import { EventCounter } from './event-counter.js';
import { prepareBenchClient, prepareBenchPrograms } from './fixtures.js';
import { benchOut } from './paths.js';
import { responseFloorOnly } from './response-floor-figure.js';
import { measureScratchSlots } from './scratch-slots.js';
import { median } from './stats.js';
import { fmt, formatTable, type Row } from './table.js';

/** What the figures run alone need from the bench's run. */
export interface OnlyRun {
  iterations: number;
  quick: boolean;
  startLoad: string;
  log: (line: string) => void;
  load: () => string;
}

/** client_do per hit with the scratch slots and preemption guard against the one-slot program. */
export async function scratchSlotsRow(client: string, iterations: number, log: (line: string) => void): Promise<Row> {
  log('client_do per hit: scratch slots and preemption guard against the one-slot program');
  const r = await measureScratchSlots(client, iterations * 2, 50_000);
  const ratio = median(r.slotsNs) / median(r.oneSlotNs);
  return {
    figure: 'client_do BPF time per hit, 4 scratch slots + preemption guard vs 1 slot',
    measured: `${fmt(median(r.slotsNs))} ns`,
    baseline: `1 slot ${fmt(median(r.oneSlotNs))} ns`,
    ratio: `${fmt(ratio, 2)} ×`,
    target: '≤ 1.10 ×',
    met: ratio <= 1.1,
  };
}

/** `pnpm bench -- --only <figure>`: one figure alone (the full run takes many minutes). Resolves with the exit code. */
export async function runOnlyFigure(only: string, run: OnlyRun): Promise<number> {
  const { iterations, quick, startLoad, log, load } = run;
  if (only === 'scratch-slots') {
    console.log(formatTable([await scratchSlotsRow(prepareBenchClient(), iterations, log)]));
    console.log(`- load average (1/5/15 min) at start ${startLoad}, at end ${load()}`);
    return 0;
  }
  if (only === 'bpf-builds') {
    log('client_do per hit: the compat build against the default build');
    console.log(formatTable([await bpfBuildsRow(prepareBenchClient(), iterations * 2, 50_000)]));
    console.log(`- load average (1/5/15 min) at start ${startLoad}, at end ${load()}`);
    return 0;
  }
  if (only === 'cli-throughput') {
    const figure = await cliThroughputFigure(prepareBenchClient(), quick ? 200_000 : 1_000_000, quick ? 1 : 3, log);
    writeFileSync(join(benchOut, 'cli-throughput.json'), `${JSON.stringify(figure.results, null, 2)}\n`);
    console.log(formatTable(figure.rows));
    console.log();
    for (const n of figure.notes) console.log(`- ${n}`);
    console.log(`- load average (1/5/15 min) at start ${startLoad}, at end ${load()}`);
    return 0;
  }
  if (only === 'transport-cost') return await transportCostOnly(run);
  if (only === 'attach-time') return await attachTimeOnly(run);
  if (only === 'response-floor') return await responseFloorOnly(run);
  log(
    `--only knows scratch-slots, bpf-builds, cli-throughput, transport-cost, attach-time and response-floor, not "${only}"`,
  );
  return 1;
}

/**
 * `--only attach-time`: the attach figure with a Snooper of its own. As in the full run, the first
 * attach starts the Snooper's analysis worker thread (the full run's earlier analyses are more than
 * its idle time before).
 */
async function attachTimeOnly({ iterations, startLoad, log, load }: OnlyRun): Promise<number> {
  const programs = prepareBenchPrograms();
  const snoop = await Snooper.init();
  const consumer = new EventCounter(snoop);
  try {
    log('attach time and inspection on a large stripped binary');
    const attach = await timeAttach({ binary: programs.large, snoop, consumer, runs: iterations + 2 });
    const inspectLarge = await timeInspection(programs.large, programs.goroot, iterations);
    console.log(formatTable([attachTimeRow(attach, inspectLarge)]));
    console.log(`- re-attach times (ms): ${attach.reattachMs.map((t) => fmt(t, 1)).join(', ')}`);
    console.log(`- load average (1/5/15 min) at start ${startLoad}, at end ${load()}`);
    return attach.eventSeen ? 0 : 1;
  } finally {
    await snoop.close();
    await consumer.done;
  }
}

/** `--only transport-cost`: the cost per call with both probes against Client.do alone, on loopback keep-alive. */
async function transportCostOnly({ iterations, startLoad, log, load }: OnlyRun): Promise<number> {
  const programs = prepareBenchPrograms();
  const snoop = await Snooper.init();
  const consumer = new EventCounter(snoop);
  const responseSnoop = await Snooper.init({ response: true });
  const responseConsumer = new EventCounter(responseSnoop);
  const transportSnoop = await Snooper.init({ transport: true });
  const transportConsumer = new EventCounter(transportSnoop);
  try {
    log('probe cost per call with the transport probe: loopback keep-alive');
    const cost = await measureCostPerCall({
      binary: programs.client,
      transport: 'loopback',
      calls: 20_000,
      iterations,
      snoop,
      consumer,
      responseSnoop,
      responseConsumer,
      transportSnoop,
      transportConsumer,
      modes: ['untraced', 'httpwatcher', 'httpwatcherTransport'],
      label: 'loopback-transport',
    });
    const a = cost.addedNs;
    console.log(
      formatTable([
        {
          figure: '--transport added ns/call (Client.do and Transport.roundTrip probes), loopback',
          measured: `${fmt(a.httpwatcherTransport)} ns`,
          baseline: `Client.do only ${fmt(a.httpwatcher)} ns`,
          ratio: `${fmt(a.httpwatcherTransport / a.httpwatcher, 2)} ×`,
          target: 'reported',
          met: undefined,
        },
      ]),
    );
    console.log(
      `- untraced ${fmt(median(cost.nsPerCall.untraced))} ns/call; median of ${cost.iterations} paired rounds of ${cost.calls} calls` +
        (cost.problems.length ? `; problems: ${cost.problems.join('; ')}` : ''),
    );
    console.log(`- load average (1/5/15 min) at start ${startLoad}, at end ${load()}`);
    return cost.problems.length === 0 ? 0 : 1;
  } finally {
    await snoop.close();
    await responseSnoop.close();
    await transportSnoop.close();
    await consumer.done;
    await responseConsumer.done;
    await transportConsumer.done;
  }
}
