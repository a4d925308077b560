import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { EventKind, eventLayout as E } from './abi/bpf-abi.js';
import { frameBytes, nextRecordAt, recordSizeAt } from './abi/ring-records.js';
import { Snooper } from './snooper.js';
import { recordingBinding } from './test-support/recording-binding.js';
import { runTraced } from './test-support/traced-run.js';

if (!runBpfTests) console.warn('shape-ids.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const cell = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.go === '1.25' && c.variant === 'default',
)[0];
const benchClient = builtFixtures(
  (c) => c.program === 'bench-client' && c.goarch === 'amd64' && c.go === '1.25' && c.variant === 'default',
)[0];

interface Framed {
  shapeId: number;
  record: Buffer;
}

/** A request record's bytes outside its call's fields: what its shape id stands for. */
const shapeBytes = (record: Buffer): string =>
  Buffer.concat([record.subarray(E.flags, E.g), record.subarray(E.size)]).toString('hex');

/** A Snooper that keeps every record the addon delivers, with the shape id of its frame. */
async function framingSnooper(framed: Framed[]): Promise<Snooper> {
  return Snooper.init({
    binding: recordingBinding((batch) => {
      for (let at = 0; at + frameBytes <= batch.length; ) {
        const size = recordSizeAt(batch, at);
        framed.push({
          shapeId: batch.readUInt32LE(at + 4),
          record: Buffer.from(batch.subarray(at + frameBytes, at + frameBytes + size)),
        });
        at = nextRecordAt(at, size);
      }
    }),
  });
}

const requestsOf = (framed: Framed[], pid: number): Framed[] =>
  framed.filter((f) => f.record[E.kind] === EventKind.request && f.record.readUInt32LE(E.tgid) === pid);

describe.runIf(runBpfTests)('shape ids the drain thread writes into each frame (real BPF)', () => {
  it('has the fixture (run test-fixtures/build.sh)', () => {
    expect(cell).toBeDefined();
  });

  it('gives request records of equal shape bytes one id, and others their own; 0 to other records', async () => {
    // The capture scenario: every request different (methods, URLs, header forms).
    const framed: Framed[] = [];
    const snoop = await framingSnooper(framed);
    try {
      const run = await runTraced(snoop, cell!.absolutePath, ['-scenario', 'capture']);
      expect(run.exitCode).toBe(0);
      const requests = requestsOf(framed, run.pid);
      expect(requests.length).toBe(run.events.length);
      expect(requests.length).toBeGreaterThan(20);
      const bytesOfId = new Map<number, string>();
      for (const { shapeId, record } of requests) {
        expect(shapeId).not.toBe(0);
        const bytes = shapeBytes(record);
        expect(bytesOfId.get(shapeId) ?? bytes).toBe(bytes);
        bytesOfId.set(shapeId, bytes);
      }
      expect(new Set(requests.map((r) => r.shapeId)).size).toBe(
        new Set(requests.map((r) => shapeBytes(r.record))).size,
      );
      const others = framed.filter((f) => f.record[E.kind] !== EventKind.request);
      expect(others.length).toBeGreaterThan(0);
      expect(others.map((f) => f.shapeId)).toEqual(others.map(() => 0));
    } finally {
      await snoop.close();
    }
  });

  it('gives 500 calls of the same request, at different times, one id', async () => {
    expect(benchClient, 'go1.25/default bench-client (run test-fixtures/build.sh)').toBeDefined();
    const framed: Framed[] = [];
    const snoop = await framingSnooper(framed);
    const child = spawn(benchClient!.absolutePath, ['-transport', 'inproc', '-goroutines', '1'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    try {
      const pid = (JSON.parse((await lines.next()).value as string) as { pid: number }).pid;
      await snoop.attach(pid);
      child.stdin.write('run 500\n');
      expect(JSON.parse((await lines.next()).value as string)).toMatchObject({ kind: 'round', calls: 500 });
      snoop.flush();
      const requests = requestsOf(framed, pid);
      expect(requests.length).toBe(500);
      expect(new Set(requests.map((r) => r.record.readBigUInt64LE(E.ktimeNs))).size).toBe(500);
      expect(new Set(requests.map((r) => shapeBytes(r.record))).size).toBe(1);
      expect(new Set(requests.map((r) => r.shapeId))).toEqual(new Set([requests[0]!.shapeId]));
      expect(requests[0]!.shapeId).not.toBe(0);
    } finally {
      child.kill();
      await snoop.close();
    }
  });
});
