import { realpathSync } from 'node:fs';
import { GoBinary, clientDoName } from '@httpwatcher/go-elf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { kernelUprobeLinks, ourLinks, ourLinksTo } from './test-support/kernel-uprobe-links.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const cells = builtFixtures((c) => c.program === 'response-client' && c.goarch === 'amd64');
// Every Go version's default build, and every variant of the oldest (stack ABI, g in TLS) and newest toolchain.
const basicCells = cells.filter((c) => c.variant === 'default' || c.go === '1.15' || c.go === '1.27');
const defaultCells = cells.filter((c) => c.variant === 'default');
// Both clocks are CLOCK_MONOTONIC; the event's span lies inside the one Go measured around Do.
const slackNs = 2_000_000;

/** Ground truth of one call (test-fixtures/response-client/main.go). */
interface Outcome {
  kind: 'response';
  method: string;
  url: string;
  status: number;
  error?: string;
  minMs: number;
  durationNs: number;
  panicked?: boolean;
}

interface LoadSummary {
  kind: 'load';
  sent: number;
  received: number;
  failed: number;
  byStatus: Record<string, number>;
}

describe.runIf(runBpfTests)('response tracing (real BPF, real Go processes)', () => {
  let snoop: Snooper;
  const events: HttpRequestEvent[] = [];
  let consuming: Promise<void>;

  beforeAll(async () => {
    snoop = await Snooper.init({ response: true });
    consuming = (async () => {
      for await (const event of snoop.events()) events.push(event);
    })();
  });

  afterAll(async () => {
    await snoop?.close();
    await consuming;
  });

  async function eventsOf(pid: number, count: number, timeoutMs = 10_000): Promise<HttpRequestEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (events.filter((e) => e.pid === pid).length < count && Date.now() < deadline) {
      snoop.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would show up too
    snoop.flush();
    return events.filter((e) => e.pid === pid);
  }

  async function run(path: string, args: string[]): Promise<{ pid: number; code: number | null; lines: unknown[] }> {
    const started = await snoop.spawn(path, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    started.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const drained = new Promise((r) => started.child.stdout!.once('end', r));
    const { code } = await started.exited;
    await drained;
    return {
      pid: started.pid,
      code,
      lines: stdout
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as unknown),
    };
  }

  it('has response-client fixtures (bash test-fixtures/build.sh --program response-client)', () => {
    expect(defaultCells.map((c) => c.go)).toEqual([
      '1.15',
      '1.19',
      '1.21',
      '1.22',
      '1.23',
      '1.24',
      '1.25',
      '1.26',
      '1.27',
    ]);
  });

  it.each(basicCells.map((c) => [`go${c.go} ${c.variant}`, c.absolutePath] as const))(
    '%s: status, error and duration of each call match what the program saw',
    async (_name, path) => {
      const { pid, code, lines } = await run(path, ['-scenario', 'basic']);
      expect(code).toBe(0);
      const truths = lines as Outcome[];
      expect(truths.length).toBeGreaterThan(8);
      const got = await eventsOf(pid, truths.length);
      expect(got.map((e) => `${e.method} ${e.url}`).sort()).toEqual(truths.map((t) => `${t.method} ${t.url}`).sort());
      for (const truth of truths) {
        const event = got.find((e) => e.url === truth.url)!;
        const what = `${truth.method} ${truth.url}`;
        if (truth.panicked) {
          // Client.do never returned: reported without response fields once the process exited.
          expect([event.status, event.error, event.durationNs], what).toEqual([undefined, undefined, undefined]);
          continue;
        }
        expect(event.status, what).toBe(truth.status === 0 ? undefined : truth.status);
        expect(event.error, what).toBe(truth.error !== undefined);
        expect(event.durationNs, what).toBeGreaterThanOrEqual(truth.minMs * 1e6);
        expect(event.durationNs, what).toBeLessThanOrEqual(truth.durationNs + slackNs);
      }
      expect(truths.filter((t) => t.error !== undefined && !t.panicked).length).toBeGreaterThanOrEqual(2); // refused, timeout
    },
  );

  it.each(defaultCells.map((c) => [`go${c.go}`, c.absolutePath] as const))(
    '%s: 10 000 calls from 64 goroutines all complete, each reported once with its status',
    async (_name, path) => {
      const { pid, code, lines } = await run(path, ['-scenario', 'load', '-n', '10000', '-c', '64']);
      const summary = lines.find((l) => (l as LoadSummary).kind === 'load') as LoadSummary;
      expect([code, summary.received, summary.failed]).toEqual([0, 10_000, 0]);
      const got = await eventsOf(pid, 10_000, 30_000);
      const byStatus: Record<string, number> = {};
      for (const e of got) byStatus[String(e.status)] = (byStatus[String(e.status)] ?? 0) + 1;
      expect(byStatus).toEqual(summary.byStatus);
      expect(got.every((e) => e.error === false && (e.durationNs ?? -1) >= 0)).toBe(true);
    },
    120_000,
  );

  it.each(defaultCells.map((c) => [`go${c.go}`, c.absolutePath] as const))(
    '%s: a Client.Do inside another on one goroutine (a token fetch in a RoundTripper): each call its own status',
    async (_name, path) => {
      const { pid, code, lines } = await run(path, ['-scenario', 'nested', '-n', '600', '-c', '16']);
      expect(code).toBe(0);
      const truths = lines as Outcome[];
      expect(truths).toHaveLength(1_200); // each call and its token fetch
      const got = await eventsOf(pid, truths.length, 30_000);
      expect(got).toHaveLength(truths.length);
      const byUrl = new Map(got.map((e) => [e.url, e]));
      const wrong = truths.filter((truth) => {
        const event = byUrl.get(truth.url);
        return (
          event?.status !== truth.status ||
          event.error !== false ||
          (event.durationNs ?? -1) < 0 ||
          event.durationNs! > truth.durationNs + slackNs
        );
      });
      expect(wrong.slice(0, 3).map((t) => [t.url, byUrl.get(t.url)?.status, t.status])).toEqual([]);
    },
    120_000,
  );

  it('attaches only plain uprobes: one at the probe, one on each return instruction, no uretprobe', async () => {
    const path = realpathSync(defaultCells.find((c) => c.go === '1.24')!.absolutePath);
    const attached = await snoop.attachBinary(path);
    try {
      await using binary = await GoBinary.open(path);
      const returns = await binary.returnSites(await binary.findFunction(clientDoName));
      const ours = ourLinksTo(path);
      expect(ours.map((l) => [l.progName, l.kind, l.offset]).sort()).toEqual(
        [
          ['client_do', 'uprobe', attached.probeFileOffset],
          ...returns.map((r) => ['client_do_retur', 'uprobe', r.fileOffset]),
        ].sort(),
      );
      expect(returns.length).toBeGreaterThan(3);
      expect(new Set(ours.map((l) => l.cookie)).size).toBe(1);
      expect(kernelUprobeLinks().filter((l) => l.kind === 'uretprobe')).toEqual([]);
    } finally {
      await snoop.detachBinary(path);
    }
    expect(ourLinks()).toEqual([]);
  });
});
