import type { ReadOnlyData } from '@httpwatcher/go-elf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { probeConfigFields } from './abi/bpf-abi.js';
import { encodeBinaryKey, encodeU32, encodeWatch } from './abi/encode-lifecycle.js';
import { encodeProbeConfig } from './abi/encode-probe-config.js';
import { type BinaryImages, BinaryRegistry, defaultRegistryLimits } from './binary-registry.js';
import type { ProbeConfig } from './resolve-process-binary.js';
import { FakeTracer, fakeBinary, fakeFile, fakeProcessBinary } from './test-support/fake-tracer.js';
import { codeOf } from './test-support/snooper-results.js';

const spawnerPid = 4000;
const binary1 = fakeBinary(1n);
const binary2 = fakeBinary(2n);
const probeConfig1 = fakeProcessBinary(100, '5000', binary1);
const probeConfig2 = fakeProcessBinary(200, '6000', binary2);
const readOnlyData: ReadOnlyData = { vaddr: 0x6a0000, sizeBytes: 0x2000, fileOffset: 0x2a0000 };
const returns = [
  { address: 0x401100, fileOffset: 0x1100 },
  { address: 0x401200, fileOffset: 0x1200 },
];

/** Files opened for strings sent as offsets, as ImageTexts would open them. */
class RecordingImages implements BinaryImages {
  readonly open = new Map<number, string>();
  readonly released: number[] = [];
  canOpen = true;
  add(binaryId: number, path: string): boolean {
    if (!this.canOpen) return false;
    this.open.set(binaryId, path);
    return true;
  }
  release(binaryId: number): void {
    this.open.delete(binaryId);
    this.released.push(binaryId);
  }
}

const hex = (b: Buffer): string => b.toString('hex');

function configOf(tracer: FakeTracer, id: number): Buffer | undefined {
  return tracer.maps.get('probe_configs')!.get(hex(encodeU32(id)));
}

function ruleOf(tracer: FakeTracer, probeConfig: ProbeConfig & { binary: typeof binary1 }): Buffer | undefined {
  return tracer.maps.get('watched')!.get(hex(encodeBinaryKey(probeConfig.binary)));
}

function probeConfigField(config: Buffer, name: string): number {
  const [, offset, size] = probeConfigFields.find(([n]) => n === name)!;
  return size === 8 ? Number(config.readBigUInt64LE(offset)) : config.readUInt8(offset);
}

