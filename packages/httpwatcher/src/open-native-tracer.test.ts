import type { NativeBinding, TracerOptions } from '@httpwatcher/bpf-native';
import { describe, expect, it } from 'vitest';
import { openNativeTracer } from './open-native-tracer.js';
import { FakeTracer } from './test-support/fake-tracer.js';
import { codeOf } from './test-support/snooper-results.js';

/** A binding that records the options it was opened with, or fails with `failure`. */
function binding(failure?: Error): NativeBinding & { opened: Array<Partial<TracerOptions> | undefined> } {
  const opened: Array<Partial<TracerOptions> | undefined> = [];
  return {
    opened,
    libbpfVersion: 'fake',
    openTracer(options) {
      opened.push(options);
      if (failure) throw failure;
      return new FakeTracer(options);
    },
  };
}

const failure = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('openNativeTracer', () => {
  it('opens the binding with the Snooper options under the tracer names, leaving out those not given', async () => {
    const native = binding();
    const tracer = await openNativeTracer({ binding: native, ringBufferBytes: 1 << 20, maxProcesses: 8 });
    await openNativeTracer({ binding: native, flushIntervalMs: 5 });
    expect(native.opened).toEqual([{ ringBytes: 1 << 20, maxProcesses: 8 }, { flushIntervalMs: 5 }]);
    expect(tracer).toBeInstanceOf(FakeTracer);
  });

  it('turns a refusal by the kernel into PERMISSION_DENIED, keeping the errno and the cause', async () => {
    const cause = failure('loading the BPF object failed: Operation not permitted', 'EPERM');
    const opening = openNativeTracer({ binding: binding(cause) });
    expect(await codeOf(opening)).toBe('PERMISSION_DENIED');
    await expect(opening).rejects.toMatchObject({ cause, message: expect.stringContaining('(EPERM)') });
    expect(await codeOf(openNativeTracer({ binding: binding(failure('denied', 'EACCES')) }))).toBe('PERMISSION_DENIED');
  });

  it('reports a missing addon as NATIVE_ADDON_MISSING and any other failure as BPF_LOAD_FAILED', async () => {
    const missing = openNativeTracer({ binding: binding(failure('no addon built', 'NATIVE_ADDON_MISSING')) });
    expect(await codeOf(missing)).toBe('NATIVE_ADDON_MISSING');
    await expect(missing).rejects.toThrow('no addon built');
    const other = openNativeTracer({ binding: binding(failure('verifier said no', 'EINVAL')) });
    expect(await codeOf(other)).toBe('BPF_LOAD_FAILED');
    await expect(other).rejects.toThrow('loading the BPF program failed: verifier said no');
  });
});
