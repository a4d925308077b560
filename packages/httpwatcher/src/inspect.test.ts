import { describe, expect, it } from 'vitest';
import { GoBinary, clientDoName, transportRoundTripName } from '@httpwatcher/go-elf';
import { inspectBinary } from './inspect.js';
import { SnooperError } from './snooper-error.js';
import { clientPath, programPath } from './test-support/lifecycle-fixtures.js';

async function probeOf(path: string, name: string): Promise<number> {
  await using binary = await GoBinary.open(path);
  return (await binary.stackCheckEnd(await binary.findFunction(name))).address;
}

describe('inspectBinary', () => {
  it('gives both probe sites of a client, the coverage and the offsets entry', async () => {
    const path = clientPath();
    const r = await inspectBinary(path);
    expect(r.coverage).toBe('client and transport');
    expect(r.clientDo?.probeAddress).toBe(await probeOf(path, clientDoName));
    expect(r.transportRoundTrip?.probeAddress).toBe(await probeOf(path, transportRoundTripName));
    expect(r.layout).toEqual({ entry: 'go1.24 amd64 swiss', source: 'table' });
  });

  it('inspects a program with a bare http.Transport and no http.Client as transport only', async () => {
    const path = programPath('transport-only');
    const r = await inspectBinary(path);
    expect(r.clientDo).toBeUndefined();
    expect(r.coverage).toBe('transport only');
    expect(r.transportRoundTrip?.probeAddress).toBe(await probeOf(path, transportRoundTripName));
    expect(r.layout).toEqual({ entry: 'go1.24 amd64 swiss', source: 'table' });
  });

  it('refuses a Go program with neither function as NO_HTTP_CLIENT, naming both', async () => {
    const error = await inspectBinary(programPath('noclient')).catch((e: unknown) => e);
    expect(SnooperError.isInstance(error) && error.code).toBe('NO_HTTP_CLIENT');
    expect((error as Error).message).toContain(
      `expected ${clientDoName} or ${transportRoundTripName}, found neither; the program does not send HTTP requests through net/http`,
    );
  });
});
