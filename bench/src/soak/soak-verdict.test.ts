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
      ['60 throughout with 11 threads', true],
      ['20 throughout', true],
      ['0', true],
    ]);
    expect(rows[3]!.baseline).toBe('sent 1,000, printed 990, counted drops 10');
  });

  it('misses each target on its own evidence', () => {
    const leaking = [
      ...steady,
      fakeSample(80_000, {
        rssKb: 120_000,
        fds: { total: 62, bpfLinks: 21, proc: 1 },
        files: ['/tmp/out', '/x/go1.24/default/client', '/usr/bin/true', '/proc/7/stat'],
      }),
    ];
    const rows = judgeSoak(leaking, 60_000, { ...events, queueDrops: 1, linesTotal: 990 });
    expect(rows.map((r) => [r.measured, r.met])).toEqual([
      ['+20.0 %', false],
      ['60–61 with 11 threads', false],
      ['20–21', false],
      ['5', false],
    ]);
    expect(rows[1]!.baseline).toBe(
      '50 at the first sample; /proc files being read not counted (up to 1 at a sample); files held at times: usr/bin/true',
    );
    expect(rows[3]!.baseline).toBe('sent 1,000, printed 990, counted drops 5; output 990 lines, CLI says 995 printed');
  });

  it('judges descriptors and links apart while another Go program was traced', () => {
    const other = { otherTraced: ['/srv/bench-client'], fds: { total: 72, bpfLinks: 30, perfEvents: 28 } };
    const rows = judgeSoak([...steady, fakeSample(80_000, other), fakeSample(85_000, other)], 60_000, events);
    expect(rows.slice(1, 3).map((r) => [r.measured, r.met])).toEqual([
      ['60 throughout with 11 threads; 72 throughout with 11 threads, while bench-client traced', true],
      ['20 throughout; 30 throughout while bench-client traced', true],
    ]);
  });

  it('misses "nothing lost" when the output has more of the programs\' requests than they sent', () => {
    expect(judgeSoak(steady, 60_000, { ...events, printed: 1001 })[3]!.met).toBe(false);
  });

  it('judges nothing about memory without samples after warm-up', () => {
    expect(judgeSoak([fakeSample(0)], 60_000, events)[0]).toMatchObject({
      measured: 'too few samples',
      met: undefined,
    });
  });
});
