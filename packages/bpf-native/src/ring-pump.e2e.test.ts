import { runBpfTests } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { runNativeChild } from './test-support/native-child.js';

describe.runIf(runBpfTests)('an exception thrown by onBatch (real BPF, in a child process)', () => {
  it("reaches process 'uncaughtException', and the next batch is still delivered", () => {
    const child = runNativeChild('throwing-batch-child.cjs', { HW_LISTEN: '1' });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    const result = JSON.parse(child.stdout) as { batches: number; uncaught: string[] };
    expect(result.uncaught).toEqual(['thrown by onBatch']);
    expect(result.batches).toBeGreaterThanOrEqual(2);
  });

  it('without a listener, ends the process as Node ends it for any uncaught exception: printed, exit code 1, no abort', () => {
    const child = runNativeChild('throwing-batch-child.cjs');
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 1, signal: null });
    expect(child.stderr).toContain('Error: thrown by onBatch');
    expect(child.stdout).toBe('');
  });
});

describe.runIf(runBpfTests)('the Buffers onBatch receives (real BPF, in a child process)', () => {
  it('a batch JavaScript still holds keeps its bytes while collected batches carry later ones', () => {
    const child = runNativeChild('kept-batch-child.cjs');
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    const result = JSON.parse(child.stdout) as { batches: number; intact: boolean[] };
    expect(result.batches).toBeGreaterThanOrEqual(64);
    expect(result.intact).toEqual(Array(8).fill(true));
  });
});
