import { release } from 'node:os';
import { SnooperError } from './snooper-error.js';
import {
  hasCapability,
  missingCapabilities,
  missingTracingCapabilities,
  ownEffectiveCapabilities,
  uprobesNeedSysAdmin,
  type Capabilities,
  type CapabilityName,
} from './tracing-capabilities.js';

/**
 * What tracing any process needs, on kernels that create uprobes only for CAP_SYS_ADMIN and on
 * older ones alike. CAP_SYS_PTRACE is for processes of other users, and for root's processes when
 * this one keeps fewer capabilities than they hold.
 */
const tracingCapabilityNames: readonly CapabilityName[] = ['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'];

/**
 * How to get `names` without handing them to anyone else. File capabilities on the node binary
 * would give them to every local user who runs node, so the advice never suggests them.
 */
export function privilegeAdvice(names: readonly CapabilityName[] = tracingCapabilityNames): string {
  const list = names.join(' ');
  return (
    `Run it as root, or as a dedicated service whose ambient capabilities are exactly ${list} ` +
    `(systemd: AmbientCapabilities=${list} and CapabilityBoundingSet=${list}); ` +
    'never give file capabilities to the node binary, which every local user can run.'
  );
}

const thisProcess = (): string => `this process (uid ${process.getuid?.() ?? '?'})`;

const joined = (names: readonly string[]): string =>
  names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/** Why uprobes need CAP_SYS_ADMIN, as far as the release number tells. */
function sysAdminReason(kernelRelease: string): string {
  return uprobesNeedSysAdmin(kernelRelease)
    ? `Linux ${kernelRelease} creates uprobes only for CAP_SYS_ADMIN, since the fix for CVE-2025-38466`
    : 'kernels carrying the fix for CVE-2025-38466 (Linux 6.16, and stable releases since July 2025) create uprobes only for CAP_SYS_ADMIN';
}

/** Snooper.init(): the effective set lacks what loading the program or creating uprobes needs. */
export function initDeniedMessage(missing: readonly CapabilityName[], kernelRelease: string = release()): string {
  const uprobes = uprobesNeedSysAdmin(kernelRelease)
    ? 'CAP_SYS_ADMIN to create uprobes'
    : 'CAP_SYS_ADMIN to create uprobes on kernels carrying the fix for CVE-2025-38466';
  const why = missing.includes('CAP_SYS_ADMIN') ? ` (${sysAdminReason(kernelRelease)})` : '';
  return (
    `tracing needs root, or CAP_BPF and CAP_PERFMON to load the BPF program, ${uprobes}, and CAP_SYS_PTRACE ` +
    `for other users' processes; ${thisProcess()} lacks ${joined(missing)}${why}. ${privilegeAdvice()}`
  );
}

/** The kernel refused bpf_object__load although the effective set looked sufficient (or was unknown). */
export function loadRefusedMessage(errnoCode: string): string {
  return (
    `the kernel refused to load the BPF program (${errnoCode}) for ${thisProcess()}: loading needs CAP_BPF and ` +
    `CAP_PERFMON, and a security module or a container may forbid BPF even to root. ${privilegeAdvice()}`
  );
}

/**
 * The kernel refused to create a uprobe (EACCES/EPERM from perf_event_open). CAP_SYS_ADMIN passes
 * that check on every kernel; without it, it is what the error names.
 */
export function uprobeRefusedMessage(
  errnoCode: string,
  effective: Capabilities | undefined = ownEffectiveCapabilities(),
  kernelRelease: string = release(),
): string {
  const refused = `the kernel refused to create the uprobe (${errnoCode})`;
  if (effective === undefined) return `${refused}: ${sysAdminReason(kernelRelease)}. ${privilegeAdvice()}`;
  if (!hasCapability(effective, 'CAP_SYS_ADMIN'))
    return `${refused}: ${sysAdminReason(kernelRelease)}; ${thisProcess()} lacks CAP_SYS_ADMIN. ${privilegeAdvice()}`;
  return `${refused} although ${thisProcess()} has CAP_SYS_ADMIN: a security module (SELinux, AppArmor), a container or the file's permissions forbid it.`;
}

/** Opening /proc/<pid>/exe was refused: the kernel's ptrace read check. */
export function readProcessDeniedMessage(pid: number, errnoCode: string): string {
  return (
    `pid ${pid}: cannot read /proc/${pid}/exe (${errnoCode}): reading a process of another user, or one holding ` +
    `capabilities that ${thisProcess()} lacks, needs CAP_SYS_PTRACE. ${privilegeAdvice()}`
  );
}

/** attachAll({ hold }) without the right to resume every process it may stop. */
export function holdDeniedMessage(missing: readonly CapabilityName[]): string {
  return (
    'attachAll({ hold: true }) stops every process that execs a binary not seen before, whoever owns it, and ' +
    `must resume each one: that needs ${joined(missing)}, which ${thisProcess()} lacks. Trace without hold, ` +
    `which stops nothing, or: ${privilegeAdvice([...tracingCapabilityNames, ...missing])}`
  );
}

/**
 * The capabilities the Snooper's checks use: those given (tests), else this process's own, else
 * none checked when a binding is given (a fake needs no privileges).
 */
export function capabilitiesToCheck(options: {
  binding?: unknown;
  capabilities?: Capabilities;
}): Capabilities | undefined {
  if (options.capabilities !== undefined) return options.capabilities;
  return options.binding ? undefined : ownEffectiveCapabilities();
}

/** Snooper.init(): PERMISSION_DENIED before loading anything when the effective set cannot trace. */
export function assertMayTrace(capabilities: Capabilities | undefined): void {
  const missing = capabilities === undefined ? [] : missingTracingCapabilities(capabilities);
  if (missing.length > 0) throw new SnooperError('PERMISSION_DENIED', initDeniedMessage(missing));
}

/** attachAll({ hold }): PERMISSION_DENIED before any process can be stopped that could not be resumed. */
export function assertMayHold(capabilities: Capabilities | undefined): void {
  const missing = capabilities === undefined ? [] : missingCapabilities('resume-held', capabilities);
  if (missing.length > 0) throw new SnooperError('PERMISSION_DENIED', holdDeniedMessage(missing));
}
