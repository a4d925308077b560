import { describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  effectiveCapabilities,
  missingCapabilities,
  missingTracingCapabilities,
  uprobesNeedSysAdmin,
} from './tracing-capabilities.js';

const status = (capEff: string): string =>
  `Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t${capEff}\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;

// CapEff as /proc/self/status shows it under `setpriv --bounding-set=-all,+bpf,+perfmon` and friends.
const bpfPerfmon = effectiveCapabilities(status('000000c000000000'))!;
const rootAll = effectiveCapabilities(status('000001ffffffffff'))!;
const none = effectiveCapabilities(status('0000000000000000'))!;

describe('effectiveCapabilities', () => {
  it('reads CapEff, not CapPrm or CapBnd', () => {
    expect(
      effectiveCapabilities('CapPrm:\t0000000000000020\nCapEff:\t0000000000200000\nCapBnd:\t0000000000000001\n'),
    ).toBe(capabilitiesOf(['CAP_SYS_ADMIN']));
  });
  it('says nothing when the status has no CapEff line', () => {
    expect(effectiveCapabilities('Name:\tnode\n')).toBeUndefined();
  });
  it('maps names to the kernel bit numbers (CAP_BPF 39, CAP_PERFMON 38)', () => {
    expect(capabilitiesOf(['CAP_BPF', 'CAP_PERFMON'])).toBe(bpfPerfmon);
  });
});

describe('uprobesNeedSysAdmin (the CVE-2025-38466 fix by release)', () => {
  it.each([
    ['6.18.44-fc-v1272', true],
    ['6.16.0', true],
    ['7.0.1', true],
    ['6.15.7', true],
    ['6.15.6', false],
    ['6.12.39-generic', true],
    ['6.12.38', false],
    ['6.6.99', true],
    ['6.1.146', true],
    ['6.1.145', false],
    ['5.15.189', true],
    ['5.10.240', true],
    ['5.10.239', false],
    ['6.14.11', false],
    ['5.15.0-140-generic', false],
    ['garbage', false],
  ])('%s: %s', (kernelRelease, expected) => {
    expect(uprobesNeedSysAdmin(kernelRelease)).toBe(expected);
  });
});

describe('missingCapabilities per step', () => {
  const fixed = '6.18.44';
  const older = '6.6.30';
  it('load needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN alone', () => {
    expect(missingCapabilities('load', none, fixed)).toEqual(['CAP_BPF', 'CAP_PERFMON']);
    expect(missingCapabilities('load', capabilitiesOf(['CAP_BPF']), fixed)).toEqual(['CAP_PERFMON']);
    expect(missingCapabilities('load', bpfPerfmon, fixed)).toEqual([]);
    expect(missingCapabilities('load', capabilitiesOf(['CAP_SYS_ADMIN']), fixed)).toEqual([]);
  });
  it('uprobe needs CAP_SYS_ADMIN on a kernel with the fix, CAP_PERFMON before it', () => {
    expect(missingCapabilities('uprobe', bpfPerfmon, fixed)).toEqual(['CAP_SYS_ADMIN']);
    expect(missingCapabilities('uprobe', bpfPerfmon, older)).toEqual([]);
    expect(missingCapabilities('uprobe', none, older)).toEqual(['CAP_PERFMON']);
    expect(missingCapabilities('uprobe', capabilitiesOf(['CAP_SYS_ADMIN']), older)).toEqual([]);
  });
  it('reading another user’s process needs CAP_SYS_PTRACE; resuming it, CAP_KILL', () => {
    expect(missingCapabilities('read-process', bpfPerfmon)).toEqual(['CAP_SYS_PTRACE']);
    expect(missingCapabilities('read-process', capabilitiesOf(['CAP_SYS_PTRACE']))).toEqual([]);
    expect(missingCapabilities('resume-held', capabilitiesOf(['CAP_SYS_PTRACE']))).toEqual(['CAP_KILL']);
    expect(missingCapabilities('resume-held', rootAll)).toEqual([]);
  });
});

describe('missingTracingCapabilities (what init checks)', () => {
  it('needs nothing with every capability (root)', () => {
    expect(missingTracingCapabilities(rootAll, '6.18.44')).toEqual([]);
  });
  it('names all three without any capability, on a kernel with the fix', () => {
    expect(missingTracingCapabilities(none, '6.18.44')).toEqual(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN']);
  });
  it('names CAP_SYS_ADMIN when only CAP_BPF + CAP_PERFMON are kept, on a kernel with the fix', () => {
    expect(missingTracingCapabilities(bpfPerfmon, '6.18.44')).toEqual(['CAP_SYS_ADMIN']);
  });
  it('accepts CAP_BPF + CAP_PERFMON on a kernel without the fix', () => {
    expect(missingTracingCapabilities(bpfPerfmon, '6.6.30')).toEqual([]);
  });
  it('accepts CAP_SYS_ADMIN alone, which passes every CAP_BPF and CAP_PERFMON check', () => {
    expect(missingTracingCapabilities(capabilitiesOf(['CAP_SYS_ADMIN']), '6.18.44')).toEqual([]);
  });
});
