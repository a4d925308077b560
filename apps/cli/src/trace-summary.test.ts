import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SnooperStats } from 'httpwatcher';
import { describe, expect, it } from 'vitest';
import { TraceSummary } from './trace-summary.js';
import { terminalControlsIn } from './test-support/hostile-output.js';
import { fixture, requireFixture } from './test-support/run-cli.js';

const stats = (over: Partial<SnooperStats> = {}): SnooperStats => ({
  events: 3,
  kernelDrops: 1,
  scratchDrops: 0,
  queueDrops: 2,
  readErrors: 0,
  decodeErrors: 0,
  hits: 3,
  processes: 1,
  links: 1,
  responsesNotAwaited: 0,
  responsesUnmatched: 0,
  holdsSkipped: 0,
  holdsExpired: 0,
  binaries: 1,
  binariesRefused: 0,
  untraceableEvicted: 0,
  transportCallsReleased: 0,
  transportEndsUnmatched: 0,
  spillPeakBytes: 0,
  exitsSwept: 0,
  ...over,
});

describe('TraceSummary', () => {
  it('prints the totals, the drop counters and one line per process', () => {
    const summary = new TraceSummary();
    summary.track(42, 'client');
    summary.captured(42, true);
    summary.captured(42, false);
    expect(summary.format(stats())).toBe(
      'httpwatcher: 3 requests captured, 1 printed, 1 dropped by kernel, 2 dropped from queue, 0 incomplete reads\n' +
        'httpwatcher:   pid 42 (client): 2 captured, 1 printed\n',
    );
  });

  it('counts a request dropped from the queue as captured for its process, and says how many were dropped', () => {
    const summary = new TraceSummary();
    summary.track(42, 'client');
    summary.track(43, 'other');
    for (let i = 0; i < 3; i++) summary.captured(42, true);
    summary.dropped(42);
    summary.dropped(42);
    summary.captured(43, true);
    const text = summary.format(stats({ events: 6, kernelDrops: 0 }));
    expect(text).toContain('httpwatcher:   pid 42 (client): 5 captured, 3 printed, 2 dropped from queue\n');
    expect(text).toContain('httpwatcher:   pid 43 (other): 1 captured, 1 printed\n');
    expect(summary.printed).toBe(4);
  });

  it('adds the requests missed for want of a scratch slot only when there are some', () => {
    const summary = new TraceSummary();
    expect(summary.format(stats({ scratchDrops: 2 }))).toContain(
      'httpwatcher: 2 requests missed by the kernel: every scratch slot of their CPU was held by preempted requests\n',
    );
  });

  it('adds the --response counters only when one of them is not zero', () => {
    const summary = new TraceSummary();
    expect(summary.format(stats({ responsesNotAwaited: 4, responsesUnmatched: 1 }))).toContain(
      'httpwatcher: --response: 4 requests printed before their call returned (too many in flight), 1 returns whose request was not seen\n',
    );
    expect(summary.format(stats())).not.toContain('--response');
  });

  it('names a process whose requests came before its attach notice, after it exited', () => {
    const summary = new TraceSummary();
    const gone = 0x3ffffffe; // no such process: its name cannot be read from /proc
    summary.captured(gone, true);
    summary.track(gone, 'client');
    expect(summary.format(stats())).toContain(`httpwatcher:   pid ${gone} (client): 1 captured, 1 printed\n`);
  });

  it('says "exported" for the requests kept under --quiet, where nothing is printed', () => {
    const summary = new TraceSummary();
    summary.track(0x3ffffffe, 'agent-target');
    summary.captured(0x3ffffffe, true);
    const text = summary.format(stats(), 'exported');
    expect(text).toContain(' requests captured, 1 exported, ');
    expect(text).toContain('(agent-target): 1 captured, 1 exported\n');
    expect(text).not.toContain('printed');
  });

  it("escapes a process's comm, which it set to control bytes itself (test-fixtures/hostile-client)", async () => {
    const child = spawn(requireFixture(fixture('1.24', 'default', 'hostile-client')), ['-wait'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const pid = await new Promise<number>((resolve) =>
        createInterface({ input: child.stdout }).once('line', (l) => resolve((JSON.parse(l) as { pid: number }).pid)),
      );
      const comm = readFileSync(`/proc/${pid}/comm`);
      // What prctl(PR_SET_NAME) set: OSC title, newline, DEL, C1 CSI as UTF-8 (the kernel adds the last newline).
      expect(comm).toEqual(Buffer.from('hw\x1b]0;c\x07\n\x7f\xc2\x9b\n', 'latin1'));
      const summary = new TraceSummary();
      summary.track(pid);
      summary.captured(pid, true);
      const text = summary.format(stats());
      expect(text).toContain(`httpwatcher:   pid ${pid} (hw\\x1b]0;c\\x07\\n\\x7f\\x9b): 1 captured, 1 printed\n`);
      expect(text.split('\n')).toHaveLength(3);
      expect(terminalControlsIn(Buffer.from(text))).toEqual([]);
    } finally {
      child.kill();
    }
  });
});
