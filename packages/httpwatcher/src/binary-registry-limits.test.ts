import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeBinaryKey, encodeU32, encodeWatch } from './abi/encode-lifecycle.js';
import { type BinaryImages, BinaryRegistry, type BinaryRegistryLimits } from './binary-registry.js';
import { FakeTracer, fakeBinary, fakeFile, fakeProcessBinary } from './test-support/fake-tracer.js';
import { codeOf } from './test-support/snooper-results.js';

const spawnerPid = 4000;
const files = [1n, 2n, 3n].map((ino) => fakeBinary(ino));
const configs = files.map((identity, i) => fakeProcessBinary(100 + i, '5000', identity));
const readOnlyData = { vaddr: 0x6a0000, sizeBytes: 0x2000, fileOffset: 0x2a0000 };

class CountingImages implements BinaryImages {
  readonly open = new Set<number>();
  add(binaryId: number): boolean {
    this.open.add(binaryId);
    return true;
  }
  release(binaryId: number): void {
    this.open.delete(binaryId);
  }
}

function setup(limits: BinaryRegistryLimits, drain?: () => void) {
  const tracer = new FakeTracer({ maxBinaries: limits.maxBinaries });
  const images = new CountingImages();
  const registry = new BinaryRegistry(tracer, spawnerPid, false, limits, images, false, drain);
  const acquire = (i: number) => registry.acquire(fakeFile(files[i]!), { ...configs[i]!, readOnlyData }, `/fake/${i}`);
  /** Everything a probed binary holds, in the kernel and here. */
  const held = () => ({
    binaries: registry.size,
    links: tracer.linkCount(),
    probeConfigs: tracer.countElems('probe_configs'),
    watched: tracer.countElems('watched'),
    images: images.open.size,
  });
  return { tracer, registry, acquire, held };
}

describe('BinaryRegistry: the state of a binary attachAll() met goes after its last process', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('traces its execs from the start (a whole-binary rule), withdraws the rule allLingerMs after its last process, and lets link, layout and files go ruleGraceMs later', async () => {
    vi.useFakeTimers();
    const { tracer, registry, acquire, held } = setup({
      maxBinaries: 8,
      lingerMs: 0,
      ruleGraceMs: 100,
      allLingerMs: 500,
    });
    const binary = await acquire(0);
    binary.pids.add(100);
    registry.watch(binary, 'all');
    expect(tracer.maps.get('watched')!.get(encodeBinaryKey(files[0]!).toString('hex'))).toEqual(
      encodeWatch(binary.id, 0),
    );
    binary.pids.delete(100);
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(499);
    expect(held()).toEqual({ binaries: 1, links: 1, probeConfigs: 1, watched: 1, images: 1 });
    vi.advanceTimersByTime(1);
    expect(held()).toEqual({ binaries: 1, links: 1, probeConfigs: 1, watched: 0, images: 1 });
    vi.advanceTimersByTime(99);
    expect(held()).toEqual({ binaries: 1, links: 1, probeConfigs: 1, watched: 0, images: 1 });
    vi.advanceTimersByTime(1);
    expect(held()).toEqual({ binaries: 0, links: 0, probeConfigs: 0, watched: 0, images: 0 });
    expect((binary.file as { closed?: boolean }).closed).toBe(true);
    expect(tracer.maps.get('probe_configs')!.has(encodeU32(binary.id).toString('hex'))).toBe(false);
  });

  it('keeps it while an attachBinary watch holds it, whatever attachAll() thinks', async () => {
    vi.useFakeTimers();
    const { registry, acquire, held } = setup({ maxBinaries: 8, lingerMs: 0, ruleGraceMs: 100, allLingerMs: 10 });
    const binary = await acquire(0);
    registry.watch(binary, 'all');
    registry.watch(binary, 'whole');
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(1000);
    expect(held()).toMatchObject({ binaries: 1, links: 1, watched: 1 });
  });

  it('a process the kernel traced under the rule just before it was withdrawn keeps the probe, and the rule comes back', async () => {
    vi.useFakeTimers();
    let execRecordInRing = true;
    const { tracer, registry, acquire, held } = setup(
      { maxBinaries: 8, lingerMs: 0, ruleGraceMs: 100, allLingerMs: 500 },
      // The ring still holds its exec record: reading it adds the process.
      () => {
        if (execRecordInRing) binary.pids.add(102);
        execRecordInRing = false;
      },
    );
    const binary = await acquire(0);
    registry.watch(binary, 'all');
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(500);
    expect(held()).toMatchObject({ binaries: 1, links: 1, watched: 0 });
    vi.advanceTimersByTime(100);
    expect(held()).toEqual({ binaries: 1, links: 1, probeConfigs: 1, watched: 1, images: 1 });
    expect(tracer.maps.get('watched')!.get(encodeBinaryKey(files[0]!).toString('hex'))).toEqual(
      encodeWatch(binary.id, 0),
    );
    binary.pids.delete(102);
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(600);
    expect(held()).toEqual({ binaries: 0, links: 0, probeConfigs: 0, watched: 0, images: 0 });
  });

  it('an exec of it after the rule was withdrawn (an unknown binary again) gets the same probe and the rule back', async () => {
    vi.useFakeTimers();
    const { registry, acquire, held } = setup({ maxBinaries: 8, lingerMs: 0, ruleGraceMs: 100, allLingerMs: 500 });
    const binary = await acquire(0);
    registry.watch(binary, 'all');
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(550);
    expect(held()).toMatchObject({ binaries: 1, watched: 0 });
    expect(await acquire(0)).toBe(binary);
    binary.pids.add(103);
    vi.advanceTimersByTime(1000);
    expect(held()).toEqual({ binaries: 1, links: 1, probeConfigs: 1, watched: 1, images: 1 });
  });

  it('a new process of it during the linger keeps the same probe', async () => {
    vi.useFakeTimers();
    const { registry, acquire, held } = setup({ maxBinaries: 8, lingerMs: 0, ruleGraceMs: 100, allLingerMs: 500 });
    const binary = await acquire(0);
    registry.watch(binary, 'all');
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(400);
    expect(await acquire(0)).toBe(binary);
    binary.pids.add(101);
    vi.advanceTimersByTime(1000);
    expect(held()).toMatchObject({ binaries: 1, links: 1 });
  });
});

