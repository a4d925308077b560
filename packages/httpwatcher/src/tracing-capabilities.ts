import { readFileSync } from 'node:fs';
import { release } from 'node:os';

/** Capabilities tracing uses, with their bit numbers (include/uapi/linux/capability.h). */
const capabilityBits = {
  CAP_KILL: 5n,
  CAP_SYS_PTRACE: 19n,
  CAP_SYS_ADMIN: 21n,
  CAP_PERFMON: 38n,
  CAP_BPF: 39n,
} as const;

export type CapabilityName = keyof typeof capabilityBits;

/**
 * What tracing does that the kernel checks, one step at a time (measured per step in docs/privileges.md):
 * - `load`: load the BPF object and attach its exec/exit raw tracepoints;
 * - `uprobe`: create the uprobes (entry and `response` return sites), as perf events;
 * - `read-process`: open /proc/<pid>/exe of a process of another user, or one holding capabilities this
 *   process lacks;
 * - `resume-held`: SIGCONT a process of another user that attachAll({ hold }) stopped.
 */
export type TracingStep = 'load' | 'uprobe' | 'read-process' | 'resume-held';

/** A set of effective capabilities, as the CapEff bit mask of /proc/<pid>/status. */
export type Capabilities = bigint;

export function capabilitiesOf(names: readonly CapabilityName[]): Capabilities {
  return names.reduce((set, name) => set | (1n << capabilityBits[name]), 0n);
}

export function hasCapability(effective: Capabilities, name: CapabilityName): boolean {
  return ((effective >> capabilityBits[name]) & 1n) === 1n;
}

/** The CapEff mask of a /proc/<pid>/status text; undefined when it has none. */
export function effectiveCapabilities(procStatus: string): Capabilities | undefined {
  const hex = /^CapEff:\s*([0-9a-f]{1,16})$/im.exec(procStatus)?.[1];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

/** This process's effective capabilities; undefined when /proc/self/status cannot say. */
export function ownEffectiveCapabilities(): Capabilities | undefined {
  try {
    return effectiveCapabilities(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * First patch release of each stable series carrying the fix for CVE-2025-38466 ("perf: Revert to
 * requiring CAP_SYS_ADMIN for uprobes"); mainline has it from 6.16.
 */
const fixedStableReleases: ReadonlyMap<string, number> = new Map([
  ['5.10', 240],
  ['5.15', 189],
  ['6.1', 146],
  ['6.6', 99],
  ['6.12', 39],
  ['6.15', 7],
]);

/**
 * Whether a kernel release (`uname -r`) is known to create perf-event uprobes only for
 * CAP_SYS_ADMIN. False when it predates the fix or cannot be placed (distributions backport under
 * their own numbering, e.g. 5.15.0-140): a refused uprobe then says so when it happens.
 */
export function uprobesNeedSysAdmin(kernelRelease: string): boolean {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(kernelRelease);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 6 || (major === 6 && minor >= 16)) return true;
  const fixedPatch = fixedStableReleases.get(`${major}.${minor}`);
  return fixedPatch !== undefined && Number(m[3] ?? 0) >= fixedPatch;
}

/**
 * The capabilities `step` needs and `effective` lacks, as the kernel decides (CAP_SYS_ADMIN
 * passes every check CAP_BPF and CAP_PERFMON pass). Empty when nothing is missing.
 */
export function missingCapabilities(
  step: TracingStep,
  effective: Capabilities,
  kernelRelease: string = release(),
): CapabilityName[] {
  const has = (name: CapabilityName): boolean => hasCapability(effective, name);
  const lacking = (names: CapabilityName[]): CapabilityName[] => names.filter((name) => !has(name));
  switch (step) {
    case 'load':
      return has('CAP_SYS_ADMIN') ? [] : lacking(['CAP_BPF', 'CAP_PERFMON']);
    case 'uprobe':
      if (uprobesNeedSysAdmin(kernelRelease)) return lacking(['CAP_SYS_ADMIN']);
      return has('CAP_SYS_ADMIN') ? [] : lacking(['CAP_PERFMON']);
    case 'read-process':
      return lacking(['CAP_SYS_PTRACE']);
    case 'resume-held':
      return lacking(['CAP_KILL']);
  }
}

/** What Snooper.init() checks: loading the program and creating uprobes, on this kernel. */
export function missingTracingCapabilities(
  effective: Capabilities,
  kernelRelease: string = release(),
): CapabilityName[] {
  const missing = [
    ...missingCapabilities('load', effective, kernelRelease),
    ...missingCapabilities('uprobe', effective, kernelRelease),
  ];
  return [...new Set(missing)];
}