describe('BinaryRegistry', () => {
  let tracer: FakeTracer;
  let images: RecordingImages;
  let registry: BinaryRegistry;

  beforeEach(() => {
    tracer = new FakeTracer();
    images = new RecordingImages();
    registry = new BinaryRegistry(tracer, spawnerPid, false, { ...defaultRegistryLimits, lingerMs: 0 }, images);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('attaches one uprobe per binary at its probe offset, the binary id as cookie, with its layout under that id', async () => {
    const a = await registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    const again = await registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    const b = await registry.acquire(fakeFile(binary2), probeConfig2, '/fake/2');
    expect(again).toBe(a);
    expect([a.id, b.id, registry.size]).toEqual([1, 2, 2]);
    expect([...tracer.links.values()]).toEqual([
      { path: '/proc/4000/fd/101', fileOffset: 0x1001, pid: -1, cookie: 1, program: 'client_do' },
      { path: '/proc/4000/fd/102', fileOffset: 0x1002, pid: -1, cookie: 2, program: 'client_do' },
    ]);
    expect(configOf(tracer, 1)).toEqual(encodeProbeConfig(probeConfig1.layout, 0));
    expect([registry.get(2), registry.find(binary2, 0x1002), registry.find(binary2, 0x1003)]).toEqual([
      b,
      b,
      undefined,
    ]);
    expect(registry.all()).toEqual([a, b]);
  });

  it('shares one attach between concurrent acquires of a binary', async () => {
    let finish!: () => void;
    tracer.attachGate = new Promise<void>((resolve) => (finish = resolve));
    const first = registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    const second = registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    finish();
    expect(await second).toBe(await first);
    expect(tracer.linkCount()).toBe(1);
  });

  it('leaves no layout, link or open file behind when the kernel refuses the uprobe, and tries afresh next time', async () => {
    const probeConfig = { ...probeConfig1, readOnlyData };
    tracer.failNextAttach = Object.assign(new Error('attaching a uprobe failed'), { code: 'EINVAL' });
    await expect(registry.acquire(fakeFile(binary1), probeConfig, '/fake/1')).rejects.toThrow(
      'attaching a uprobe failed',
    );
    expect([tracer.countElems('probe_configs'), tracer.linkCount(), registry.size, images.released]).toEqual([
      0,
      0,
      0,
      [1],
    ]);
    const binary = await registry.acquire(fakeFile(binary1), probeConfig, '/fake/1');
    expect([binary.id, tracer.linkCount()]).toEqual([2, 1]);
  });

  it('writes the exec rule: every process for a whole-binary watch, only our children for spawn, none once unwatched', async () => {
    const binary = await registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    registry.watch(binary, 'spawn');
    expect(ruleOf(tracer, probeConfig1)).toEqual(encodeWatch(binary.id, spawnerPid));
    registry.watch(binary, 'whole');
    expect(ruleOf(tracer, probeConfig1)).toEqual(encodeWatch(binary.id, 0));
    registry.unwatch(binary, 'whole');
    expect(ruleOf(tracer, probeConfig1)).toEqual(encodeWatch(binary.id, spawnerPid));
    registry.unwatch(binary, 'spawn');
    expect(ruleOf(tracer, probeConfig1)).toBeUndefined();
    expect([registry.size, tracer.linkCount(), tracer.countElems('probe_configs')]).toEqual([0, 0, 0]);
  });

  it('keeps a probe while it has processes or watchers, then detaches it, drops its layout and closes its file', async () => {
    const binary = await registry.acquire(fakeFile(binary1), { ...probeConfig1, readOnlyData }, '/fake/1');
    binary.pids.add(100);
    registry.releaseIfUnused(binary);
    expect([registry.size, tracer.linkCount()]).toEqual([1, 1]);
    binary.pids.delete(100);
    registry.watch(binary, 'whole');
    registry.releaseIfUnused(binary);
    expect([registry.size, tracer.linkCount()]).toEqual([1, 1]);
    registry.unwatch(binary, 'whole');
    expect([registry.size, tracer.linkCount(), tracer.countElems('probe_configs'), images.released]).toEqual([
      0,
      0,
      0,
      [1],
    ]);
    expect(registry.get(binary.id)).toBeUndefined();
  });

  it('with lingerMs, keeps an unused probe that long, and hands it out again if wanted meanwhile', async () => {
    vi.useFakeTimers();
    registry = new BinaryRegistry(tracer, spawnerPid, false, { ...defaultRegistryLimits, lingerMs: 1000 }, images);
    const binary = await registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(999);
    expect(await registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1')).toBe(binary);
    vi.advanceTimersByTime(5000); // the reuse cancelled the release
    expect(tracer.linkCount()).toBe(1);
    registry.releaseIfUnused(binary);
    vi.advanceTimersByTime(1000);
    expect([registry.size, tracer.linkCount()]).toEqual([0, 0]);
  });

  it('clear() forgets every probe without touching the closed tracer, and cancels lingering releases', async () => {
    vi.useFakeTimers();
    registry = new BinaryRegistry(tracer, spawnerPid, false, { ...defaultRegistryLimits, lingerMs: 1000 }, images);
    const binary = await registry.acquire(fakeFile(binary1), probeConfig1, '/fake/1');
    registry.releaseIfUnused(binary);
    tracer.close();
    registry.clear();
    vi.advanceTimersByTime(1000); // a release now would throw on the closed tracer
    expect([registry.size, registry.get(binary.id)]).toEqual([0, undefined]);
  });

  it('opens the file of a binary whose strings can go as offsets, through the descriptor it was analysed and attached through', async () => {
    const binary = await registry.acquire(fakeFile(binary1), { ...probeConfig1, readOnlyData }, '/fake/1');
    expect(images.open).toEqual(new Map([[binary.id, '/proc/4000/fd/101']]));
    expect(binary.readOnlyData).toEqual(readOnlyData);
    const config = configOf(tracer, binary.id)!;
    expect([probeConfigField(config, 'ro_lo'), probeConfigField(config, 'ro_hi')]).toEqual([0x6a0000, 0x6a2000]);
  });

  it('sends strings as bytes when the file cannot be opened', async () => {
    images.canOpen = false;
    const binary = await registry.acquire(fakeFile(binary1), { ...probeConfig1, readOnlyData }, '/fake/1');
    expect(binary.readOnlyData).toBeUndefined();
    expect(probeConfigField(configOf(tracer, binary.id)!, 'ro_lo')).toBe(0);
  });

  it('gives a PIE traced from its exec its link-time code start, and no range without one', async () => {
    const pie = { ...probeConfig1, readOnlyData, pie: true, executableStart: 0x1000 };
    const withStart = await registry.acquire(fakeFile(binary1), pie, '/fake/1');
    const config = configOf(tracer, withStart.id)!;
    expect(['ro_lo', 'ro_pie', 'executable_start'].map((f) => probeConfigField(config, f))).toEqual([
      0x6a0000, 1, 0x1000,
    ]);
    const noStart = { ...probeConfig2, readOnlyData, pie: true };
    const without = await registry.acquire(fakeFile(binary2), noStart, '/fake/2');
    expect(without.readOnlyData).toEqual(readOnlyData); // attach() still maps it for running processes
    expect(['ro_lo', 'ro_pie'].map((f) => probeConfigField(configOf(tracer, without.id)!, f))).toEqual([0, 0]);
  });
});

describe('BinaryRegistry in response mode', () => {
  it('attaches every return site with client_do_return under the binary id, and the entry last', async () => {
    const tracer = new FakeTracer();
    const registry = new BinaryRegistry(tracer, spawnerPid, true, { ...defaultRegistryLimits, lingerMs: 0 });
    const binary = await registry.acquire(
      fakeFile(binary1),
      { ...probeConfig1, response: { returns, gTlsOffset: undefined } },
      '/fake/1',
    );
    expect([...tracer.links.entries()].map(([id, l]) => [id, l.program, l.fileOffset, l.cookie])).toEqual([
      [1, 'client_do_return', 0x1100, 1],
      [2, 'client_do_return', 0x1200, 1],
      [3, 'client_do', 0x1001, 1],
    ]);
    expect([binary.linkId, binary.returnLinkIds, binary.response]).toEqual([
      3,
      [1, 2],
      { returns, gTlsOffset: undefined },
    ]);
    expect(probeConfigField(configOf(tracer, binary.id)!, 'response')).toBe(1);
    registry.releaseIfUnused(binary);
    expect(tracer.linkCount()).toBe(0);
  });

  it('refuses a binary without usable return sites with RESPONSE_UNSUPPORTED, naming why, and leaves nothing', async () => {
    const tracer = new FakeTracer();
    const registry = new BinaryRegistry(tracer, spawnerPid, true, { ...defaultRegistryLimits, lingerMs: 0 });
    const unavailable = { ...probeConfig1, response: { unavailable: 'no RET found' } };
    const refused = registry.acquire(fakeFile(binary1), unavailable, '/fake/1');
    expect(await codeOf(refused)).toBe('RESPONSE_UNSUPPORTED');
    await expect(refused).rejects.toThrow('/fake/1: responses cannot be traced: no RET found');
    expect([tracer.linkCount(), tracer.countElems('probe_configs'), registry.size]).toEqual([0, 0, 0]);
  });

  it('undoes the return probes already attached when one of them fails', async () => {
    const tracer = new FakeTracer();
    const images = new RecordingImages();
    const registry = new BinaryRegistry(tracer, spawnerPid, true, { ...defaultRegistryLimits, lingerMs: 0 }, images);
    tracer.failNextAttach = Object.assign(new Error('attaching a uprobe failed'), { code: 'EINVAL' });
    const probeConfig = { ...probeConfig1, readOnlyData, response: { returns, gTlsOffset: undefined } };
    await expect(registry.acquire(fakeFile(binary1), probeConfig, '/fake/1')).rejects.toThrow(
      'attaching a uprobe failed',
    );
    expect([tracer.linkCount(), tracer.countElems('probe_configs'), registry.size, images.released]).toEqual([
      0,
      0,
      0,
      [1],
    ]);
  });
});

describe('BinaryRegistry refuses a probe that is not at an instruction start', () => {
  /** One-byte nops, but for xor %eax,%eax (31 c0) at file offset 0x100a: 0x100b starts no instruction. */
  const xorAt = new Map([
    [0x100a, 0x31],
    [0x100b, 0xc0],
  ]);
  const code = (offset: number) => xorAt.get(offset) ?? 0x90;
  const at = (fileOffset: number) => ({ address: 0x400000 + fileOffset, fileOffset });

  it('rejects with PROBE_NOT_AT_INSTRUCTION and leaves no link, layout or open image', async () => {
    const tracer = new FakeTracer();
    const images = new RecordingImages();
    const registry = new BinaryRegistry(tracer, spawnerPid, false, { ...defaultRegistryLimits, lingerMs: 0 }, images);
    const inside = { ...probeConfig1, readOnlyData, probe: { ...at(0x100b), afterStackCheck: true } };
    const refused = registry.acquire(fakeFile(binary1, code), inside, '/fake/1');
    expect(await codeOf(refused)).toBe('PROBE_NOT_AT_INSTRUCTION');
    await expect(refused).rejects.toThrow('file offsets 0x100b are not instruction starts');
    expect([tracer.links.size, tracer.maps.get('probe_configs')?.size ?? 0, images.open.size, registry.size]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('checks every return site too, before attaching any of them', async () => {
    const tracer = new FakeTracer();
    const registry = new BinaryRegistry(tracer, spawnerPid, true, { ...defaultRegistryLimits, lingerMs: 0 });
    const entry = { ...probeConfig1, probe: { ...at(0x1005), afterStackCheck: true } };
    const midReturn = { ...entry, response: { returns: [at(0x100a), at(0x100b)], gTlsOffset: undefined } };
    expect(await codeOf(registry.acquire(fakeFile(binary1, code), midReturn, '/fake/1'))).toBe(
      'PROBE_NOT_AT_INSTRUCTION',
    );
    expect(tracer.links.size).toBe(0);
    const aligned = { ...entry, response: { returns: [at(0x100a), at(0x100c)], gTlsOffset: undefined } };
    await registry.acquire(fakeFile(binary1, code), aligned, '/fake/1');
    expect([...tracer.links.values()].map((l) => l.fileOffset)).toEqual([0x100a, 0x100c, 0x1005]);
  });

  it('refuses a probed function that does not lie inside the file', async () => {
    const tracer = new FakeTracer();
    const registry = new BinaryRegistry(tracer, spawnerPid, false, { ...defaultRegistryLimits, lingerMs: 0 });
    const outside = { ...probeConfig1, probeFunction: { ...probeConfig1.probeFunction, fileOffset: 0xfff0 } };
    expect(await codeOf(registry.acquire(fakeFile(binary1), outside, '/fake/1'))).toBe('PROBE_NOT_AT_INSTRUCTION');
    expect(tracer.links.size).toBe(0);
  });
});
