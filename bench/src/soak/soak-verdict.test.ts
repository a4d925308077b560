import { describe, expect, it } from 'vitest';
import { type EventAccount, judgeSoak, lostUncounted, rssGrowth } from './soak-verdict.js';
import { fakeSample } from './test-support/fake-sample.js';

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
    const samples = [fakeSample(0, { rssKb: 50_000 }), fakeSample(30_000, { rssKb: 90_000 })];
    for (let i = 0; i < 12; i++) samples.push(fakeSample(60_000 + i * 5_000, { rssKb: 100_000 + i * 400 }));
    expect(rssGrowth(samples, 60_000)).toEqual({
      fromKb: 100_200,
      toKb: 104_200,
      percent: (4000 / 100_200) * 100,
      window: 2,
    });
  });

  it('is undefined with fewer than two samples after warm-up', () => {
    expect(rssGrowth([fakeSample(0), fakeSample(70_000)], 60_000)).toBeUndefined();
  });
});

describe('lostUncounted', () => {
  it('is sent less printed less every counted drop', () => {
    expect(lostUncounted(events)).toBe(0);
    expect(lostUncounted({ ...events, queueDrops: 2 })).toBe(4);
  });
});

describe('judgeSoak', () => {
  const steady = [
    fakeSample(0, { rssKb: 80_000, fds: { total: 50, bpfLinks: 10 } }),
    ...[0, 1, 2, 3].map((i) => fakeSample(60_000 + i * 5_000, { rssKb: 100_000 + i * 100 })),
  ];

  it('meets all four targets: flat memory, constant descriptors and links, every loss counted', () => {
    const rows = judgeSoak(steady, 60_000, events);
    expect(rows.map((r) => [r.measured, r.met])).toEqual([
      ['+0.3 %', true],
      ['60 → 60', true],
      ['20 → 20', true],
      ['0', true],
    ]);
    expect(rows[1]!.baseline).toBe('first and last sample; all samples 60, threads 11');
    expect(rows[3]!.baseline).toBe('sent 1,000, printed 990, counted drops 10');
  });

  it('meets "constant" when what was held for a while (a worker thread, a binary, a /proc file) is gone again', () => {
    const busy = fakeSample(67_000, {
      fds: { total: 66, bpfLinks: 30, proc: 1 },
      threads: 12,
      files: ['/tmp/out', '/x/go1.24/default/client', '/srv/bench-client', '/proc/7/stat'],
    });
    const rows = judgeSoak([...steady.slice(0, 3), busy, ...steady.slice(3)], 60_000, events);
    expect(rows.slice(1, 3).map((r) => [r.measured, r.baseline, r.met])).toEqual([
      [
        '60 → 60',
        'first and last sample; all samples 60–65, threads 11–12; /proc files being read not counted (up to 1); files held at times: srv/bench-client',
        true,
      ],
      ['20 → 20', 'perf events 18 → 18; all samples 20–30', true],
    ]);
  });

  it('misses each target on its own evidence', () => {
    const leaking = [
      ...steady,
      fakeSample(80_000, { rssKb: 120_000, fds: { total: 62, bpfLinks: 21, perfEvents: 19 } }),
    ];
    const rows = judgeSoak(leaking, 60_000, { ...events, queueDrops: 1, linesTotal: 990 });
    expect(rows.map((r) => [r.measured, r.met])).toEqual([
      ['+20.0 %', false],
      ['60 → 62', false],
      ['20 → 21', false],
      ['5', false],
    ]);
    expect(rows[3]!.baseline).toBe('sent 1,000, printed 990, counted drops 5; output 990 lines, CLI says 995 printed');
  });

  it('misses "nothing lost" when the output has more of the programs\' requests than they sent', () => {
    expect(judgeSoak(steady, 60_000, { ...events, printed: 1001 })[3]!.met).toBe(false);
  });

  it('judges neither memory nor counts without two samples after warm-up', () => {
    expect(judgeSoak([fakeSample(0)], 60_000, events).map((r) => [r.measured, r.met])).toEqual([
      ['too few samples', undefined],
      ['too few samples', undefined],
      ['too few samples', undefined],
      ['0', true],
    ]);
  });
});
