import { describe, expect, it } from 'vitest';
import { missingTracingCapabilities } from './tracing-capabilities.js';

const status = (capEff: string): string =>
  `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;

describe('missingTracingCapabilities', () => {
  it('needs nothing with every capability (root)', () => {
    expect(missingTracingCapabilities(status('000001ffffffffff'))).toEqual([]);
  });
  it('names both without any capability', () => {
    expect(missingTracingCapabilities(status('0000000000000000'))).toEqual(['CAP_BPF', 'CAP_PERFMON']);
  });
  it('accepts CAP_BPF + CAP_PERFMON (bits 39, 38) without CAP_SYS_ADMIN', () => {
    expect(missingTracingCapabilities(status((3n << 38n).toString(16).padStart(16, '0')))).toEqual([]);
  });
  it('names only CAP_PERFMON when CAP_BPF alone is granted', () => {
    expect(missingTracingCapabilities(status((1n << 39n).toString(16).padStart(16, '0')))).toEqual(['CAP_PERFMON']);
  });
  it('accepts CAP_SYS_ADMIN (bit 21) alone, which implies both', () => {
    expect(missingTracingCapabilities(status((1n << 21n).toString(16).padStart(16, '0')))).toEqual([]);
  });
});
