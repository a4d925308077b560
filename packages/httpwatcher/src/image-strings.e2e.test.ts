import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { recordsOf } from './abi/ring-records.js';
import { Snooper } from './snooper.js';
import { expectedCapture } from './test-support/expected-capture.js';
import { countForms } from './test-support/header-forms.js';
import { recordingBinding } from './test-support/recording-binding.js';
import { runTraced, type CaptureTruth } from './test-support/traced-run.js';
import type { HttpRequestEvent } from './http-event.js';

if (!runBpfTests) console.warn('image-strings.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const benchClient = builtFixtures((c) => c.program === 'bench-client' && c.go === '1.25' && c.variant === 'default')[0];

const cells = builtFixtures(
  (c) =>
    c.program === 'client' &&
    c.goarch === 'amd64' &&
    ['1.15', '1.22', '1.25', '1.27'].includes(c.go) &&
    ['default', 'pie', 'cgo-external', 'stripped'].includes(c.variant),
);

describe.runIf(runBpfTests)(
  'header strings in the binary image are sent as offsets and read from the file (real BPF)',
  () => {
    it('has the cells (run test-fixtures/build.sh)', () => {
      expect(cells.length).toBe(16);
    });

    it.each(cells.map((c) => [`go${c.go} ${c.variant}`, c] as [string, Fixture]))('%s', async (_, cell) => {
      const records: Buffer[] = [];
      const snoop = await Snooper.init({
        binding: recordingBinding((batch) => records.push(...[...recordsOf(batch)].map((r) => Buffer.from(r)))),
      });
      try {
        const run = await runTraced(snoop, cell.absolutePath, ['-scenario', 'capture']);
        expect(run.exitCode).toBe(0);
        expect(run.events.length).toBe(run.truths.length);
        const forms = countForms(records, run.pid);
        // Literal keys and values (h.Set("Accept", "text/html")) are in .rodata; built ones are not.
        // A PIE process's image is found through its mappings (its load bias).
        expect(forms.inImage).toBeGreaterThan(10);
        expect(forms.asBytes).toBeGreaterThan(100);
        // Whichever form each string took, the event says exactly what the program sent (the capture
        // requests run one after another, so events come in the order they were sent).
        run.truths.forEach((truth, i) => {
          const want = expectedCapture(truth);
          const ev = run.events[i]!;
          expect(Object.keys(ev.headers).length, truth.name).toBe(want.capturedHeaders);
          for (const [key, value] of Object.entries(ev.headers))
            expect(value, `${truth.name}: ${key}`).toBe(want.headers.get(key)?.value);
        });
        expect(run.events.filter((e) => e.incomplete)).toEqual([]);
      } finally {
        await snoop.close();
      }
    });

    it('decodes the records still in the ring when their process is detached, before closing its binary', async () => {
      expect(benchClient, 'go1.25/default bench-client (run test-fixtures/build.sh)').toBeDefined();
      // No timed drain and fewer bytes than the wakeup threshold: the records wait in the ring.
      const records: Buffer[] = [];
      const snoop = await Snooper.init({
        flushIntervalMs: 600_000,
        binding: recordingBinding((batch) => records.push(...[...recordsOf(batch)].map((r) => Buffer.from(r)))),
      });
      const child = spawn(benchClient!.absolutePath, ['-transport', 'inproc', '-goroutines', '1'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      try {
        const pid = (JSON.parse((await lines.next()).value as string) as { pid: number }).pid;
        const events: Array<{ headers: Record<string, string>; incomplete: boolean }> = [];
        const consumer = (async () => {
          for await (const ev of snoop.events()) if (ev.pid === pid) events.push(ev);
        })();
        await snoop.attach(pid);
        child.stdin.write('run 200\n');
        expect(JSON.parse((await lines.next()).value as string)).toMatchObject({ kind: 'round', calls: 200 });
        expect(snoop.stats().events).toBe(0);
        expect(await snoop.detach(pid)).toBe(true);
        await snoop.close();
        await consumer;
        expect(events).toHaveLength(200);
        expect(countForms(records, pid)).toEqual({ inImage: 200 * 8 * 2, asBytes: 0 });
        expect(events.filter((e) => e.incomplete || Object.keys(e.headers).length !== 8 || '' in e.headers)).toEqual(
          [],
        );
        expect(new Set(events.map((e) => JSON.stringify(e.headers))).size).toBe(1);
      } finally {
        child.kill();
        await snoop.close();
      }
    });

    it.each(cells.filter((c) => c.variant === 'pie').map((c) => [`go${c.go} pie`, c] as [string, Fixture]))(
      '%s traced from its exec (spawn): the kernel finds the load bias there',
      async (_, cell) => {
        const records: Buffer[] = [];
        const snoop = await Snooper.init({
          binding: recordingBinding((batch) => records.push(...[...recordsOf(batch)].map((r) => Buffer.from(r)))),
        });
        try {
          const events: HttpRequestEvent[] = [];
          const consumer = (async () => {
            for await (const ev of snoop.events()) events.push(ev);
          })();
          const started = await snoop.spawn(cell.absolutePath, ['-scenario', 'capture'], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          const truths: CaptureTruth[] = [];
          createInterface({ input: started.child.stdout! }).on('line', (line) => {
            const msg = JSON.parse(line) as { kind: string };
            if (msg.kind === 'request') truths.push(msg as CaptureTruth);
          });
          expect(await started.exited).toEqual({ code: 0, signal: null });
          for (let i = 0; i < 100 && events.filter((e) => e.pid === started.pid).length < truths.length; i++)
            await new Promise((r) => setTimeout(r, 20));
          await snoop.close();
          await consumer;
          const mine = events.filter((e) => e.pid === started.pid);
          expect(mine).toHaveLength(truths.length);
          expect(countForms(records, started.pid).inImage).toBeGreaterThan(10);
          truths.forEach((truth, i) => {
            const want = expectedCapture(truth);
            expect(Object.keys(mine[i]!.headers).length, truth.name).toBe(want.capturedHeaders);
            for (const [key, value] of Object.entries(mine[i]!.headers))
              expect(value, `${truth.name}: ${key}`).toBe(want.headers.get(key)?.value);
          });
          expect(mine.filter((e) => e.incomplete)).toEqual([]);
        } finally {
          await snoop.close();
        }
      },
    );
  },
);
