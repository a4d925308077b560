import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttachedProcess } from './attached-process.js';
import { SpawnedExecs } from './spawn-traced.js';

function traced(pid: number): AttachedProcess {
  return {
    pid,
    nsPid: pid,
    exe: '/bin/client',
    goVersion: 'go1.24.0',
    mainModule: 'example.test/client',
    layoutEntry: 'go1.24 amd64 swiss',
    layoutSource: 'table',
    probeAddress: 0x401000,
    probeFileOffset: 0x1000,
    warnings: [],
    via: 'spawn',
  };
}

describe('SpawnedExecs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles a waiting spawn with its child exec record, and only that child', async () => {
    const execs = new SpawnedExecs();
    const waiting = execs.wait(100, 5_000);
    execs.execed(101, traced(101));
    execs.execed(100, traced(100));
    expect(await waiting).toEqual(traced(100));
    expect(await execs.wait(101, 0)).toEqual(traced(101));
  });

  it('keeps a record that came before the spawn asked, for one wait only', async () => {
    const execs = new SpawnedExecs();
    execs.execed(100, traced(100));
    expect(await execs.wait(100, 5_000)).toEqual(traced(100));
    vi.useFakeTimers();
    const again = execs.wait(100, 5_000);
    vi.advanceTimersByTime(5_000);
    expect(await again).toBeUndefined();
  });

  it('gives up after the timeout; a record arriving later is kept for a later wait', async () => {
    vi.useFakeTimers();
    const execs = new SpawnedExecs();
    const waiting = execs.wait(100, 5_000);
    vi.advanceTimersByTime(4_999);
    execs.execed(101, traced(101));
    vi.advanceTimersByTime(1);
    expect(await waiting).toBeUndefined();
    execs.execed(100, traced(100));
    expect(await execs.wait(100, 0)).toEqual(traced(100));
  });

  it('ends every wait at close(), and later waits at once with what had arrived', async () => {
    const execs = new SpawnedExecs();
    const waiting = execs.wait(100, 60_000);
    execs.execed(200, traced(200));
    execs.close();
    expect(await waiting).toBeUndefined();
    expect(await execs.wait(200, 60_000)).toEqual(traced(200));
    expect(await execs.wait(300, 60_000)).toBeUndefined();
  });
});
