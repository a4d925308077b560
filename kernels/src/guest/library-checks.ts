import { Snooper, type HttpRequestEvent } from 'httpwatcher';
import { startFixture } from '../../../packages/httpwatcher/src/test-support/fixtures.js';
import { watchExits } from '../../../packages/httpwatcher/src/test-support/exit-watch.js';
import type { GuestPlan } from '../guest-plan.js';
import type { Findings } from './findings.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean, timeoutMs: number, f: Findings, poke?: () => void) {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    poke?.();
    await sleep(20);
  }
  if (!done()) f.add(`${what}: not within ${timeoutMs} ms`);
}

/**
 * A traced process exits: every request it sent arrived, and its kernel state (target entry,
 * uprobe link) is gone without a detach, as lifecycle.e2e checks on the host.
 */
export async function checkExitCleanup(plan: GuestPlan, f: Findings): Promise<Record<string, unknown>> {
  const snoop = await Snooper.init({ flushIntervalMs: 10 });
  const events: HttpRequestEvent[] = [];
  const consuming = (async () => {
    for await (const ev of snoop.events()) events.push(ev);
  })();
  // What to look at when the cleanup does not come (once in a CI run on the newest kernel): did the
  // exit notice arrive, and what do the counters say.
  const exits = watchExits(snoop);
  try {
    const fixture = await startFixture(plan.client.path, ['-scenario', 'basic']);
    await snoop.attach(fixture.pid);
    const traced = snoop.kernelEntries();
    f.same('while traced', { tracedProcs: traced.tracedProcs, links: traced.links }, { tracedProcs: 1, links: 1 });
    const { sent, exitCode } = await fixture.go();
    f.same('fixture exit code', exitCode, 0);
    const mine = () => events.filter((e) => e.pid === fixture.pid);
    await until(
      'events of every request',
      () => mine().length >= sent.length,
      30_000,
      f,
      () => snoop.flush(),
    );
    f.same(
      'requests',
      mine().map((e) => `${e.method} ${e.url}`),
      sent.map((s) => `${s.method} ${s.url}`),
    );
    const gone = () => snoop.kernelEntries().tracedProcs === 0 && snoop.processes().length === 0;
    await until('cleanup after the exit', gone, 30_000, f);
    f.same('after the exit', snoop.kernelEntries(), { tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    // exitsSwept 1: the kernel wrote no exit record although the ring had room; the exit sweep let
    // the process go (seen once on the newest kernel before there was a sweep).
    const { kernelDrops, hits, readErrors, exitsSwept } = snoop.stats();
    return {
      events: mine().length,
      exitNotice: exits.pids.includes(fixture.pid),
      exitsSwept,
      kernelDrops,
      hits,
      readErrors,
    };
  } finally {
    await exits.stop();
    await snoop.close();
    await consuming;
  }
}

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

// Both clocks are CLOCK_MONOTONIC; the event's span lies inside the one Go measured around Do.
const SLACK_NS = 2_000_000;

/** `response: true`: each call's status, error and duration match what the program saw (response.e2e). */
export async function checkResponse(plan: GuestPlan, f: Findings): Promise<Record<string, unknown>> {
  const snoop = await Snooper.init({ response: true });
  const events: HttpRequestEvent[] = [];
  const consuming = (async () => {
    for await (const ev of snoop.events()) events.push(ev);
  })();
  try {
    const started = await snoop.spawn(plan.responseClient.path, ['-scenario', 'basic'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    started.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const drained = new Promise((r) => started.child.stdout!.once('end', r));
    const { code } = await started.exited;
    await drained;
    f.same('fixture exit code', code, 0);
    const truths = stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Outcome);
    f.atLeast('calls', truths.length, 9);
    const mine = () => events.filter((e) => e.pid === started.pid);
    await until(
      'an event per call',
      () => mine().length >= truths.length,
      30_000,
      f,
      () => snoop.flush(),
    );
    await sleep(100); // a duplicate would show up too
    snoop.flush();
    const got = mine();
    f.same('calls', got.map((e) => `${e.method} ${e.url}`).sort(), truths.map((t) => `${t.method} ${t.url}`).sort());
    for (const truth of truths) {
      const event = got.find((e) => e.url === truth.url);
      const what = `${truth.method} ${truth.url}`;
      if (!event) continue;
      if (truth.panicked) {
        f.same(
          `${what} (never returned)`,
          [event.status, event.error, event.durationNs],
          [undefined, undefined, undefined],
        );
        continue;
      }
      f.same(`${what} status`, event.status, truth.status === 0 ? undefined : truth.status);
      f.same(`${what} error`, event.error, truth.error !== undefined);
      f.atLeast(`${what} durationNs`, event.durationNs, truth.minMs * 1e6);
      f.atMost(`${what} durationNs`, event.durationNs, truth.durationNs + SLACK_NS);
    }
    f.atLeast('failed calls (refused, timeout)', truths.filter((t) => t.error !== undefined && !t.panicked).length, 2);
    return { calls: truths.length, events: got.length };
  } finally {
    await snoop.close();
    await consuming;
  }
}
