import type { KernelFeatureReport, NativeBinding, TracerOptions } from '@httpwatcher/bpf-native';
import { describe, expect, it } from 'vitest';
import { openNativeTracer } from './open-native-tracer.js';
import { FakeTracer } from './test-support/fake-tracer.js';
import { codeOf } from './test-support/snooper-results.js';

/** A binding that records the options it was opened with, or fails with `failure`. */
function binding(failure?: Error): NativeBinding & {
  opened: Array<Partial<TracerOptions> | undefined>;
  builds: Array<string | undefined>;
} {
  const opened: Array<Partial<TracerOptions> | undefined> = [];
  const builds: Array<string | undefined> = [];
  return {
    opened,
    builds,
    libbpfVersion: 'fake',
    openTracer(options, build) {
      opened.push(options);
      builds.push(build);
      if (failure) throw failure;
      return new FakeTracer(options);
    },
  };
}

const failure = (message: string, code: string): Error => Object.assign(new Error(message), { code });

/** Every feature present, as kernelFeatures() reports them on this machine's kernel. */
const allPresent: KernelFeatureReport['features'] = {
  btf: true,
  uprobes: true,
  ringbuf: true,
  bpf_probe_read_user: true,
  bpf_ringbuf_output: true,
  bpf_ringbuf_query: true,
  bpf_get_current_task_btf: true,
  bpf_get_attach_cookie: true,
  bpf_loop: true,
};

const onKernel = (native: ReturnType<typeof binding>, features: KernelFeatureReport['features']) =>
  Object.assign(native, { kernelFeatures: () => ({ release: '5.10.0-32-cloud-amd64', features }) });

/** libbpf's log of a program the verifier refused, as the addon attaches it to the error. */
const refusedLog =
  "libbpf: prog 'client_do': BPF program load failed: Invalid argument\n" +
  "libbpf: prog 'client_do': -- BEGIN PROG LOAD LOG --\n0: R1=ctx() R10=fp0\n" +
  "number of funcs in func_info doesn't match number of subprogs\nprocessed 0 insns\n-- END PROG LOAD LOG --\n";

