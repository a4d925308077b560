import { mkdtempSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UprobeProgram } from '@httpwatcher/bpf-native';
import { GoBinary } from '@httpwatcher/go-elf';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { inCi } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { openBinaryFile } from './binary-file.js';
import { kernelDev, readBinaryIdentity } from './binary-identity.js';
import { BinaryRegistry, defaultRegistryLimits } from './binary-registry.js';
import { resolveBinary, ProbeConfigCache } from './resolve-process-binary.js';
import { FakeTracer } from './test-support/fake-tracer.js';

const client = (go: string): Fixture | undefined =>
  builtFixtures((f) => f.program === 'client' && f.go === go && f.variant === 'default')[0];
const [one, two] = [client('1.24'), client('1.15')];

/** The probe offset a fresh, independent analysis of `path` gives. */
async function probeOffsetOf(path: string): Promise<number> {
  await using binary = await GoBinary.open(path);
  return (await resolveBinary(binary)).probe.fileOffset;
}

/** A FakeTracer that records which inode each attach path named at the moment of the attach. */
class InodeRecordingTracer extends FakeTracer {
  readonly attached: Array<{ dev: bigint; ino: bigint; fileOffset: number }> = [];
  override attachUprobe(path: string, fileOffset: number, pid: number, cookie = 0, program?: UprobeProgram) {
    const s = statSync(path, { bigint: true });
    this.attached.push({ dev: kernelDev(s.dev), ino: s.ino, fileOffset });
    return super.attachUprobe(path, fileOffset, pid, cookie, program);
  }
}

describe.runIf((one !== undefined && two !== undefined) || inCi)('one open file from analysis to attach', () => {
  it('identifies the file it opened: fstat of the descriptor, which keeps naming it after the path moves on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-open-'));
    const link = join(dir, 'server');
    symlinkSync(one!.absolutePath, link);
    const file = await openBinaryFile(link);
    try {
      expect(file.identity).toEqual(await readBinaryIdentity(one!.absolutePath));
      symlinkSync(two!.absolutePath, join(dir, 'next'));
      renameSync(join(dir, 'next'), link); // the path now names the other binary
      expect(await readBinaryIdentity(file.attachPath)).toEqual(await readBinaryIdentity(one!.absolutePath));
      expect((await file.read(0, 4)).toString('latin1')).toBe('\x7fELF');
    } finally {
      await file.close();
    }
  });

  it('attaches the offset analysed to the inode analysed, even when the path is swapped before the attach', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-swap-'));
    const link = join(dir, 'server');
    symlinkSync(one!.absolutePath, link);
    const tracer = new InodeRecordingTracer();
    const registry = new BinaryRegistry(tracer, process.pid, true, { ...defaultRegistryLimits, lingerMs: 0 });
    const cache = new ProbeConfigCache();
    const resolved = await cache.forFile(link);
    // A wrapper exec'd another program, or someone replaced the symlink: the path now names `two`.
    symlinkSync(two!.absolutePath, join(dir, 'next'));
    renameSync(join(dir, 'next'), link);
    try {
      await registry.acquire(resolved.file, resolved.probeConfig, link);
    } finally {
      await resolved.file.close();
    }
    const first = await readBinaryIdentity(one!.absolutePath);
    const firstProbe = await probeOffsetOf(one!.absolutePath);
    expect(tracer.attached.length).toBeGreaterThan(1); // the return sites and the entry
    for (const site of tracer.attached) expect([site.dev, site.ino]).toEqual([first.dev, first.ino]);
    expect(tracer.attached.at(-1)!.fileOffset).toBe(firstProbe);
    // The next resolution through the swapped path analyses the file it now names, under that file's identity.
    const next = await cache.forFile(link);
    try {
      expect(next.file.identity).toEqual(await readBinaryIdentity(two!.absolutePath));
      expect(next.probeConfig.probe.fileOffset).toBe(await probeOffsetOf(two!.absolutePath));
      expect(next.probeConfig.probe.fileOffset).not.toBe(firstProbe);
    } finally {
      await next.file.close();
    }
  });
});
