import { describe, expect, it } from 'vitest';
import { encodeProbeSite } from './abi/encode-lifecycle.js';
import { BinaryRegistry, defaultRegistryLimits } from './binary-registry.js';
import { FakeTracer, fakeBinary, fakeFile, fakeProcessBinary } from './test-support/fake-tracer.js';
import { codeOf } from './test-support/snooper-results.js';

const binary1 = fakeBinary(1n);
const executableStart = 0x400000;
const probeConfig = { ...fakeProcessBinary(100, '5000', binary1), executableStart };
const returns = [
  { address: 0x401100, fileOffset: 0x1100 },
  { address: 0x401200, fileOffset: 0x1200 },
];
const withResponse = { ...probeConfig, response: { returns, gTlsOffset: undefined } };

const sitesOf = (tracer: FakeTracer): string[] => [...tracer.maps.get('probe_sites')!.keys()].sort();
const keys = (id: number, ...offsets: number[]): string[] =>
  offsets.map((o) => encodeProbeSite(id, o).toString('hex')).sort();

function compatRegistry(tracer: FakeTracer): BinaryRegistry {
  const limits = { ...defaultRegistryLimits, lingerMs: 0 };
  return new BinaryRegistry(tracer, 4000, true, limits, undefined, false, undefined, 'compat');
}

describe('BinaryRegistry with the compat BPF build (no cookies: probe_sites)', () => {
  it('writes every site as an offset from the executable start, attaches with cookie 0, and deletes them on release', async () => {
    const tracer = new FakeTracer();
    const registry = compatRegistry(tracer);
    const binary = await registry.acquire(fakeFile(binary1), withResponse, '/fake/1');
    expect(sitesOf(tracer)).toEqual(keys(binary.id, 0x1001, 0x1100, 0x1200));
    expect([...tracer.maps.get('probe_sites')!.values()].map((v) => [...v])).toEqual([[1], [1], [1]]);
    expect([...tracer.links.values()].map((l) => [l.program, l.cookie])).toEqual([
      ['client_do_return', 0],
      ['client_do_return', 0],
      ['client_do', 0],
    ]);
    registry.releaseIfUnused(binary);
    expect([sitesOf(tracer), tracer.linkCount()]).toEqual([[], 0]);
  });

  it('undoes the sites when an attach fails', async () => {
    const tracer = new FakeTracer();
    tracer.failNextAttach = Object.assign(new Error('attaching a uprobe failed'), { code: 'EINVAL' });
    await expect(compatRegistry(tracer).acquire(fakeFile(binary1), withResponse, '/fake/1')).rejects.toThrow(
      'attaching a uprobe failed',
    );
    expect([sitesOf(tracer), tracer.linkCount(), tracer.countElems('probe_configs')]).toEqual([[], 0, 0]);
  });

  it('refuses more sites than a binary may have, and a binary without an executable start, leaving nothing', async () => {
    const tracer = new FakeTracer();
    const many = Array.from({ length: 64 }, (_, i) => ({ address: 0x401100 + i, fileOffset: 0x1100 + i }));
    const tooMany = compatRegistry(tracer).acquire(
      fakeFile(binary1),
      { ...probeConfig, response: { returns: many, gTlsOffset: undefined } },
      '/fake/1',
    );
    expect(await codeOf(tooMany)).toBe('ATTACH_FAILED');
    await expect(tooMany).rejects.toThrow('/fake/1: 65 probe sites, more than the 64 per binary');
    const noStart = compatRegistry(tracer).acquire(
      fakeFile(binary1),
      { ...withResponse, executableStart: undefined },
      '/fake/1',
    );
    expect(await codeOf(noStart)).toBe('INVALID_BINARY');
    expect([sitesOf(tracer), tracer.linkCount(), tracer.countElems('probe_configs')]).toEqual([[], 0, 0]);
  });

  it('writes no sites and passes the binary id as cookie in the default build', async () => {
    const tracer = new FakeTracer();
    const registry = new BinaryRegistry(tracer, 4000, true, { ...defaultRegistryLimits, lingerMs: 0 });
    const binary = await registry.acquire(fakeFile(binary1), withResponse, '/fake/1');
    expect(sitesOf(tracer)).toEqual([]);
    expect([...tracer.links.values()].every((l) => l.cookie === binary.id)).toBe(true);
  });
});
