import { describe, expect, it } from 'vitest';
import { expectedRefusal } from './kernel-result.js';
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
