import { describe, expect, it } from 'vitest';
import { formatSamples, spreadSamples } from './soak-report.js';
import type { SoakSample } from './soak-sample.js';

describe('spreadSamples', () => {
  it('keeps every sample when they fit', () => {
    expect(spreadSamples([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('spreads the rows evenly over the run, first and last included', () => {
    expect(spreadSamples([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(spreadSamples([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([0, 3, 6, 9]);
  });
});

describe('formatSamples', () => {
  it('prints one row per sample, marking warm-up ones with "w", /proc files apart, and "-" for a map not found', () => {
    const sample: SoakSample = {
      tMs: 65_400,
      rssKb: 150 * 1024,
      hwmKb: 210.25 * 1024,
      fds: { total: 64, bpfLinks: 22, perfEvents: 20, bpfMaps: 12, bpfPrograms: 5, files: 5, proc: 1, other: 19 },
      files: [],
      threads: 11,
      mapEntries: { traced_procs: 7, watched: 4, probe_configs: 4, probe_sites: 0, held: 0, ignored: 3 },
      cliCpuPercent: 91.4,
      printedPerSec: 40_123.4,
      printed: 1_234_567,
      sent: 1_300_000,
      programRuns: 40,
      load1: 3.456,
    };
    expect(formatSamples([{ ...sample, tMs: 5_000 }, sample], 60_000)).toBe(
      [
        '| time   | RSS MB | HWM MB | fds | threads | links | perf | files | /proc | procs | watched | configs | sites | held | ignored | calls | CLI CPU % | printed/s |      sent |   printed | load |',
        '|--------|-------:|-------:|----:|--------:|------:|-----:|------:|------:|------:|--------:|--------:|------:|-----:|--------:|------:|----------:|----------:|----------:|----------:|-----:|',
        '| 0:05 w |  150.0 |  210.3 |  63 |      11 |    22 |   20 |     5 |     1 |     7 |       4 |       4 |     0 |    0 |       3 |     - |        91 |    40,123 | 1,300,000 | 1,234,567 | 3.46 |',
        '| 1:05   |  150.0 |  210.3 |  63 |      11 |    22 |   20 |     5 |     1 |     7 |       4 |       4 |     0 |    0 |       3 |     - |        91 |    40,123 | 1,300,000 | 1,234,567 | 3.46 |',
      ].join('\n'),
    );
  });
});
