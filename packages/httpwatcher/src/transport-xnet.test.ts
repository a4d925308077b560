import { resolveLayout } from '@httpwatcher/go-offsets';
import { afterEach, describe, expect, it } from 'vitest';
import { probeConfigFields, tracedLayout } from './abi/bpf-abi.js';
import type { ProbeConfig, ProcessBinaryResolver } from './resolve-process-binary.js';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';

const doReturns = [{ address: 0x401100, fileOffset: 0x1100 }];
const roundTrip = {
  probe: { address: 0x402010, fileOffset: 0x2010 },
  function: { address: 0x402000, fileOffset: 0x2000, sizeBytes: 0x400 },
  response: { returns: [{ address: 0x402100, fileOffset: 0x2100 }], gTlsOffset: undefined },
};
const xNet = {
  name: 'golang.org/x/net/http2.(*Transport).RoundTripOpt',
  probe: { address: 0x403010, fileOffset: 0x3010 },
  function: { address: 0x403000, fileOffset: 0x3000, sizeBytes: 0x300 },
  response: {
    returns: [
      { address: 0x403200, fileOffset: 0x3200 },
      { address: 0x403280, fileOffset: 0x3280 },
    ],
    gTlsOffset: -8,
  },
};
const configOffset = (name: string) => probeConfigFields.find(([n]) => n === name)![1];

describe('Snooper with the transport probe on a binary with golang.org/x/net/http2 (fake native binding)', () => {
  let snoop: Snooper | undefined;
  afterEach(async () => {
    await snoop?.close();
  });

  async function attached(response: boolean, override: Partial<ProbeConfig> = {}) {
    const tracer = new FakeTracer();
    const world = new FakeProcesses();
    const resolve: ProcessBinaryResolver = async (pid, options) => ({
      ...(await world.resolve(pid, options)),
      response: { returns: doReturns, gTlsOffset: undefined },
      transport: roundTrip,
      xNetTransport: xNet,
      ...override,
    });
    world.start(100, '5000');
    snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: resolve,
      processes: world,
      transport: true,
      response,
    });
    await snoop.attach(100);
    const programs = [...tracer.links.values()].map((l) => [l.program ?? 'client_do', l.fileOffset]);
    const traced = [...tracer.maps.get('traced_procs')!.values()][0]!;
    const nest = ['nest_lo', 'nest_hi'].map((f) =>
      Number(traced.readBigInt64LE(tracedLayout.config + configOffset(f))),
    );
    return { programs, nest };
  }

  it('probes x/net after its stack check with h2_round_trip, and gives the BPF side roundTrip around it', async () => {
    const { programs, nest } = await attached(false);
    expect(programs).toContainEqual(['h2_round_trip', 0x3010]);
    expect(programs.filter(([p]) => p === 'h2_round_trip')).toHaveLength(1);
    // roundTrip's code (0x402000, 0x402400] relative to the probed instruction 0x403010
    expect(nest).toEqual([0x402000 - 0x403010, 0x402400 - 0x403010]);
  });

  it("with responses under the register ABI, x/net's returns take roundTrip's return program", async () => {
    const { programs } = await attached(true);
    expect(programs.filter(([, off]) => off === 0x3200 || off === 0x3280)).toEqual([
      ['transport_round_trip_return', 0x3200],
      ['transport_round_trip_return', 0x3280],
    ]);
    expect(programs).toContainEqual(['h2_round_trip', 0x3010]);
  });

  it('with responses under the stack ABI (its results lie elsewhere there), leaves x/net to Client.do', async () => {
    const go115 = resolveLayout({ goVersion: 'go1.15.15', arch: 'amd64' }).layout;
    const { programs, nest } = await attached(true, {
      layout: go115,
      response: { returns: doReturns, gTlsOffset: -8 },
      transport: { ...roundTrip, response: { ...roundTrip.response, gTlsOffset: -8 } },
    });
    expect(programs.map(([p]) => p)).not.toContain('h2_round_trip');
    expect(programs.map(([, off]) => off)).not.toContain(0x3200);
    expect(nest).toEqual([0, 0]);
  });

  it('without the x/net transport in the binary, writes no range (the BPF check is off)', async () => {
    const { programs, nest } = await attached(false, { xNetTransport: { unavailable: 'absent' } });
    expect(programs.map(([p]) => p)).not.toContain('h2_round_trip');
    expect(nest).toEqual([0, 0]);
  });
});
