import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Snooper } from 'httpwatcher';
import { benchClientLoop, responseClientLoop, type CallLoop } from './call-loop.js';
import { EventCounter } from './event-counter.js';
import { buildFloorProbe, prepareFixture } from './fixtures.js';
import { benchOut } from './paths.js';
import { measureResponseFloor, type ResponseFloorResult } from './response-floor.js';
import { responseFloorFigure } from './response-floor-rows.js';
import { formatTable, type Row } from './table.js';

/** One binary measured: in-process where the fixture has a loop of its own, else loopback. */
interface ResponseFloorCase {
  program: 'bench-client' | 'response-client';
  go: string;
  label: string;
}

/**
 * Go 1.25 and 1.24 (register ABI) in-process with bench-client; Go 1.15 (stack ABI: bench-client
 * needs Go 1.18's strings.Clone) and Go 1.24 for comparison through response-client on loopback.
 */
const cases: ResponseFloorCase[] = [
  { program: 'bench-client', go: '1.25', label: 'go1.25 in-process' },
  { program: 'bench-client', go: '1.24', label: 'go1.24 in-process' },
  { program: 'response-client', go: '1.15', label: 'go1.15 loopback' },
  { program: 'response-client', go: '1.24', label: 'go1.24 loopback' },
];

/**
 * `pnpm bench -- --only response-floor` (issue 17): response mode's cost per call against the
 * counting floor of the very sites it probes, and the floor of other places to see the call end.
 */
export async function responseFloorOnly(run: {
  iterations: number;
  quick: boolean;
  startLoad: string;
  log: (line: string) => void;
  load: () => string;
}): Promise<number> {
  const { iterations, quick, startLoad, log, load } = run;
  buildFloorProbe();
  const snoop = await Snooper.init({ response: true });
  const consumer = new EventCounter(snoop);
  const rows: Row[] = [];
  const notes: string[] = [];
  const results: ResponseFloorResult[] = [];
  try {
    for (const c of cases) {
      const fixture = prepareFixture(c.program, c.go);
      const inProcess = c.program === 'bench-client';
      const calls = inProcess ? (quick ? 20_000 : 50_000) : quick ? 3_000 : 10_000;
      const loop: CallLoop = inProcess ? await benchClientLoop(fixture.path) : responseClientLoop(fixture.path, calls);
      log(`response floor: ${c.label}, ${iterations * 2} rounds of ${calls} calls per mode`);
      const result = await measureResponseFloor({
        label: c.label,
        binary: fixture.path,
        goroot: fixture.goroot,
        loop,
        calls,
        iterations: iterations * 2,
        responseSnoop: snoop,
        responseConsumer: consumer,
      });
      results.push(result);
      const figure = responseFloorFigure(result);
      rows.push(...figure.rows);
      notes.push(...figure.notes);
    }
  } finally {
    await snoop.close();
    await consumer.done;
  }
  writeFileSync(join(benchOut, 'response-floor.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatTable(rows));
  console.log();
  for (const n of notes) console.log(`- ${n}`);
  console.log(`- load average (1/5/15 min) at start ${startLoad}, at end ${load()}`);
  return results.every((r) => r.problems.length === 0) ? 0 : 1;
}
