import { copyFileSync, mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { openTracer } from './index.js';

/** An ELF file nobody runs: a uprobe on it (at its header, offset 0) is registered but never hit. */
function idleExecutable(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-attach-')), 'idle');
  copyFileSync('/bin/true', path);
  return path;
}

/** This process's BPF and perf-event file descriptors. */
function kernelFds(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return /anon_inode:(bpf|\[perf_event\])/.test(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
}

describe.runIf(runBpfTests)('attachUprobe (real BPF)', () => {
  it('registers the uprobe off the JavaScript thread: the call returns a pending promise, the link comes later', async () => {
    const tracer = openTracer();
    try {
      const attaching = tracer.attachUprobe(idleExecutable(), 0, -1, 7);
      expect(attaching).toBeInstanceOf(Promise);
      expect(tracer.linkCount()).toBe(0);
      const id = await attaching;
      expect(tracer.linkCount()).toBe(1);
      expect(tracer.detach(id)).toBe(true);
      expect(tracer.linkCount()).toBe(0);
    } finally {
      tracer.close();
    }
  });

  it('rejects a path that does not exist with the errno and the path, and keeps no link', async () => {
    const tracer = openTracer();
    try {
      await expect(tracer.attachUprobe('/nonexistent/binary', 0, -1, 1)).rejects.toMatchObject({
        code: 'ENOENT',
        message: expect.stringContaining('/nonexistent/binary'),
      });
      expect(tracer.linkCount()).toBe(0);
    } finally {
      tracer.close();
    }
  });

  it('rejects a file offset that is NaN, fractional, negative or beyond 2^53 - 1 with a typed error, never casting it', () => {
    const tracer = openTracer();
    const path = idleExecutable();
    try {
      for (const offset of [Number.NaN, 1.5, -1, 2 ** 53, Number.POSITIVE_INFINITY]) {
        expect(() => tracer.attachUprobe(path, offset, -1, 1)).toThrow(
          expect.objectContaining({
            name: 'RangeError',
            code: 'ERR_OUT_OF_RANGE',
            message: `fileOffset must be an integer from 0 to 2^53 - 1; got ${offset}`,
          }),
        );
      }
      expect(() => tracer.attachUprobe(path, '16' as never, -1, 1)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      for (const pid of [0.5, -2, 2 ** 31])
        expect(() => tracer.attachUprobe(path, 0, pid, 1)).toThrow(
          expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
        );
      expect(() => tracer.attachUprobe(path, 0, -1, 1, 'process_exec' as never)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }),
      );
      expect(tracer.linkCount()).toBe(0);
    } finally {
      tracer.close();
    }
  });

  it('close() with attaches in flight waits for them, rejects them with ERR_CLOSED and leaves no fd behind', async () => {
    const before = kernelFds();
    const tracer = openTracer();
    const path = idleExecutable();
    const attaching = Array.from({ length: 8 }, (_, i) => tracer.attachUprobe(path, i * 16, -1, i + 1));
    tracer.close();
    const settled = await Promise.allSettled(attaching);
    expect(settled.map((s) => s.status)).toEqual(Array(8).fill('rejected'));
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_CLOSED' });
    // Their links were handed to the background reaper; it frees them within a grace period or two.
    for (let i = 0; i < 100 && kernelFds() > before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(kernelFds()).toBe(before);
  });
});
