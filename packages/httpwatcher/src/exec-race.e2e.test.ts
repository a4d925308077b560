import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoBinary } from '@httpwatcher/go-elf';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { inCi, runBpfTests } from '@httpwatcher/test-support/gates';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBinary } from './resolve-process-binary.js';
import { Snooper } from './snooper.js';
import { inodeOfLink, ourLinks } from './test-support/kernel-uprobe-links.js';
import { killAll } from './test-support/lifecycle-fixtures.js';

const client = (go: string): string | undefined =>
  builtFixtures((f) => f.program === 'client' && f.go === go && f.variant === 'default')[0]?.absolutePath;
// Two Go versions: their probes sit at different offsets, so a probe put into the wrong file shows.
const [first, second] = [client('1.24'), client('1.15')];
const runForMs = 6_000;

/** The probe offset an independent analysis of the file at `path` gives. */
async function probeOffsetOf(path: string): Promise<number> {
  await using binary = await GoBinary.open(path);
  return (await resolveBinary(binary)).probe.fileOffset;
}

// A shell that keeps turning into one Go program, then the other: each round a new sh that execs
// the binary, so a process found (or reported at exec) as sh may be the Go program an instant later.
const wrapper = `
i=0
while [ ! -e "$STOP" ]; do
  if [ $((i % 2)) -eq 0 ]; then b="$A"; else b="$B"; fi
  sh -c 'exec "$0" -scenario demo >/dev/null' "$b"
  i=$((i + 1))
done
`;

describe.runIf(runBpfTests && ((first !== undefined && second !== undefined) || inCi))(
  'a uprobe never lands in the wrong file: a wrapper exec-ing between two binaries under attachAll()',
  () => {
    const children = new Set<ChildProcess>();
    let snoop: Snooper | undefined;
    let dir: string | undefined;

    afterEach(async () => {
      await snoop?.close();
      killAll(children);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('every uprobe link the kernel holds names an inode and an offset that inode own analysis gives', async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-exec-race-'));
      ourLinks(); // the lister is compiled before tracing starts
      const expected = new Map<string, number>();
      for (const path of [first!, second!]) {
        const s = statSync(path, { bigint: true });
        expected.set(`${s.dev}:${s.ino}`, await probeOffsetOf(path));
      }
      expect(new Set(expected.values()).size).toBe(2);
      snoop = await Snooper.init();
      await snoop.attachAll();
      const stop = join(dir, 'stop');
      const child = spawn('sh', ['-c', wrapper], {
        env: { ...process.env, A: first!, B: second!, STOP: stop },
        stdio: 'ignore',
      });
      children.add(child);
      const checked = new Map<string, number>();
      const wrong: unknown[] = [];
      const deadline = Date.now() + runForMs;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        for (const link of ourLinks()) {
          const inode = inodeOfLink(link); // through our descriptor the probe was attached through
          if (!inode) continue; // released meanwhile
          const key = `${inode.dev}:${inode.ino}`;
          const offset = expected.get(key);
          if (offset === undefined) continue; // another Go program on the machine, not this test's
          checked.set(key, (checked.get(key) ?? 0) + 1);
          if (link.offset !== offset) wrong.push({ link, expectedOffset: offset });
        }
      }
      writeFileSync(stop, '');
      await new Promise((r) => child.once('close', r));
      expect(wrong).toEqual([]);
      // Both binaries were probed while the wrapper ran, and their links were checked.
      expect([...checked.keys()].sort()).toEqual([...expected.keys()].sort());
    });
  },
);
