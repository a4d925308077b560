import type { SnooperStats } from 'httpwatcher';
import { describe, expect, it } from 'vitest';
// The CLI's own formatter, so that the parser follows any change of its wording.
import { TraceSummary } from '../../apps/cli/src/trace-summary.js';
import { fakeStats } from '../../packages/exporters/src/test-support/fake-events.js';
import { parseCliSummary } from './cli-summary.js';

const stats = (over: Partial<SnooperStats> = {}): SnooperStats =>
  fakeStats({ events: 7, kernelDrops: 1, queueDrops: 2, readErrors: 3, ...over });

const gone = 0x3ffffffe; // no such process: the summary keeps the name it was given

describe('parseCliSummary', () => {
  it('reads the totals and one entry per process from what the CLI prints', () => {
    const summary = new TraceSummary();
    summary.track(gone, 'client');
    summary.track(gone - 1, 'a (b): c');
    for (let i = 0; i < 4; i++) summary.captured(gone, true);
    summary.dropped(gone);
    summary.captured(gone - 1, false);
    const parsed = parseCliSummary(`httpwatcher: stopping: SIGINT\n${summary.format(stats())}`);
    expect(parsed).toEqual({
      captured: 7,
      printed: 4,
      kernelDrops: 1,
      queueDrops: 2,
      incompleteReads: 3,
      scratchDrops: 0,
      responsesNotAwaited: 0,
      responsesUnmatched: 0,
      byPid: new Map([
        [gone - 1, { name: 'a (b): c', captured: 1, printed: 0, queueDrops: 0 }],
        [gone, { name: 'client', captured: 5, printed: 4, queueDrops: 1 }],
      ]),
    });
  });

  it('reads the scratch-slot and --response counters when the CLI prints them', () => {
    const text = new TraceSummary().format(stats({ scratchDrops: 5, responsesNotAwaited: 6, responsesUnmatched: 8 }));
    expect(parseCliSummary(text)).toMatchObject({ scratchDrops: 5, responsesNotAwaited: 6, responsesUnmatched: 8 });
  });

  it('reads "exported" for "printed" under --quiet', () => {
    const summary = new TraceSummary();
    summary.track(gone, 'agent-target');
    summary.captured(gone, true);
    const parsed = parseCliSummary(summary.format(stats(), 'exported'));
    expect(parsed?.printed).toBe(1);
    expect(parsed?.byPid.get(gone)).toEqual({ name: 'agent-target', captured: 1, printed: 1, queueDrops: 0 });
  });

  it('is undefined without the totals line (the CLI was killed)', () => {
    expect(parseCliSummary('httpwatcher: tracing pid 42 (/bin/x, go1.24.4)\n')).toBeUndefined();
  });
});
