import { readFileSync } from 'node:fs';

/** include/uapi/linux/capability.h */
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/**
 * Capabilities the effective set lacks for loading and attaching tracing BPF programs: CAP_BPF and
 * CAP_PERFMON (Linux >= 5.8), or CAP_SYS_ADMIN, which implies both. Empty when nothing is missing.
 */
export function missingTracingCapabilities(procStatus: string): string[] {
  const hex = /^CapEff:\s*([0-9a-f]+)$/im.exec(procStatus)?.[1];
  if (hex === undefined) return [];
  const effective = BigInt(`0x${hex}`);
  const has = (cap: bigint): boolean => ((effective >> cap) & 1n) === 1n;
  if (has(CAP_SYS_ADMIN)) return [];
  return [...(has(CAP_BPF) ? [] : ['CAP_BPF']), ...(has(CAP_PERFMON) ? [] : ['CAP_PERFMON'])];
}

export function missingOwnTracingCapabilities(): string[] {
  try {
    return missingTracingCapabilities(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return [];
  }
}