describe('BinaryRegistry: at most maxBinaries binaries', () => {
  it('refuses one more binary than maxBinaries in use with TOO_MANY_BINARIES, counted, leaving nothing behind', async () => {
    const { tracer, registry, acquire, held } = setup({
      maxBinaries: 2,
      lingerMs: 0,
      ruleGraceMs: 100,
      allLingerMs: 1000,
    });
    for (const i of [0, 1]) (await acquire(i)).pids.add(100 + i);
    const refused = acquire(2);
    expect(await codeOf(refused)).toBe('TOO_MANY_BINARIES');
    await expect(refused).rejects.toThrow('/fake/2: not traced, 2 binaries are traced already; raise maxBinaries');
    expect(registry.refused).toBe(1);
    expect(held()).toEqual({ binaries: 2, links: 2, probeConfigs: 2, watched: 0, images: 2 });
    expect(tracer.countElems('probe_configs')).toBeLessThanOrEqual(tracer.capacityOf('probe_configs'));
  });

  it('makes room by releasing the binary that has lingered longest, not one in use', async () => {
    vi.useFakeTimers();
    try {
      const { registry, acquire, held } = setup({ maxBinaries: 2, lingerMs: 0, ruleGraceMs: 100, allLingerMs: 60_000 });
      const [a, b] = [await acquire(0), await acquire(1)];
      registry.watch(a, 'all');
      registry.watch(b, 'all');
      registry.releaseIfUnused(a); // both linger, `a` first
      registry.releaseIfUnused(b);
      const c = await acquire(2);
      expect([registry.get(a.id), registry.get(b.id), registry.get(c.id)]).toEqual([undefined, b, c]);
      expect([held(), registry.refused]).toEqual([
        { binaries: 2, links: 2, probeConfigs: 2, watched: 1, images: 2 },
        0,
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts attaches in flight against the limit', async () => {
    const { tracer, acquire } = setup({ maxBinaries: 1, lingerMs: 0, ruleGraceMs: 100, allLingerMs: 0 });
    let finish!: () => void;
    tracer.attachGate = new Promise<void>((resolve) => (finish = resolve));
    const first = acquire(0);
    expect(await codeOf(acquire(1))).toBe('TOO_MANY_BINARIES');
    finish();
    await first;
    expect(tracer.linkCount()).toBe(1);
  });
});
