import { describe, expect, it } from 'vitest';
import type { CliProcessesResult } from './cli-processes.js';
import type { CliRunResult } from './cli-throughput.js';
import { caseRows, processRows } from './cli-throughput-rows.js';

const calls = 1_000_000;
const run = (over: Partial<CliRunResult> = {}): CliRunResult => ({
  format: 'json',
  output: 'file',
  goroutines: 1,
  calls,
  callsPerSec: 100_000,
  printed: calls,
  captured: calls,
  kernelDrops: 0,
  queueDrops: 0,
  cpuUsPerRequest: 1,
  hwmMb: 80,
  startRssMb: 77,
  idleRssMb: 55,
  ...over,
});
const jsonToFile = { format: 'json', output: 'file', goroutines: 1 } as const;
const quiet = [run({ format: 'quiet', cpuUsPerRequest: 0.8 })];
const verdicts = (rounds: CliRunResult[]) => caseRows(jsonToFile, rounds, quiet, 39.4).map((r) => r.met);

describe('caseRows', () => {
  it('meets every target when each round printed every request within the limits', () => {
    expect(verdicts([run(), run(), run()])).toEqual([true, true, true]);
  });

  it('misses zero loss when a single round lost a request, a request was printed twice or one was dropped', () => {
    expect(verdicts([run(), run({ printed: calls - 1 }), run()])[0]).toBe(false);
    expect(verdicts([run(), run({ printed: calls + 1 }), run()])[0]).toBe(false);
    expect(verdicts([run({ queueDrops: 1 }), run(), run()])[0]).toBe(false);
    const [printed] = caseRows(
      jsonToFile,
      [run(), run({ printed: calls - 3, captured: calls - 3 }), run()],
      quiet,
      39.4,
    );
    expect(printed!.measured).toContain('999,997 of 1,000,000 in the worst of 3 rounds');
  });

  it('judges the CPU by the median of the rounds and shows each round', () => {
    const cpu = (...us: number[]) =>
      caseRows(
        jsonToFile,
        us.map((u) => run({ cpuUsPerRequest: u })),
        quiet,
        39.4,
      )[1]!;
    expect(cpu(1.2, 1.68, 1.4).met).toBe(true);
    expect(cpu(1.2, 1.68, 1.54).met).toBe(false);
    expect(cpu(1.2, 1.68, 1.54).measured).toBe('1.54 µs (1.20, 1.68, 1.54)');
  });

  it('judges memory by the highest round, idle included', () => {
    expect(verdicts([run(), run({ hwmMb: 120.5 }), run()])[2]).toBe(false);
    expect(verdicts([run(), run(), run({ idleRssMb: 60.2 })])[2]).toBe(false);
  });
});

describe('processRows', () => {
  const many = (over: Partial<CliProcessesResult> = {}): CliProcessesResult => ({
    processes: 4,
    callsEach: calls / 4,
    calls,
    callsPerSec: 160_000,
    printed: calls,
    printedByPid: new Map([1, 2, 3, 4].map((pid) => [pid, calls / 4])),
    captured: calls,
    kernelDrops: 0,
    queueDrops: 0,
    byPid: new Map(),
    cpuUsPerRequest: 1.1,
    hwmMb: 96,
    ...over,
  });

  it('misses zero loss when one client of one round lost requests, even with the total right', () => {
    expect(processRows([many(), many()])[0]!.met).toBe(true);
    const uneven = new Map([
      [1, calls / 4 + 1],
      [2, calls / 4 - 1],
      [3, calls / 4],
      [4, calls / 4],
    ]);
    expect(processRows([many(), many({ printedByPid: uneven })])[0]!.met).toBe(false);
  });
});
