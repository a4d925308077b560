import { describe, expect, it } from 'vitest';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { inCi } from '@httpwatcher/test-support/gates';
import { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';
import { clientDoName, transportRoundTripName, xNetTransportNames } from './http-probe-functions.js';
import { inspectGoBinary } from './inspect.js';
import { nmAddress } from './test-support/fixtures.js';

const program = (name: string, go = '1.24', variant = 'default'): Fixture | undefined =>
  builtFixtures((f) => f.program === name && f.go === go && f.variant === variant)[0];

/** The fixture, or a skip (a failure in CI) naming the command that builds it. */
function required(fx: Fixture | undefined, build: string, skip: (note: string) => void): Fixture | undefined {
  if (fx) return fx;
  if (inCi) throw new Error(`fixture missing; build it with: ${build}`);
  skip(`fixture missing; build it with: ${build}`);
  return undefined;
}

async function probeOf(path: string, name: string) {
  await using binary = await GoBinary.open(path);
  return (await binary.stackCheckEnd(await binary.findFunction(name))).address;
}

describe('inspectGoBinary', () => {
  it.for([
    ['1.15', 'default'],
    ['1.24', 'stripped'],
    ['1.27', 'arm64-pie'],
  ] as const)('shows both probe sites of a go%s %s client and says both are present', async ([go, variant], ctx) => {
    const fx = required(program('client', go, variant), 'bash test-fixtures/build.sh', (n) => ctx.skip(n));
    if (!fx) return;
    const r = await inspectGoBinary(fx.absolutePath);
    expect(r.coverage).toBe('client and transport');
    expect(r.coverageNote).toBe(
      `${clientDoName} and ${transportRoundTripName} are both present; tracing probes ${clientDoName}, and with --transport ${transportRoundTripName} too (each redirect hop, as sent)`,
    );
    expect(r.clientDo?.probeAddress).toBe(await probeOf(fx.absolutePath, clientDoName));
    expect(r.transportRoundTrip?.name).toBe(transportRoundTripName);
    expect(r.transportRoundTrip?.probeAddress).toBe(await probeOf(fx.absolutePath, transportRoundTripName));
    expect(r.transportRoundTrip?.source).toBe(variant.endsWith('stripped') ? 'pclntab' : 'symtab');
    const twin = program('client', go, variant.replace(/stripped$/, 'default'));
    expect(r.transportRoundTrip?.address).toBe(await nmAddress(fx.goroot, twin!.absolutePath, transportRoundTripName));
  });

  it.for([
    ['1.21', xNetTransportNames[1]],
    ['1.26', xNetTransportNames[0]],
  ] as const)(
    "shows the go%s xnet-client's golang.org/x/net/http2 transport (%s) with its probe site",
    async ([go, name], ctx) => {
      const fx = required(
        program('xnet-client', go),
        `bash test-fixtures/build.sh --program xnet-client --go ${go} --variant default`,
        (n) => ctx.skip(n),
      );
      if (!fx) return;
      const r = await inspectGoBinary(fx.absolutePath);
      expect(r.xNetTransport?.name).toBe(name);
      expect(r.xNetTransport?.address).toBe(await nmAddress(fx.goroot, fx.absolutePath, name));
      expect(r.xNetTransport?.probeAddress).toBe(await probeOf(fx.absolutePath, name));
      const client = required(program('client', go), 'bash test-fixtures/build.sh', (n) => ctx.skip(n));
      if (client) expect((await inspectGoBinary(client.absolutePath)).xNetTransport).toBeUndefined();
    },
  );

  it('says a binary that only uses http.Transport is seen at the transport, with no client probe', async (ctx) => {
    const fx = required(
      program('transport-only'),
      'bash test-fixtures/build.sh --program transport-only --go 1.24 --variant default',
      (n) => ctx.skip(n),
    );
    if (!fx) return;
    const r = await inspectGoBinary(fx.absolutePath);
    expect(r.clientDo).toBeUndefined();
    expect(r.coverage).toBe('transport only');
    expect(r.coverageNote).toBe(
      `${clientDoName} is absent: the program sends requests only through http.Transport (a reverse proxy, a bare RoundTrip caller); tracing probes ${transportRoundTripName} with --transport and refuses it without`,
    );
    expect(r.transportRoundTrip?.address).toBe(await nmAddress(fx.goroot, fx.absolutePath, transportRoundTripName));
    expect(r.transportRoundTrip?.probeAddress).toBe(await probeOf(fx.absolutePath, transportRoundTripName));
  });

  it('refuses a Go binary with neither function as SYMBOL_NOT_FOUND naming both', async (ctx) => {
    const fx = required(
      program('noclient'),
      'bash test-fixtures/build.sh --program noclient --go 1.24 --variant default',
      (n) => ctx.skip(n),
    );
    if (!fx) return;
    const error = await inspectGoBinary(fx.absolutePath).catch((e: unknown) => e);
    expect(GoElfError.isInstance(error) && error.code).toBe('SYMBOL_NOT_FOUND');
    expect((error as Error).message).toContain(
      `expected ${clientDoName} or ${transportRoundTripName}, found neither; the program does not send HTTP requests through net/http`,
    );
  });
});
