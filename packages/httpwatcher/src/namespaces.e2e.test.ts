import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { Snooper } from './snooper.js';
import { Recorder, asSent, clientPath, killAll, sentRequests, truthOf } from './test-support/lifecycle-fixtures.js';

/** The first child of `pid` (unshare --fork runs its command as its child). */
async function childOf(pid: number, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (children) return Number(children.split(' ')[0]);
    if (Date.now() > deadline) throw new Error(`pid ${pid} started no child within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.runIf(runBpfTests)('processes in other PID and mount namespaces (unshare)', () => {
  const children = new Set<ChildProcess>();
  let snoop: Snooper;
  let recorder: Recorder;
  let dir: string;

  beforeEach(async () => {
    snoop = await Snooper.init();
    recorder = new Recorder(snoop);
    dir = mkdtempSync(join(tmpdir(), 'hw-ns-'));
  });

  afterEach(async () => {
    recorder.stop();
    await snoop.close();
    killAll(children);
    rmSync(dir, { recursive: true, force: true });
  });

  it('attach(pid) traces a process whose binary only its own mount namespace can see; events carry both PIDs', async () => {
    // The fixture runs from a tmpfs mounted inside the new mount namespace: the host sees an
    // empty directory there, so the binary is reachable only through /proc/<pid>/exe.
    const script = `mount -t tmpfs none '${dir}' && cp '${clientPath()}' '${dir}/client' && exec '${dir}/client' -wait -scenario basic`;
    const unshare = spawn('unshare', ['--pid', '--mount', '--fork', 'sh', '-c', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.add(unshare);
    let stdout = '';
    const ready = new Promise<number>((resolve) => {
      createInterface({ input: unshare.stdout }).on('line', (line) => {
        stdout += `${line}\n`;
        const msg = JSON.parse(line) as { kind: string; pid?: number };
        if (msg.kind === 'ready') resolve(msg.pid!);
      });
    });
    const nsPid = await ready;
    const hostPid = await childOf(unshare.pid!);
    expect(nsPid).toBe(1);
    expect(hostPid).not.toBe(1);

    const attached = await snoop.attach(hostPid);
    expect(attached).toMatchObject({ pid: hostPid, nsPid: 1, exe: `${dir}/client` });
    unshare.stdin.write('go\n');
    await recorder.until(() => recorder.noticesOf(hostPid, 'exit').length === 1, 'the exit notice');
    await recorder.settle();
    const sent = sentRequests(stdout);
    expect(sent).toHaveLength(5);
    expect(recorder.eventsOf(hostPid).map(asSent)).toEqual(truthOf(sent));
    expect(recorder.eventsOf(hostPid).every((e) => e.nsPid === 1)).toBe(true);
  });

  it('a process started later in a new PID namespace gets its namespace PID from the kernel at exec', async () => {
    await snoop.attachBinary(clientPath());
    const unshare = spawn('unshare', ['--pid', '--mount', '--fork', clientPath(), '-scenario', 'basic'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(unshare);
    let stdout = '';
    unshare.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise((resolve) => unshare.once('close', resolve));
    // The program may be gone already: its host PID comes from the attach notice the exec produced.
    const attachOf = (): number | undefined => recorder.notices.find((n) => n.kind === 'attach' && n.nsPid === 1)?.pid;
    await recorder.until(
      () => attachOf() !== undefined && recorder.noticesOf(attachOf()!, 'exit').length === 1,
      'attach and exit notices',
    );
    await recorder.settle();
    const hostPid = attachOf()!;
    expect(hostPid).not.toBe(unshare.pid);
    const sent = sentRequests(stdout);
    expect(sent).toHaveLength(5);
    expect(recorder.noticesOf(hostPid, 'attach')).toEqual([expect.objectContaining({ nsPid: 1, via: 'binary' })]);
    expect(recorder.eventsOf(hostPid).map(asSent)).toEqual(truthOf(sent));
    expect(recorder.eventsOf(hostPid).map((e) => e.nsPid)).toEqual([1, 1, 1, 1, 1]);
  });
});
