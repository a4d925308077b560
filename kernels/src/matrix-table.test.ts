import { describe, expect, it } from 'vitest';
import { failureDetails, matrixTable, printable } from './matrix-table.js';
import type { KernelResult } from './results.js';

const object = '/hw/node_modules/@httpwatcher/bpf-native/bpf-objects/httpwatcher.x86.bpf.o';

function kernel(name: string, overrides: Partial<KernelResult>): KernelResult {
  return {
    name,
    package: `linux-image-${name}`,
    version: '1',
    release: `${name}.0-cloud-amd64`,
    ok: true,
    bootS: 2.5,
    runS: 100,
    wallS: 104.25,
    qemuCpuS: 180,
    btf: true,
    preempt: null,
    checks: [{ name: 'load', ok: true, ms: 4700, problems: [] }],
    verifier: [{ object, program: 'client_do', ok: true, insns: 20820 }],
    ...overrides,
  };
}

describe('matrixTable', () => {
  const passing = kernel('6.1', {});
  const failing = kernel('5.10', {
    ok: false,
    preempt: 'none voluntary (full) lazy',
    checks: [
      { name: 'load', ok: false, ms: 1200, problems: ['BPF_LOAD_FAILED: the kernel refused\nlibbpf: log'] },
      { name: 'exit cleanup', ok: false, ms: 300, problems: ['BPF_LOAD_FAILED: the kernel refused\nlibbpf: log'] },
    ],
    verifier: [
      {
        object,
        program: 'client_do',
        ok: false,
        insns: null,
        error: 'Invalid argument',
        verifierLog: 'bad\nfunc_info\nverification time 1 usec\nstack depth 0\nprocessed 0 insns (limit 1000000)\n',
      },
    ],
  });

  it('has a column per kernel, a row per check with its time, then times and verifier counts', () => {
    const lines = matrixTable([failing, passing]).split('\n');
    expect(lines[0]).toBe('| check               | 5.10 (5.10.0-cloud-amd64) | 6.1 (6.1.0-cloud-amd64) |');
    expect(lines).toContain('| load                | FAIL 1.2 s                | pass 4.7 s              |');
    expect(lines).toContain('| exit cleanup        | FAIL 0.3 s                | not run                 |');
    expect(lines).toContain('| preemption          | full                      | -                       |');
    expect(lines).toContain('| qemu wall (s)       | 104.3                     | 104.3                   |');
    expect(lines).toContain('| all pass            | NO                        | yes                     |');
    expect(lines.at(-1)).toBe('| client_do | refused                   | 20820                   |');
  });

  it('lists what failed, each problem on one line and once: each failed check and each refused program', () => {
    expect(failureDetails([failing, passing]).split('\n')).toEqual([
      '5.10 load:',
      '  BPF_LOAD_FAILED: the kernel refused / libbpf: log',
      '5.10 exit cleanup: as above',
      '5.10 verifier client_do: Invalid argument: bad / func_info',
    ]);
  });

  it('shows control characters from a guest as ?, keeping tabs and newlines', () => {
    expect(printable('a\u001b[31mb\u0007c\td\n')).toBe('a?[31mb?c\td\n');
  });
});
