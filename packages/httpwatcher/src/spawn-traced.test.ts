import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttachedProcess } from './attached-process.js';
import { BinaryRegistry } from './binary-registry.js';
import { ProbeConfigCache } from './resolve-process-binary.js';
import { SnooperError } from './snooper-error.js';
import { SnooperLifetime } from './snooper-lifetime.js';
import { type SpawnParts, SpawnedExecs, spawnTraced } from './spawn-traced.js';
import { FakeTracer } from './test-support/fake-tracer.js';
import { clientPath } from './test-support/lifecycle-fixtures.js';

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

describe('spawnTraced(): an exec record that never comes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  function parts(attachPid: SpawnParts['attachPid']): SpawnParts {
    const tracer = new FakeTracer();
    return {
      probeConfigs: new ProbeConfigCache(),
      binaries: new BinaryRegistry(tracer),
      lifetime: new SnooperLifetime(),
      spawnedExecs: new SpawnedExecs(),
      flush: () => undefined,
      attachPid,
      execRecordWaitMs: 50,
    };
  }

  it('attaches the child by PID instead, and leaves it running', async () => {
    const attached: number[] = [];
    const started = await spawnTraced(
      parts(async (pid) => {
        attached.push(pid);
        return traced(pid);
      }),
      clientPath(),
      ['-wait'],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    children.push(started.child);
    expect(attached).toEqual([started.pid]);
    expect(started.process).toEqual(traced(started.pid));
    expect(() => process.kill(started.pid, 0)).not.toThrow();
    started.child.kill('SIGTERM');
    expect(await started.exited).toEqual({ code: null, signal: 'SIGTERM' }); // ours, not spawn()'s
  });

  it('when attaching by PID fails too, rejects with that code and the PID, the child still running', async () => {
    let pid = 0;
    const failing = spawnTraced(
      parts(async (p) => {
        pid = p;
        throw new SnooperError('TOO_MANY_PROCESSES', 'the traced_procs map is full');
      }),
      clientPath(),
      ['-wait'],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    await expect(failing).rejects.toMatchObject({
      code: 'TOO_MANY_PROCESSES',
      pid: expect.any(Number),
      message: expect.stringContaining('which runs on untraced'),
    });
    expect(() => process.kill(pid, 0)).not.toThrow();
    process.kill(pid, 'SIGKILL');
  });
});
