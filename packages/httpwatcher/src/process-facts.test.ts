import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { procShowsHostPids, readProcessFacts, readStartTime } from './process-facts.js';

describe('readStartTime', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hw-proc-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the start time readProcessFacts reads, for a live process', async () => {
    expect(await readStartTime(process.pid)).toBe((await readProcessFacts(process.pid)).startTime);
  });

  it('is null for a PID no process has, undefined for a stat it cannot parse', async () => {
    const child = spawnSync('true');
    expect(child.status).toBe(0);
    expect(await readStartTime(child.pid!)).toBeNull();
    mkdirSync(join(root, '7'));
    writeFileSync(join(root, '7', 'stat'), '7 (x) S 1');
    expect(await readStartTime(7, root)).toBeUndefined();
  });

  it('procShowsHostPids: true here (root on the host), false for a /proc of another PID namespace', async () => {
    expect(await procShowsHostPids()).toBe(true);
    mkdirSync(join(root, 'self', 'ns'), { recursive: true });
    symlinkSync('pid:[4026532000]', join(root, 'self', 'ns', 'pid'));
    expect(await procShowsHostPids(root)).toBe(false);
  });
});
