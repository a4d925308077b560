import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Snooper } from 'httpwatcher';
import { attachTimeRow, timeAttach, timeInspection } from './attach-time.js';
import { cliHwmTargetMb, measureCliMemory } from './cli-memory.js';
import { costFigures } from './cost-figures.js';
import { measureCostPerCall, type CostResult } from './cost-per-call.js';
import { measureDeliveryLatency } from './delivery-latency.js';
import { EventCounter } from './event-counter.js';
import { measureEventLoss, measurePipelineCeiling } from './event-loss.js';
import { prepareBenchPrograms } from './fixtures.js';
import { measureHostileInputs } from './hostile-inputs.js';
import { runOnlyFigure, scratchSlotsRow } from './only-figures.js';
import { bpfBuildsRow } from './bpf-builds.js';
import { benchOut } from './paths.js';
import { PipelineMeter } from './pipeline-meter.js';
import { programTimeNotes } from './program-time-notes.js';
import { programTimes } from './program-times.js';
import { missingPrerequisites } from './prerequisites.js';
import { median } from './stats.js';
import { fmt, formatTable, type Row } from './table.js';

const quick = process.argv.includes('--quick');
/** `--only <figure>`: run that figure alone (only-figures.ts; the others take many minutes). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const iterations = quick ? 3 : 5;
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<number> {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    for (const m of missing) log(m);
    log('see BENCHMARKS.md, "What it needs"');
    return 1;
  }
  const startLoad = load();
  log(`load average at start: ${startLoad}`);
  if (only !== undefined) return await runOnlyFigure(only, { iterations, quick, startLoad, log, load });
  const programs = prepareBenchPrograms();
  const meter = new PipelineMeter();
  const snoop = await Snooper.init({ binding: meter.binding });
  const consumer = new EventCounter(snoop);
  const responseSnoop = await Snooper.init({ response: true });
  const responseConsumer = new EventCounter(responseSnoop);
  // Both probes (Client.do and Transport.roundTrip) against Client.do alone: loopback only, as the
  // in-process client's RoundTripper is not an http.Transport.
  const transportSnoop = await Snooper.init({ transport: true });
  const transportConsumer = new EventCounter(transportSnoop);
  meter.eventsSoFar = () => snoop.stats().events;
  const rows: Row[] = [];
  const notes: string[] = [];
  const results: Record<string, unknown> = { startLoad };

  const costRows = (cost: CostResult, label: string): void => {
    const figures = costFigures(cost, label);
    rows.push(...figures.rows);
    notes.push(figures.note);
  };

  try {
    log('probe cost per call, and bpftrace printing: in-process RoundTripper');
    const inproc = await measureCostPerCall({
      binary: programs.client,
      transport: 'inproc',
      calls: 100_000,
      iterations,
      snoop,
      consumer,
      responseSnoop,
      responseConsumer,
    });
    costRows(inproc, 'in-process');
    log('probe cost per call: in-process, header values built for each request (not string constants)');
    const inprocBuilt = await measureCostPerCall({
      binary: programs.client,
      transport: 'inproc',
      calls: 100_000,
      iterations,
      snoop,
      consumer,
      responseSnoop,
      responseConsumer,
      modes: ['untraced', 'floor', 'httpwatcher', 'floorAtEntry'],
      programArgs: ['-header-values', 'built'],
      label: 'inproc-built',
    });
    costRows(inprocBuilt, 'in-process, built header values');
    log('probe cost per call, and bpftrace printing: loopback keep-alive');
    const loopback = await measureCostPerCall({
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
    });
    costRows(loopback, 'loopback');
    results.cost = { inproc, inprocBuilt, loopback };

    log('where the time goes: time inside each BPF program');
    const runTime = await programTimes(programs.client, snoop);
    rows.push(await scratchSlotsRow(programs.client, iterations, log));
    log('client_do per hit: the compat build against the default build');
    rows.push(await bpfBuildsRow(programs.client, iterations * 2, 50_000));
    results.bpfRunTime = runTime;

    log('events lost at full speed: the fastest rate of one client process');
    const loss = await measureEventLoss({
      binary: programs.client,
      snoop,
      consumer,
      meter,
      goroutines: 2,
      calls: 200_000,
      iterations,
    });
    results.loss = loss;
    rows.push({
      figure: 'events lost at full speed (one process, 2 goroutines)',
      measured: `${fmt(loss.missing)} of ${fmt(loss.calls * iterations)} (drops counted: ${fmt(loss.lost)})`,
      baseline: `${fmt(median(loss.tracedCallsPerSec))} calls/s traced (${fmt(loss.untracedCallsPerSec)} untraced)`,
      ratio: '-',
      target: '0 lost',
      met: loss.missing === 0 && loss.lost === 0,
    });
    log('pipeline ceiling into a for-await consumer');
    const ceiling = await measurePipelineCeiling({
      binary: programs.client,
      meter: new PipelineMeter(),
      goroutines: 2,
      events: 200_000,
      iterations,
    });
    results.ceiling = ceiling;
    const ceilingRate = median(ceiling.eventsPerSec);
    rows.push({
      figure: 'pipeline ceiling, events/s into for-await',
      measured: `${fmt(ceilingRate)} /s (drain of a full ring)`,
      baseline: `${fmt(median(loss.liveEventsPerSec))} /s live, bound by the producer`,
      ratio: '-',
      target: '≥ 100,000 /s',
      met: ceilingRate >= 100_000,
    });

    log('attach time and inspection on a large stripped binary');
    const attach = await timeAttach({ binary: programs.large, snoop, consumer, runs: iterations + 2 });
    const inspectLarge = await timeInspection(programs.large, programs.goroot, iterations);
    const inspectFixture = programs.largestFixture
      ? await timeInspection(programs.largestFixture, programs.goroot, iterations)
      : undefined;
    results.attach = attach;
    results.inspection = [inspectLarge, inspectFixture];
    const mb = (b: number): string => `${fmt(b / 1e6, 1)} MB`;
    rows.push(attachTimeRow(attach, inspectLarge));
    for (const t of [inspectLarge, inspectFixture]) {
      if (!t) continue;
      rows.push({
        figure: `build info + function lookup, ${mb(t.sizeBytes)}${t.stripped ? ' stripped' : ''} (${t.binary.split('/').slice(-3).join('/')})`,
        measured: `${fmt(t.lookupMs, 1)} ms (inspect ${fmt(t.inspectMs, 1)})`,
        baseline: `go version ${fmt(t.goVersionMs, 1)} ms`,
        ratio: `${fmt(t.lookupMs / t.goVersionMs, 2)} ×`,
        target: '≤ 50 ms',
        met: t.lookupMs <= 50,
      });
    }
    if (!attach.eventSeen)
      notes.push('attach time: the probe attached to the large binary did not deliver its request');

    log('hostile inputs: crafted ELF/DWARF files against the large binary, in the analyzer worker');
    const hostile = await measureHostileInputs(programs.large, iterations);
    rows.push(...hostile.rows);
    notes.push(...hostile.notes);
    results.hostile = hostile.results;

    log('CLI memory at full speed');
    const cli = await measureCliMemory({ binary: programs.client, goroutines: 2, calls: 200_000, iterations });
    results.cli = cli;
    rows.push({
      figure: 'CLI memory (VmHWM) at full speed',
      measured: `${fmt(cli.hwmMb, 1)} MB`,
      baseline: `node alone ${fmt(cli.nodeAloneMb, 1)} MB; CLI idle ${fmt(cli.idleRssMb, 1)} MB; ${fmt(cli.callsPerSec)} calls/s, ${fmt(cli.printed)}/${fmt(cli.calls)} printed`,
      ratio: '-',
      target: `≤ ${cliHwmTargetMb} MB`,
      met: cli.hwmMb <= cliHwmTargetMb,
    });
    notes.push(`CLI at full speed: its own summary says: ${cli.summary}`);
    notes.push(
      `CLI memory at its peak (MB): ${Object.entries(cli.peakParts)
        .map(([k, v]) => `${k} ${fmt(v, 1)}`)
        .join(', ')}` +
        (cli.hwmMb > cliHwmTargetMb
          ? `; node alone peaks at ${fmt(cli.nodeAloneMb, 1)} MB, which leaves ${fmt(cliHwmTargetMb - cli.nodeAloneMb, 1)} MB for everything the CLI adds`
          : ''),
    );

    log('latency: one request every 500 ms');
    const latency = await measureDeliveryLatency({
      binary: programs.client,
      snoop,
      consumer,
      requests: 20,
      intervalMs: 500,
    });
    results.latency = latency;
    rows.push({
      figure: `event delivery latency, 1 request / ${latency.intervalMs} ms`,
      measured: `max ${fmt(latency.maxMs, 1)} ms`,
      baseline: `median ${fmt(latency.medianMs, 1)} ms; ${latency.missing} missing`,
      ratio: '-',
      target: '≤ 100 ms',
      met: latency.maxMs <= 100 && latency.missing === 0,
    });

    notes.push(...programTimeNotes(runTime, inproc.addedNs.floor));
    notes.push(
      `pipeline at ${fmt(median(loss.tracedCallsPerSec))} calls/s: ${fmt(loss.batchesPerSec, 1)} batches/s, ${fmt(loss.bytesPerEvent)} bytes/event, ` +
        `JS batch callback (decode + queue) ${fmt(loss.callbackUsPerEvent, 2)} µs/event, heap growth ${fmt(loss.heapBytesPerEvent)} bytes/event, ` +
        `Node.js CPU ${fmt(loss.nodeCpuUsPerEvent, 2)} µs/event`,
    );
    notes.push(
      `pipeline ceiling drains: ${ceiling.drainMs.map((m) => `${fmt(m)} ms`).join(', ')} for ${fmt(ceiling.events)} events each`,
    );
  } finally {
    await snoop.close();
    await responseSnoop.close();
    await transportSnoop.close();
    await consumer.done;
  }
  const endLoad = load();
  results.endLoad = endLoad;
  results.rows = rows;
  results.notes = notes;
  writeFileSync(join(benchOut, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatTable(rows));
  console.log();
  for (const n of notes) console.log(`- ${n}`);
  console.log(
    `- load average (1/5/15 min) at start ${startLoad}, at end ${endLoad}; ${iterations} rounds per figure; raw figures in bench/out/results.json`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
