import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { growPipe } from './pipe-capacity.js';

/** Bytes a non-blocking write end takes before the pipe is full (nobody reads it). */
function fill(fd: number): number {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  for (;;) {
    try {
      written += writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return written;
      throw error;
    }
  }
}

describe('growPipe', () => {
  const opened: number[] = [];
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hw-pipe-'));
  });
  afterEach(() => {
    for (const fd of opened.splice(0)) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A FIFO opened for reading and writing: a pipe with no reader draining it. */
  const fifo = (): number => {
    const path = join(dir, `fifo${opened.length}`);
    execFileSync('mkfifo', [path]);
    const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    opened.push(fd);
    return fd;
  };

  it('gives a pipe 1 MiB of buffer: a megabyte goes in without a reader, where 64 KiB did before', async () => {
    const before = fifo();
    expect(fill(before)).toBe(64 * 1024);
    const fd = fifo();
    expect(await growPipe(fd)).toBe(1 << 20);
    expect(fill(fd)).toBe(1 << 20);
  });

  it('resolves undefined for a descriptor that is not a pipe', async () => {
    const fd = openSync(join(dir, 'file'), 'w');
    opened.push(fd);
    expect(await growPipe(fd)).toBeUndefined();
  });
});