describe('openNativeTracer', () => {
  it('opens the binding with the Snooper options under the tracer names, leaving out those not given', async () => {
    const native = binding();
    const { tracer } = await openNativeTracer({ binding: native, ringBufferBytes: 1 << 20, maxProcesses: 8 });
    await openNativeTracer({ binding: native, flushIntervalMs: 5, spillBufferBytes: 4096 });
    await openNativeTracer({ binding: native, ringBufferBytes: 1 << 14 });
    expect(native.opened).toEqual([
      // A ring's wakeup threshold follows its size: an eighth of it, at most 256 KiB.
      { ringBytes: 1 << 20, wakeupBytes: 128 << 10, maxProcesses: 8 },
      { flushIntervalMs: 5, spillBytes: 4096 },
      { ringBytes: 1 << 14, wakeupBytes: 2048 },
    ]);
    expect(tracer).toBeInstanceOf(FakeTracer);
  });

  it('sizes the binary maps from maxBinaries and maxUntraceable, and refuses a capacity the kernel would not take', async () => {
    const native = binding();
    await openNativeTracer({ binding: native, maxBinaries: 4096, maxUntraceable: 16 });
    expect(native.opened).toEqual([{ maxBinaries: 4096, maxUntraceable: 16 }]);
    for (const bad of [
      { maxBinaries: 0 },
      { maxUntraceable: 1.5 },
      { maxProcesses: 2 ** 21 },
      { maxBinaries: Number.NaN },
    ])
      expect(await codeOf(openNativeTracer({ binding: native, ...bad }))).toBe('INVALID_ARGUMENT');
    await expect(openNativeTracer({ binding: native, maxBinaries: 0 })).rejects.toThrow(
      'maxBinaries must be an integer from 1 to 1048576, got 0',
    );
    expect(native.opened).toHaveLength(1);
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

  it('refuses a kernel that lacks a feature both builds need with UNSUPPORTED_KERNEL naming it and the release, before loading', async () => {
    const native = onKernel(binding(), { ...allPresent, ringbuf: false, bpf_ringbuf_output: false, bpf_loop: false });
    const opening = openNativeTracer({ binding: native });
    expect(await codeOf(opening)).toBe('UNSUPPORTED_KERNEL');
    await expect(opening).rejects.toMatchObject({
      message:
        'this kernel (Linux 5.10.0-32-cloud-amd64) lacks the BPF ring buffer (Linux 5.8), bpf_ringbuf_output (Linux 5.8); ' +
        'httpwatcher needs Linux 5.8 or later, built with BTF (CONFIG_DEBUG_INFO_BTF) and uprobes',
      kernel: {
        release: '5.10.0-32-cloud-amd64',
        missing: ['the BPF ring buffer (Linux 5.8)', 'bpf_ringbuf_output (Linux 5.8)'],
      },
    });
    expect(native.opened).toEqual([]);
    const noBtf = openNativeTracer({ binding: onKernel(binding(), { ...allPresent, btf: false }) });
    await expect(noBtf).rejects.toThrow('lacks BTF type information (/sys/kernel/btf/vmlinux');
  });

  it('loads the compat build on a kernel without bpf_loop, cookies or the BTF-typed task, and the default one otherwise', async () => {
    for (const lacking of ['bpf_loop', 'bpf_get_attach_cookie', 'bpf_get_current_task_btf']) {
      const native = onKernel(binding(), { ...allPresent, [lacking]: false });
      expect((await openNativeTracer({ binding: native })).build, lacking).toBe('compat');
      expect(native.builds).toEqual(['compat']);
    }
    const native = onKernel(binding(), allPresent);
    expect((await openNativeTracer({ binding: native })).build).toBe('default');
    expect(native.builds).toEqual(['default']);
  });

  it('loads the build bpfBuild names, and refuses a name that is not a build', async () => {
    const native = onKernel(binding(), allPresent);
    expect((await openNativeTracer({ binding: native, bpfBuild: 'compat' })).build).toBe('compat');
    expect((await openNativeTracer({ binding: native, bpfBuild: 'auto' })).build).toBe('default');
    const wrong = openNativeTracer({ binding: native, bpfBuild: 'fast' as 'auto' });
    expect(await codeOf(wrong)).toBe('INVALID_ARGUMENT');
    expect(native.builds).toEqual(['compat', 'default']);
  });

  it('loads when a probe could not answer (null): the load decides', async () => {
    const native = onKernel(binding(), { ...allPresent, bpf_loop: null });
    expect((await openNativeTracer({ binding: native })).tracer).toBeInstanceOf(FakeTracer);
  });

  it('turns a verifier refusal into UNSUPPORTED_KERNEL with its last line, keeping the whole log on the error', async () => {
    const cause = Object.assign(failure('bpf_object__load failed: Invalid argument (EINVAL)', 'EINVAL'), {
      libbpfLog: refusedLog,
    });
    const opening = openNativeTracer({ binding: onKernel(binding(cause), allPresent) });
    expect(await codeOf(opening)).toBe('UNSUPPORTED_KERNEL');
    await expect(opening).rejects.toMatchObject({
      message:
        "this kernel (Linux 5.10.0-32-cloud-amd64) refused the BPF program (the verifier: number of funcs in func_info doesn't match number of subprogs); " +
        'httpwatcher needs Linux 5.8 or later, built with BTF (CONFIG_DEBUG_INFO_BTF) and uprobes',
      kernel: { release: '5.10.0-32-cloud-amd64', missing: [], verifierLog: refusedLog },
      cause,
    });
  });

  it('escapes the release and the verifier text in the message', async () => {
    const hostile = Object.assign(binding(), {
      kernelFeatures: () => ({ release: '6.1\x1b[2J\nevil', features: { ...allPresent, ringbuf: false } }),
    });
    const opening = openNativeTracer({ binding: hostile });
    await expect(opening).rejects.toThrow('(Linux 6.1 [2J evil) lacks the BPF ring buffer (Linux 5.8);');
  });
});
