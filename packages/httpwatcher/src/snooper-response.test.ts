import { beforeEach, describe, expect, it } from 'vitest';
import { probeConfigFields, tracedLayout } from './abi/bpf-abi.js';
import type { ProcessBinaryResolver } from './resolve-process-binary.js';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';
import { requestRecord, responseRecord } from './test-support/ring-records.js';
import { codeOf, queuedEvents } from './test-support/snooper-results.js';

const returns = [
  { address: 0x401100, fileOffset: 0x1100 },
  { address: 0x401200, fileOffset: 0x1200 },
];

function probeConfigField(traced: Buffer, name: string): number {
  const [, offset, size] = probeConfigFields.find(([n]) => n === name)!;
  const at = tracedLayout.config + offset;
  return size === 1 ? traced.readUInt8(at) : traced.readUInt16LE(at);
}

describe('Snooper with response: true (fake native binding)', () => {
  let tracer: FakeTracer;
  let world: FakeProcesses;
  let withReturns: ProcessBinaryResolver;

  beforeEach(() => {
    tracer = new FakeTracer();
    world = new FakeProcesses();
    withReturns = async (pid, options) => ({
      ...(await world.resolve(pid, options)),
      response: { returns, gTlsOffset: undefined },
    });
    world.start(100, '5000');
  });

  it('attaches the entry and one client_do_return uprobe per return site under one cookie, and detaches them all', async () => {
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: withReturns,
      processes: world,
      response: true,
    });
    await snoop.attach(100);
    const links = [...tracer.links.values()];
    expect(links.map((l) => [l.program, l.fileOffset]).sort()).toEqual(
      [
        ['client_do', (await withReturns(100)).probe.fileOffset],
        ['client_do_return', 0x1100],
        ['client_do_return', 0x1200],
      ].sort(),
    );
    expect(new Set(links.map((l) => l.cookie)).size).toBe(1);
    const traced = [...tracer.maps.get('traced_procs')!.values()][0]!;
    expect([probeConfigField(traced, 'response'), probeConfigField(traced, 'resp_status_code')]).toEqual([1, 16]);
    const config = [...tracer.maps.get('probe_configs')!.values()][0]!;
    expect(config.readUInt8(probeConfigFields.find(([n]) => n === 'response')![1])).toBe(1);
    await snoop.detach(100);
    expect(tracer.linkCount()).toBe(0);
    await snoop.close();
  });

  it('emits a request when its call returns, with status and duration, and one that never returns when its process exits', async () => {
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: withReturns,
      processes: world,
      response: true,
    });
    await snoop.attach(100);
    tracer.push(requestRecord({ pid: 100, requestPtr: 0xc0001n, ktimeNs: 1_000n }));
    tracer.push(requestRecord({ pid: 100, requestPtr: 0xc0002n, ktimeNs: 2_000n }));
    tracer.push(responseRecord({ pid: 100, requestPtr: 0xc0002n, startNs: 2_000n, endNs: 9_000n, status: 404 }));
    snoop.flush();
    expect((await queuedEvents(snoop)).map((e) => [e.monotonicNs, e.status, e.error, e.durationNs])).toEqual([
      [2_000n, 404, false, 7_000],
    ]);
    tracer.exit(100);
    snoop.flush();
    expect((await queuedEvents(snoop)).map((e) => [e.monotonicNs, e.status, e.durationNs])).toEqual([
      [1_000n, undefined, undefined],
    ]);
    await snoop.close();
  });

  it('counts requests reported without awaiting their return (more than maxQueue in flight) and returns without a request', async () => {
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: withReturns,
      processes: world,
      response: true,
      maxQueue: 2,
    });
    await snoop.attach(100);
    for (let i = 1n; i <= 3n; i++)
      tracer.push(requestRecord({ pid: 100, requestPtr: 0xc0000n + i, ktimeNs: i * 1_000n }));
    tracer.push(responseRecord({ pid: 100, requestPtr: 0xc0009n, startNs: 9_000n, endNs: 9_500n, status: 200 }));
    tracer.push(responseRecord({ pid: 100, requestPtr: 0xc0003n, startNs: 3_000n, endNs: 3_500n, status: 200 }));
    snoop.flush();
    expect(snoop.stats()).toMatchObject({ responsesNotAwaited: 1, responsesUnmatched: 1 });
    expect((await queuedEvents(snoop)).map((e) => [e.monotonicNs, e.status])).toEqual([
      [1_000n, undefined],
      [3_000n, 200],
    ]);
    await snoop.close();
  });

  it('refuses a binary without usable return sites with RESPONSE_UNSUPPORTED and leaves nothing behind', async () => {
    const unavailable: ProcessBinaryResolver = async (pid, options) => ({
      ...(await world.resolve(pid, options)),
      response: { unavailable: 'no RET found' },
    });
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: unavailable,
      processes: world,
      response: true,
    });
    expect(await codeOf(snoop.attach(100))).toBe('RESPONSE_UNSUPPORTED');
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    await snoop.close();
  });

  it('without the option, attaches the entry only and emits requests as they start', async () => {
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: withReturns,
      processes: world,
    });
    await snoop.attach(100);
    expect([...tracer.links.values()].map((l) => l.program)).toEqual(['client_do']);
    expect(probeConfigField([...tracer.maps.get('traced_procs')!.values()][0]!, 'response')).toBe(0);
    tracer.push(requestRecord({ pid: 100, requestPtr: 0xc0001n, ktimeNs: 1_000n }));
    snoop.flush();
    expect((await queuedEvents(snoop)).map((e) => [e.monotonicNs, e.durationNs])).toEqual([[1_000n, undefined]]);
    await snoop.close();
  });
});
