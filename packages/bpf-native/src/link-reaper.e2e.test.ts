import { runBpfTests } from '@httpwatcher/test-support/gates';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNativeChild } from './test-support/native-child.js';

/** A new cgroup under the pids controller (cgroup v1 or v2), which can cap the tasks of a process. */
function newPidsCgroup(): string {
  let root = '/sys/fs/cgroup/pids';
  if (!existsSync(join(root, 'cgroup.procs'))) {
    root = '/sys/fs/cgroup';
    const control = join(root, 'cgroup.subtree_control');
    if (!readFileSync(control, 'utf8').split(/\s+/).includes('pids')) writeFileSync(control, '+pids');
  }
  const cgroup = join(root, `httpwatcher-test-${process.pid}`);
  mkdirSync(cgroup);
  return cgroup;
}

describe.runIf(runBpfTests)('detach when no thread can be created (real BPF, in a child process)', () => {
  it('destroys the link on the calling thread instead of aborting the process', () => {
    const cgroup = newPidsCgroup();
    try {
      const child = runNativeChild('thread-limit-child.cjs', { HW_CGROUP: cgroup });
      expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
        status: 0,
        signal: null,
        stderr: '',
      });
      const result = JSON.parse(child.stdout) as Record<string, number | boolean>;
      expect(result).toEqual({ detached: true, linkCount: 0, detachesInFlight: 0, refused: expect.any(Number) });
      expect(result.refused).toBeGreaterThanOrEqual(1); // the cgroup did refuse the reaper's thread
    } finally {
      rmdirSync(cgroup);
    }
  });
});
