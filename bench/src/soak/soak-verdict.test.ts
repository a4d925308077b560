import { describe, expect, it } from 'vitest';
import {
  type EventAccount,
  fdsByThreads,
  filesComingAndGoing,
  judgeSoak,
  lostUncounted,
  rangeAfter,
  rssGrowth,
} from './soak-verdict.js';
import type { SoakSample } from './soak-sample.js';

const sample = (
  tMs: number,
  rssKb: number,
  fds = 60,
  links = 20,
  files = ['/tmp/out', '/x/go1.24/default/client'],
  threads = 11,
): SoakSample => ({
  tMs,
  rssKb,
  hwmKb: 200_000,
  fds: {
    total: fds,
    bpfLinks: links,
    perfEvents: links - 2,
    bpfMaps: 12,
    bpfPrograms: 5,
    files: files.length,
    proc: 0,
    other: 17,
  },
  files,
  threads,
  mapEntries: { traced_procs: 5 },
  cliCpuPercent: 80,
  printed: 0,
  printedPerSec: 0,
  sent: 0,
  programRuns: 0,
  load1: 1,
});

const events: EventAccount = {
  sent: 1000,
  printed: 990,
  linesTotal: 995,
  cliPrinted: 995,
  kernelDrops: 4,
  scratchDrops: 0,
  queueDrops: 6,
};

describe('rssGrowth', () => {
  it('compares the medians of the first and last sixth of the samples after warm-up', () => {
    // Warm-up ends at 60 s: 12 samples after it, so windows of 2.
    const samples = [sample(0, 50_000), sample(30_000, 90_000)];
    for (let i = 0; i < 12; i++) samples.push(sample(60_000 + i * 5_000, 100_000 + i * 400));
    expect(rssGrowth(samples, 60_000)).toEqual({
      fromKb: 100_200,
      toKb: 104_200,
      percent: (4000 / 100_200) * 100,
      window: 2,
    });
  });

  it('is undefined with fewer than two samples after warm-up', () => {
    expect(rssGrowth([sample(0, 1), sample(70_000, 2)], 60_000)).toBeUndefined();
  });
});

describe('rangeAfter', () => {
  it('gives the least and most of a figure after warm-up only', () => {
    const samples = [sample(0, 1, 40), sample(60_000, 1, 63), sample(65_000, 1, 61)];
    expect(rangeAfter(samples, 60_000, (s) => s.fds.total)).toEqual({ min: 61, max: 63 });
  });
});

describe('lostUncounted', () => {
  it('is sent less printed less every counted drop', () => {
    expect(lostUncounted(events)).toBe(0);
    expect(lostUncounted({ ...events, queueDrops: 2 })).toBe(4);
  });
});

describe('judgeSoak', () => {
  const steady = [sample(0, 80_000, 50, 10), ...[0, 1, 2, 3].map((i) => sample(60_000 + i * 5_000, 100_000 + i * 100))];

  it('meets all four targets: flat memory, constant descriptors and links, every loss counted', () => {
    const rows = judgeSoak(steady, 60_000, events);
    expect(rows.map((r) => [r.measured, r.met])).toEqual([
      ['+0.3 %', true],
      ['60 throughout with 11 threads', true],
      ['20 throughout', true],
      ['0', true],
    ]);
    expect(rows[3]!.baseline).toBe('sent 1,000, printed 990, counted drops 10');
  });

  it('misses each target on its own evidence', () => {
    const leaking = [
      ...steady,
      sample(80_000, 120_000, 61, 21, ['/tmp/out', '/x/go1.24/default/client', '/usr/bin/true']),
    ];
    const rows = judgeSoak(leaking, 60_000, { ...events, queueDrops: 1, linesTotal: 990 });
    expect(rows.map((r) => [r.measured, r.met])).toEqual([
      ['+20.0 %', false],
      ['60–61 with 11 threads', false],
      ['20–21', false],
      ['5', false],
    ]);
    expect(rows[1]!.baseline).toBe('50 at the first sample; files held at times: usr/bin/true');
    expect(rows[3]!.baseline).toBe('sent 1,000, printed 990, counted drops 5; output 990 lines, CLI says 995 printed');
  });

  it('misses "nothing lost" when the output has more of the programs\' requests than they sent', () => {
    expect(judgeSoak(steady, 60_000, { ...events, printed: 1001 })[3]!.met).toBe(false);
  });

  it('judges nothing about memory without samples after warm-up', () => {
    expect(judgeSoak([sample(0, 1)], 60_000, events)[0]).toMatchObject({ measured: 'too few samples', met: undefined });
  });
});

describe('fdsByThreads', () => {
  it('ranges the descriptors after warm-up per thread count: a worker thread brings its own', () => {
    const samples = [
      sample(0, 1, 70, 20, [], 12),
      sample(60_000, 1, 129, 20, [], 11),
      sample(65_000, 1, 133, 20, [], 12),
      sample(70_000, 1, 129, 20, [], 11),
    ];
    expect([...fdsByThreads(samples, 60_000)]).toEqual([
      [11, { min: 129, max: 129 }],
      [12, { min: 133, max: 133 }],
    ]);
    expect(judgeSoak(samples, 60_000, events)[1]).toMatchObject({
      measured: '129 throughout with 11 threads; 133 throughout with 12 threads',
      met: true,
    });
  });

  it('leaves out the /proc files the CLI is reading at a sample, and says so', () => {
    const reading = sample(65_000, 1, 130, 20, ['/out', '/proc/4242/stat']);
    const samples = [sample(60_000, 1, 129, 20, ['/out']), { ...reading, fds: { ...reading.fds, proc: 1 } }];
    expect(judgeSoak(samples, 60_000, events)[1]).toMatchObject({
      measured: '129 throughout with 11 threads',
      baseline: '129 at the first sample; /proc files being read not counted (up to 1 at a sample)',
      met: true,
    });
  });
});

describe('filesComingAndGoing', () => {
  it('names the files held in some samples after warm-up but not in all', () => {
    const samples = [
      sample(0, 1, 60, 20, ['/warm-up/only']),
      sample(60_000, 1, 60, 20, ['/out', '/a']),
      sample(65_000, 1, 60, 20, ['/out', '/b', '/a']),
      sample(70_000, 1, 60, 20, ['/out']),
    ];
    expect(filesComingAndGoing(samples, 60_000)).toEqual(['/a', '/b']);
  });
});
