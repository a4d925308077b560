import { describe, expect, it } from 'vitest';
import { expectedLoad, expectedRefusal, kernelResult } from './kernel-result.js';
import type { GuestRun } from './boot-guest.js';
import type { LockedKernel } from './kernel-lock.js';
import type { CheckResult } from './results.js';

const refused = (code: string | null, missing: string[] | null): CheckResult => ({
  name: 'load',
  ok: false,
  ms: 900,
  problems: [`Snooper.init() rejected: ${code}`],
  facts: { code, message: 'this kernel (Linux 5.10.0-32-cloud-amd64) lacks …', missing },
});

describe('expectedRefusal', () => {
  const lacks = ['bpf_get_attach_cookie (Linux 5.15)', 'bpf_loop (Linux 5.17)'];

  it('passes a load refused with UNSUPPORTED_KERNEL naming every feature the lock lists', () => {
    expect(expectedRefusal(refused('UNSUPPORTED_KERNEL', lacks), ['bpf_loop', 'bpf_get_attach_cookie'])).toEqual({
      ...refused('UNSUPPORTED_KERNEL', lacks),
      ok: true,
      problems: [],
    });
  });

  it('fails a refusal that does not name a listed feature, a raw load failure and a load that worked', () => {
    expect(expectedRefusal(refused('UNSUPPORTED_KERNEL', lacks), ['bpf_get_current_task_btf']).problems).toEqual([
      `UNSUPPORTED_KERNEL does not name bpf_get_current_task_btf: ${lacks.join(', ')}`,
    ]);
    expect(expectedRefusal(refused('BPF_LOAD_FAILED', null), ['bpf_loop'])).toMatchObject({
      ok: false,
      problems: ['expected UNSUPPORTED_KERNEL naming bpf_loop; got BPF_LOAD_FAILED'],
    });
    const loaded: CheckResult = { name: 'load', ok: true, ms: 800, problems: [] };
    expect(expectedRefusal(loaded, ['bpf_loop'])).toMatchObject({
      ok: false,
      problems: ['expected UNSUPPORTED_KERNEL naming bpf_loop; got a successful load'],
    });
  });
});

describe('expectedLoad', () => {
  const loaded = (build: string): CheckResult => ({ name: 'load', ok: true, ms: 800, problems: [], facts: { build } });

  it('passes a load of the build the lock names, and fails the other build', () => {
    expect(expectedLoad(loaded('compat'), 'compat')).toEqual(loaded('compat'));
    expect(expectedLoad(loaded('default'), 'compat')).toMatchObject({
      ok: false,
      problems: ['expected the compat build; Snooper.init() loaded default'],
    });
  });
});

describe('kernelResult', () => {
  const kernel = (build?: 'compat'): LockedKernel => ({
    name: '5.10',
    select: '.',
    package: 'linux-image-5.10',
    version: '5.10.223-1',
    sha256: '0'.repeat(64),
    vmlinuz: 'boot/vmlinuz',
    ...(build && { build }),
  });
  const run = (buildLoaded: string, defaultOk: boolean): GuestRun =>
    ({
      lines: [
        {
          kind: 'verifier',
          programs: [
            { object: '/x/httpwatcher.x86.bpf.o', program: 'client_do', ok: defaultOk, insns: defaultOk ? 1 : null },
            { object: '/x/httpwatcher.x86.compat.bpf.o', program: 'client_do', ok: true, insns: 2 },
          ],
        },
        { kind: 'check', result: { name: 'load', ok: true, ms: 1, problems: [], facts: { build: buildLoaded } } },
        { kind: 'done', uptimeS: 9 },
      ],
      console: '',
      timedOut: false,
      exitCode: 0,
      initS: 1,
      wallS: 10,
      qemuCpuS: 5,
    }) as unknown as GuestRun;

  it('passes a compat kernel on the compat programs alone, and a default kernel only when both builds load', () => {
    expect(kernelResult(kernel('compat'), run('compat', false)).ok).toBe(true);
    expect(kernelResult(kernel(), run('default', true)).ok).toBe(true);
    expect(kernelResult(kernel(), run('default', false)).ok).toBe(false);
    expect(kernelResult(kernel('compat'), run('default', true)).ok).toBe(false);
  });
});
