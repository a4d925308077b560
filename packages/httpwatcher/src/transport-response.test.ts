import { beforeEach, describe, expect, it } from 'vitest';
import { ResponseFlag } from './abi/bpf-abi.js';
import type { ProcessBinaryResolver } from './resolve-process-binary.js';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';
import { callEndRecord, requestRecord, responseRecord } from './test-support/ring-records.js';
import { queuedEvents } from './test-support/snooper-results.js';

const doReturns = [
  { address: 0x401100, fileOffset: 0x1100 },
  { address: 0x401200, fileOffset: 0x1200 },
];
const roundTripReturns = [
  { address: 0x402100, fileOffset: 0x2100 },
  { address: 0x402180, fileOffset: 0x2180 },
  { address: 0x402300, fileOffset: 0x2300 },
];
const roundTrip = {
  probe: { address: 0x402010, fileOffset: 0x2010 },
  function: { address: 0x402000, fileOffset: 0x2000, sizeBytes: 0x400 },
};

const G1 = 0xc000001000n;
const G2 = 0xc000002000n;

describe('Snooper with transport and response (fake native binding and ring records)', () => {
  let tracer: FakeTracer;
  let world: FakeProcesses;
  let resolve: ProcessBinaryResolver;
  let snoop: Snooper;

  const url = (path: string) => ({ scheme: 'http', host: 'origin', path });
  const request = (via: 'client' | 'transport', g: bigint, ptr: bigint, at: bigint, path: string) =>
    tracer.push(requestRecord({ pid: 100, via, g, requestPtr: ptr, ktimeNs: at, strings: url(path) }));
  const response = (via: 'client' | 'transport', ptr: bigint, start: bigint, end: bigint, status: number, flags = 0) =>
    tracer.push(responseRecord({ pid: 100, via, requestPtr: ptr, startNs: start, endNs: end, status, flags }));
  const events = async () =>
    (await queuedEvents(snoop)).map((e) => [new URL(e.url).pathname, e.via, e.hop, e.status, e.error, e.durationNs]);

  beforeEach(async () => {
    tracer = new FakeTracer();
    world = new FakeProcesses();
    resolve = async (pid, options) => ({
      ...(await world.resolve(pid, options)),
      response: { returns: doReturns, gTlsOffset: undefined },
      transport: { ...roundTrip, response: { returns: roundTripReturns, gTlsOffset: undefined } },
    });
    world.start(100, '5000');
    snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: resolve,
      processes: world,
      transport: true,
      response: true,
    });
    await snoop.attach(100);
  });

  it('attaches both entries and every return of Client.do and of roundTrip, each with its own program', async () => {
    expect([...tracer.links.values()].map((l) => [l.program, l.fileOffset]).sort()).toEqual(
      [
        ['client_do', (await resolve(100)).probe.fileOffset],
        ['client_do_return', 0x1100],
        ['client_do_return', 0x1200],
        ['transport_round_trip', 0x2010],
        ['transport_round_trip_return', 0x2100],
        ['transport_round_trip_return', 0x2180],
        ['transport_round_trip_return', 0x2300],
      ].sort(),
    );
    await snoop.close();
  });

  it("gives each redirect hop its own roundTrip's status and duration, and drops the Client.do return the hops answered", async () => {
    request('client', G1, 0xa0n, 1_000n, '/redirect/2');
    request('transport', G1, 0xa0n, 1_100n, '/redirect/2');
    response('transport', 0xa0n, 1_100n, 1_400n, 302);
    request('transport', G1, 0xb0n, 1_500n, '/redirect/1');
    response('transport', 0xb0n, 1_500n, 1_900n, 302);
    request('transport', G1, 0xc0n, 2_000n, '/redirect/0');
    response('transport', 0xc0n, 2_000n, 2_600n, 200);
    tracer.push(callEndRecord({ pid: 100, g: G1 }));
    response('client', 0xa0n, 1_000n, 2_700n, 200);
    snoop.flush();
    expect(await events()).toEqual([
      ['/redirect/2', 'client', 0, 302, false, 300],
      ['/redirect/1', 'client', 1, 302, false, 400],
      ['/redirect/0', 'client', 2, 200, false, 600],
    ]);
    expect(snoop.stats()).toMatchObject({ responsesUnmatched: 0, transportEndsUnmatched: 0 });
    await snoop.close();
  });

  it('answers a call that never reached the transport with Client.do return, and a bare RoundTrip with its own', async () => {
    request('client', G1, 0xa0n, 1_000n, '/custom-roundtripper');
    request('transport', G2, 0xb0n, 1_050n, '/bare'); // another goroutine: no call open there
    tracer.push(callEndRecord({ pid: 100, g: G1 }));
    response('client', 0xa0n, 1_000n, 1_800n, 0, ResponseFlag.error | ResponseFlag.noResponse);
    response('transport', 0xb0n, 1_050n, 1_250n, 201);
    snoop.flush();
    expect(await events()).toEqual([
      ['/custom-roundtripper', 'client', 0, undefined, true, 800],
      ['/bare', 'transport', 0, 201, false, 200],
    ]);
    expect(snoop.stats()).toMatchObject({ responsesUnmatched: 0, transportEndsUnmatched: 0 });
    await snoop.close();
  });

  it('keeps the hop of a call and a reverse proxy relaying the same request apart, each with its status', async () => {
    // Client.Do to the proxy on G1; the proxy's handler relays it with Transport.RoundTrip on G2.
    request('client', G1, 0xa0n, 1_000n, '/proxied');
    request('transport', G1, 0xa0n, 1_010n, '/proxied');
    request('transport', G2, 0xd0n, 1_100n, '/proxied');
    response('transport', 0xd0n, 1_100n, 1_300n, 203);
    response('transport', 0xa0n, 1_010n, 1_400n, 203);
    tracer.push(callEndRecord({ pid: 100, g: G1 }));
    response('client', 0xa0n, 1_000n, 1_410n, 203);
    snoop.flush();
    expect(await events()).toEqual([
      ['/proxied', 'transport', 0, 203, false, 200],
      ['/proxied', 'client', 0, 203, false, 390],
    ]);
    expect(snoop.stats()).toMatchObject({ responsesUnmatched: 0, transportEndsUnmatched: 0 });
    await snoop.close();
  });

  it('reports a hop whose roundTrip never returned once, without response fields, when its process exits', async () => {
    request('client', G1, 0xa0n, 1_000n, '/stuck');
    request('transport', G1, 0xa0n, 1_010n, '/stuck');
    snoop.flush();
    expect(await events()).toEqual([]);
    tracer.exit(100);
    snoop.flush();
    expect(await events()).toEqual([['/stuck', 'client', 0, undefined, undefined, undefined]]);
    await snoop.close();
    expect(await events()).toEqual([]);
  });

  it('reports a call still open at close once, from its client record', async () => {
    request('client', G1, 0xa0n, 1_000n, '/open-at-close');
    snoop.flush();
    await snoop.close();
    expect(await events()).toEqual([['/open-at-close', 'client', 0, undefined, undefined, undefined]]);
  });
});
