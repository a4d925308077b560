import { describe, expect, it } from 'vitest';
import { filesComingAndGoing, heldFdRanges, rangeAfter, rangesBy } from './sample-ranges.js';
import { fakeSample } from './test-support/fake-sample.js';

describe('rangeAfter', () => {
  it('gives the least and most of a figure after warm-up only', () => {
    const samples = [fakeSample(0, { rssKb: 1 }), fakeSample(60_000, { rssKb: 63 }), fakeSample(65_000, { rssKb: 61 })];
    expect(rangeAfter(samples, 60_000, (s) => s.rssKb)).toEqual({ min: 61, max: 63 });
  });
});

describe('rangesBy', () => {
  it('ranges a figure in each group of samples after warm-up', () => {
    const samples = [1, 2, 3, 4].map((i) => fakeSample(60_000 + i, { printed: i * 10, threads: i % 2 }));
    expect(
      rangesBy(
        samples,
        60_000,
        (s) => String(s.threads),
        (s) => s.printed,
      ),
    ).toEqual(
      new Map([
        ['1', { min: 10, max: 30 }],
        ['0', { min: 20, max: 40 }],
      ]),
    );
  });
});

describe('heldFdRanges', () => {
  it('compares descriptors at the same thread count: a worker thread brings its own', () => {
    const samples = [
      fakeSample(0, { fds: { total: 70 }, threads: 12 }),
      fakeSample(60_000, { fds: { total: 129 }, threads: 11 }),
      fakeSample(65_000, { fds: { total: 133 }, threads: 12 }),
      fakeSample(70_000, { fds: { total: 129 }, threads: 11 }),
    ];
    expect(heldFdRanges(samples, 60_000)).toEqual(
      new Map([
        ['11 threads', { min: 129, max: 129 }],
        ['12 threads', { min: 133, max: 133 }],
      ]),
    );
  });

  it('leaves out the /proc files being read, and groups the samples taken while other programs were traced', () => {
    const samples = [
      fakeSample(60_000, { fds: { total: 129 } }),
      fakeSample(65_000, { fds: { total: 130, proc: 1 } }),
      fakeSample(70_000, {
        fds: { total: 141 },
        otherTraced: ['/srv/go1.25/bench-client', '/srv/go1.25/bench-client'],
      }),
    ];
    expect(heldFdRanges(samples, 60_000)).toEqual(
      new Map([
        ['11 threads', { min: 129, max: 129 }],
        ['11 threads, while bench-client traced', { min: 141, max: 141 }],
      ]),
    );
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
