import type { ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readlinkSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Snooper } from './snooper.js';
import { ourLinks } from './test-support/kernel-uprobe-links.js';
import { stoppedDescendants } from './test-support/process-states.js';
import {
  Recorder,
  asSent,
  clientPath,
  killAll,
  openFds,
  runProgram,
  sentRequests,
  truthOf,
} from './test-support/lifecycle-fixtures.js';

/** More than the 1,024 entries the binary maps once had, each binary exec'd once. */
const binaryCount = Number(process.env.HW_BOUNDED_BINARIES ?? 2_000);
/** Binaries run at once: low, so that a loaded 2-core machine keeps up (each is analysed and probed while held). */
const concurrency = 3;

/**
 * Descriptors of this process open on a file under `dir`: the test's binaries that a probe (or the
 * reader of its strings) still holds, and pins on disk once deleted.
 */
function filesOpenUnder(dir: string): number {
  let open = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`)) open++;
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return open;
}

/** Uprobe links of this process whose file is under `dir` (the kernel names each by our descriptor). */
function linksUnder(dir: string): number {
  return ourLinks().filter((link) => {
    try {
      return readlinkSync(link.file).startsWith(`${dir}/`);
    } catch {
      return false;
    }
  }).length;
}

interface Peak {
  /** Every descriptor of this process. */
  fds: number;
  /** Descriptors open on the test's binaries (deleted ones included). */
  openBinaries: number;
  /** Uprobe links to the test's binaries, as the kernel lists them. */
  ourLinks: number;
  /** Totals, which include the probes of Go programs of others on the machine that attachAll() traces too. */
  links: number;
  watched: number;
  probeConfigs: number;
  binaries: number;
}

describe.runIf(runBpfTests)(
  'attachAll() over thousands of distinct Go binaries: every one traced, state bounded',
  () => {
    const children = new Set<ChildProcess>();
    let snoop: Snooper;
    let recorder: Recorder;
    let dir: string;

    beforeEach(async () => {
      snoop = await Snooper.init();
      recorder = new Recorder(snoop);
      dir = mkdtempSync(join(tmpdir(), 'hw-bounded-'));
    });

    afterEach(async () => {
      recorder.stop();
      await snoop.close();
      killAll(children);
      rmSync(dir, { recursive: true, force: true });
    });

    it(`traces ${binaryCount} binaries exec'd one after another, and lets each one's probe, maps and file go after its last process`, async () => {
      const base = clientPath();
      // Compiled now: the compiler's own programs, our grandchildren, would be held (and wait for this
      // very event loop, blocked in the synchronous build) once attachAll({ hold }) runs.
      ourLinks();
      const before = { fds: openFds().total };
      // Processes of others may not be readable here (attachAll reports those as errors): not ours to judge.
      const existing = new Set(readdirSync('/proc').map(Number));
      // Held at exec (only what this test starts), so each never-seen binary's first request is seen.
      await snoop.attachAll({ hold: true, holdSubtree: process.pid, holdTimeoutMs: 60_000 });
      const peak: Peak = { fds: 0, openBinaries: 0, ourLinks: 0, links: 0, watched: 0, probeConfigs: 0, binaries: 0 };
      const sample = (): void => {
        const kernel = snoop.kernelEntries();
        const now = {
          fds: openFds().total,
          openBinaries: filesOpenUnder(dir),
          ourLinks: linksUnder(dir),
          links: kernel.links,
          watched: kernel.watched,
          probeConfigs: kernel.probeConfigs,
          binaries: snoop.stats().binaries,
        };
        for (const key of Object.keys(peak) as Array<keyof Peak>) peak[key] = Math.max(peak[key], now[key]);
      };
      const truth = new Map<string, ReturnType<typeof sentRequests>>();
      const failures: string[] = [];
      let next = 0;
      const started = Date.now();
      const worker = async (): Promise<void> => {
        while (next < binaryCount) {
          const i = next++;
          // A new inode with its own size and mtime: a binary never seen; the tail is past every ELF section.
          const copy = join(dir, `client-${i}`);
          copyFileSync(base, copy);
          appendFileSync(copy, `\nhttpwatcher bounded-state copy ${i}\n`, { mode: 0o755 });
          // Through sh, so that the program is our grandchild (children of the tracer are never held).
          const run = await runProgram('sh', ['-c', '"$0" "$@"; exit $?', copy, '-scenario', 'demo'], children);
          if (run.code !== 0) failures.push(`${copy}: exit code ${run.code}`);
          truth.set(copy, sentRequests(run.stdout));
          unlinkSync(copy);
          if (i % 50 === 0) sample();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const elapsedMs = Date.now() - started;
      sample();
      expect(failures).toEqual([]);

      // Each copy's process: attached (by the exec path it ran from) and exited, its requests as it printed them.
      const pidOf = (): Map<string, number> => {
        const pids = new Map<string, number>();
        for (const n of recorder.notices)
          if (n.kind === 'attach' && truth.has(n.process.exe)) pids.set(n.process.exe, n.pid);
        return pids;
      };
      const exited = (): Set<number> => new Set(recorder.notices.flatMap((n) => (n.kind === 'exit' ? [n.pid] : [])));
      await recorder
        .until(
          () => {
            const pids = [...pidOf().values()];
            const gone = exited();
            return pids.length === binaryCount && pids.every((pid) => gone.has(pid));
          },
          'the attach and exit of every copy',
          60_000,
        )
        .catch(() => undefined); // what is missing is named below
      await recorder.settle();
      const pids = pidOf();
      const outcome = { untraced: [] as string[], wrong: [] as unknown[] };
      for (const [copy, sent] of truth) {
        const pid = pids.get(copy);
        const seen = pid === undefined ? [] : recorder.eventsOf(pid).map(asSent);
        if (pid === undefined) outcome.untraced.push(copy);
        else if (!isDeepStrictEqual(seen, truthOf(sent))) outcome.wrong.push({ copy, pid, seen, sent: truthOf(sent) });
      }
      // Errors about processes started during the test (others' processes may be unreadable here).
      const errors = recorder.notices.flatMap((n) =>
        n.kind === 'error' && !existing.has(n.pid) ? [`${n.pid}: ${n.error.code} ${n.error.message}`] : [],
      );
      expect({
        untraced: outcome.untraced.slice(0, 3),
        wrong: outcome.wrong.slice(0, 3),
        ...(outcome.untraced.length > 0 && { errors, stats: snoop.stats() }),
      }).toEqual({ untraced: [], wrong: [] });
      expect([...truth.values()].every((sent) => sent.length === 3)).toBe(true);
      expect(snoop.stats()).toMatchObject({ kernelDrops: 0, holdsSkipped: 0, holdsExpired: 0, binariesRefused: 0 });

      // Bounded while it ran: a binary's state lasts its process plus a 1 s linger, whatever the total.
      const bound = 64;
      console.log(
        `bounded-state: ${binaryCount} binaries in ${elapsedMs} ms; peak ${JSON.stringify(peak)}; before ${JSON.stringify(before)}`,
      );
      expect(peak.ourLinks).toBeLessThanOrEqual(bound);
      // A probed binary holds two descriptors: the file probed through and the reader of its strings.
      expect(peak.openBinaries).toBeLessThanOrEqual(2 * bound);
      for (const total of [peak.links, peak.watched, peak.probeConfigs, peak.binaries])
        expect(total).toBeLessThanOrEqual(2 * bound);
      expect(peak.fds).toBeLessThanOrEqual(before.fds + 4 * bound);

      // And gone after the linger: no link or open file of any of them is left, and no map entry beyond the live binaries'.
      await recorder.until(() => linksUnder(dir) === 0 && filesOpenUnder(dir) === 0, 'the lingers', 10_000);
      const binaries = snoop.stats().binaries;
      expect(snoop.kernelEntries().probeConfigs).toBe(binaries);
      expect(snoop.kernelEntries().watched).toBeLessThanOrEqual(binaries);
      expect(binaries).toBeLessThan(bound);
      expect(stoppedDescendants()).toEqual([]);
    }, 600_000);
  },
);
