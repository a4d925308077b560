import { describe, expect, it } from 'vitest';
import { filesComingAndGoing, floors, floorsAtFewestBinaries, rangeAfter } from './sample-ranges.js';
import type { SoakSample } from './soak-sample.js';
import { fakeSample } from './test-support/fake-sample.js';

describe('rangeAfter', () => {
  it('gives the least and most of a figure after warm-up only', () => {
    const samples = [fakeSample(0, { rssKb: 1 }), fakeSample(60_000, { rssKb: 63 }), fakeSample(65_000, { rssKb: 61 })];
    expect(rangeAfter(samples, 60_000, (s) => s.rssKb)).toEqual({ min: 61, max: 63 });
  });
});

describe('floors', () => {
  const at = (counts: number[]) => [
    fakeSample(0, { printed: 1 }),
    ...counts.map((printed, i) => fakeSample(60_000 + i * 10_000, { printed })),
  ];

  it('takes the fewest in the first and in the last sixth of the samples after warm-up', () => {
    // 12 samples after warm-up: windows of 2. What comes and goes (133, 155) raises no floor.
    expect(floors(at([129, 133, 129, 155, 129, 129, 133, 129, 129, 129, 155, 129]), 60_000, (s) => s.printed)).toEqual({
      first: 129,
      last: 129,
      window: 2,
    });
  });

  it('sees a floor that rose: what leaked stays', () => {
    expect(floors(at([129, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139]), 60_000, (s) => s.printed)).toEqual({
      first: 129,
      last: 138,
      window: 2,
    });
  });

  it('is undefined with fewer than two samples after warm-up', () => {
    expect(floors(at([129]), 60_000, (s) => s.printed)).toBeUndefined();
  });
});

describe('filesComingAndGoing', () => {
  it('names the files held in some samples after warm-up but not in all, /proc files aside', () => {
    const samples = [
      fakeSample(0, { files: ['/warm-up/only'] }),
      fakeSample(60_000, { files: ['/out', '/a', '/proc/7/stat'] }),
      fakeSample(65_000, { files: ['/out', '/b', '/a'] }),
      fakeSample(70_000, { files: ['/out'] }),
    ];
    expect(filesComingAndGoing(samples, 60_000)).toEqual(['/a', '/b']);
  });
});

describe('floorsAtFewestBinaries', () => {
  const at = (rows: Array<[links: number, binaries: number]>) =>
    rows.map(([bpfLinks, probe_configs], i) =>
      fakeSample(60_000 + i * 10_000, { fds: { bpfLinks }, mapEntries: { probe_configs } }),
    );
  const links = (s: SoakSample) => s.fds.bpfLinks;

  it('leaves out samples taken while another program’s binary was probed', () => {
    // The soak's 4 binaries: 42 links. A fifth binary (10 links) came for a while, twice, and went.
    const samples = at([
      [42, 4],
      [52, 5],
      [42, 4],
      [42, 4],
      [52, 5],
      [52, 5],
      [42, 4],
      [42, 4],
      [52, 5],
      [42, 4],
      [52, 5],
      [42, 4],
    ]);
    expect(floors(samples, 60_000, links)).toEqual({ first: 42, last: 42, window: 2 });
    expect(floorsAtFewestBinaries(samples, 60_000, links)).toEqual({
      first: 42,
      last: 42,
      window: 2,
      binaries: 4,
      mostBinaries: 5,
    });
  });

  it('cannot judge a window in which another binary was probed throughout', () => {
    const samples = at([
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [42, 4],
      [52, 5],
      [52, 5],
    ]);
    expect(floors(samples, 60_000, links)?.last).toBe(52); // what the plain floor calls a leak
    expect(floorsAtFewestBinaries(samples, 60_000, links)).toMatchObject({ first: 42, last: undefined });
  });

  it('still sees a leak at the same number of binaries', () => {
    const samples = at([
      [42, 4],
      [42, 4],
      [43, 4],
      [44, 4],
      [45, 4],
      [46, 4],
      [47, 4],
      [48, 4],
      [49, 4],
      [50, 4],
      [51, 4],
      [52, 4],
    ]);
    expect(floorsAtFewestBinaries(samples, 60_000, links)).toMatchObject({ first: 42, last: 51 });
  });
});
