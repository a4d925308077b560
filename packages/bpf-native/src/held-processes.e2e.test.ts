import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NativeTracer, openTracer, startHoldGuardian } from './index.js';

/** Fields 3 onwards of /proc/<pid>/stat (comm, field 2, may hold spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
const stateOf = (pid: number): string => statFields(pid)[0]!;
const startTicksOf = (pid: number): bigint => BigInt(statFields(pid)[19]!);

async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pidKey = (pid: number): Buffer => Buffer.from(new Uint32Array([pid]).buffer);

/** A `struct hw_held`, stopped now by CLOCK_MONOTONIC (what bpf_ktime_get_ns and hrtime read). */
function heldEntry(startTicks: bigint, heldNs = process.hrtime.bigint()): Buffer {
  const entry = Buffer.alloc(16);
  entry.writeBigUInt64LE(startTicks, 0);
  entry.writeBigUInt64LE(heldNs, 8);
  return entry;
}

// Every process stopped here is a child of this test, stopped by the test itself: the `held`
// entries are fakes that name them, with their true start time or a wrong one (a reused PID).
describe.runIf(runBpfTests)('resuming held processes: only the process that was stopped', () => {
  const children: ChildProcess[] = [];
  let tracer: NativeTracer;

  beforeEach(() => {
    tracer = openTracer();
  });

  afterEach(() => {
    tracer.close();
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  async function stoppedChild(): Promise<number> {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    process.kill(child.pid!, 'SIGSTOP');
    await until(() => stateOf(child.pid!) === 'T', 'the child to stop');
    return child.pid!;
  }

  it('resumeHeld() sends SIGCONT only when the start time matches, and takes the entry either way', async () => {
    const pid = await stoppedChild();
    tracer.updateElem('held', pidKey(pid), heldEntry(startTicksOf(pid) + 1n)); // another process's start
    expect(tracer.resumeHeld(pid)).toBe('gone');
    expect(tracer.countElems('held')).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(stateOf(pid)).toBe('T');

    expect(tracer.resumeHeld(pid)).toBe('not-held');
    tracer.updateElem('held', pidKey(pid), heldEntry(startTicksOf(pid)));
    expect(tracer.resumeHeld(pid)).toBe('resumed');
    await until(() => stateOf(pid) !== 'T', 'the process to continue');
  });

  it('the guardian resumes a process past the timeout, never one whose PID names another process now', async () => {
    const [same, reused, young] = [await stoppedChild(), await stoppedChild(), await stoppedChild()];
    const guardian = await startHoldGuardian(tracer, 300);
    try {
      const started = Date.now();
      tracer.updateElem('held', pidKey(same), heldEntry(startTicksOf(same)));
      tracer.updateElem('held', pidKey(reused), heldEntry(startTicksOf(reused) - 1n));
      // Stopped "in the future": not due within this test's time.
      tracer.updateElem(
        'held',
        pidKey(young),
        heldEntry(startTicksOf(young), process.hrtime.bigint() + 60_000_000_000n),
      );
      await until(() => stateOf(same) !== 'T', 'the guardian to resume it', 2_000);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(200); // the timeout less one sweep (30 ms), less timer slack
      expect(elapsed).toBeLessThan(1_000);
      await until(() => tracer.countElems('held') === 1, 'the reused PID entry to be dropped');
      expect(stateOf(reused)).toBe('T');
      expect(stateOf(young)).toBe('T');
    } finally {
      await guardian.stop();
    }
    // Stopping it (as the tracer's end does) resumes everything still held.
    await until(() => stateOf(young) !== 'T', 'stop() to resume what was left');
    expect(tracer.countElems('held')).toBe(0);
    expect(stateOf(reused)).toBe('T');
  });

  it("a SIGKILLed guardian: the tracer's watch resumes what is held from the addon's thread while JavaScript is blocked", async () => {
    const pid = await stoppedChild();
    const u32 = (n: number): Buffer => Buffer.from(new Uint32Array([n]).buffer);
    // The exec tracepoint holds, but only below the stopped child, which execs nothing.
    tracer.updateElem('exec_policy', u32(2), u32(pid)); // HW_EXEC_POLICY_SLOT_HOLD_SUBTREE
    tracer.updateElem('exec_policy', u32(0), u32(2)); // HW_EXEC_POLICY_SLOT_MODE: HW_EXEC_HOLD_UNKNOWN
    const guardian = await startHoldGuardian(tracer, 60_000);
    tracer.updateElem('held', pidKey(pid), heldEntry(startTicksOf(pid)));
    children.push(spawn('sh', ['-c', `sleep 0.2; kill -KILL ${guardian.pid}`], { stdio: 'ignore' }));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000); // no JavaScript runs meanwhile
    expect(stateOf(pid)).not.toBe('T'); // resumed within 800 ms of the guardian's death
    expect(tracer.countElems('held')).toBe(0);
    await guardian.exited;
  });

  it('the guardian refuses a descriptor that is not a held map, and a timeout out of range', async () => {
    await expect(startHoldGuardian(tracer, 0)).rejects.toThrow(RangeError);
    const fake = { heldMapFd: () => 0 } as unknown as NativeTracer; // stdin: not a BPF map
    await expect(startHoldGuardian(fake, 100)).rejects.toThrow(/exited before it was ready \(code 3/);
  });
});
