import type { BpfBuild, KernelFeatureReport } from '@httpwatcher/bpf-native';
import { SnooperError } from './snooper-error.js';

/** The oldest Linux the BPF program loads on (its compat build): the ring buffer is the newest feature it needs. */
export const KERNEL_FLOOR = '5.8';

interface Feature {
  readonly key: string;
  readonly label: string;
}

/** Each feature kernelFeatures() reports that both builds need, as a person reads it, with the Linux version that brought it. */
const requiredFeatures: readonly Feature[] = [
  { key: 'btf', label: 'BTF type information (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF)' },
  { key: 'uprobes', label: 'uprobe events (CONFIG_UPROBE_EVENTS)' },
  { key: 'ringbuf', label: 'the BPF ring buffer (Linux 5.8)' },
  { key: 'bpf_probe_read_user', label: 'bpf_probe_read_user (Linux 5.5)' },
  { key: 'bpf_ringbuf_output', label: 'bpf_ringbuf_output (Linux 5.8)' },
  { key: 'bpf_ringbuf_query', label: 'bpf_ringbuf_query (Linux 5.8)' },
];

/** What the default build needs beyond that; without any of them the compat build is loaded. */
const defaultBuildFeatures: readonly Feature[] = [
  { key: 'bpf_get_current_task_btf', label: 'bpf_get_current_task_btf (Linux 5.11)' },
  { key: 'bpf_get_attach_cookie', label: 'bpf_get_attach_cookie (Linux 5.15)' },
  { key: 'bpf_loop', label: 'bpf_loop (Linux 5.17)' },
];

const lacking = (report: KernelFeatureReport, features: readonly Feature[]): string[] =>
  features.filter((f) => report.features[f.key] === false).map((f) => f.label);

/**
 * The features the kernel answered it lacks that every build needs, in the order above. A feature
 * whose probe failed (null) is not counted missing: the load then decides.
 */
export function missingKernelFeatures(report: KernelFeatureReport): string[] {
  return lacking(report, requiredFeatures);
}

/** Which build of the BPF program to load: `auto` picks the default one when the kernel has what it needs. */
export type BpfBuildChoice = 'auto' | BpfBuild;

/**
 * The build to load on this kernel: the default one when it has bpf_loop, BPF cookies and the
 * BTF-typed task (Linux 5.17+; a feature whose probe failed counts as present), else the compat
 * one. An explicit choice is taken as given (tests and benchmarks run the compat build here).
 */
export function chooseBpfBuild(report: KernelFeatureReport | undefined, choice: BpfBuildChoice = 'auto'): BpfBuild {
  if (choice !== 'auto') return choice;
  return report && lacking(report, defaultBuildFeatures).length > 0 ? 'compat' : 'default';
}

const bounded = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Kernel text can hold anything: one line of printable ASCII for a message. */
const printable = (text: string): string => bounded(text.replace(/[^\x20-\x7e]+/g, ' ').trim(), 200);

export function unsupportedKernel(release: string, missing: string[], verifierLog?: string, cause?: unknown) {
  const what =
    missing.length > 0
      ? `lacks ${missing.join(', ')}`
      : `refused the BPF program${verifierLog ? ` (the verifier: ${printable(lastVerifierLine(verifierLog))})` : ''}`;
  return new SnooperError(
    'UNSUPPORTED_KERNEL',
    `this kernel (Linux ${printable(release)}) ${what}; httpwatcher needs Linux ${KERNEL_FLOOR} or later, ` +
      'built with BTF (CONFIG_DEBUG_INFO_BTF) and uprobes',
    {
      cause,
      kernel: { release, missing, ...(verifierLog !== undefined && { verifierLog: bounded(verifierLog, 64 * 1024) }) },
    },
  );
}

/** libbpf prints the verifier's log between these lines when the kernel refused a program. */
const logStart = '-- BEGIN PROG LOAD LOG --';
const logEnd = '-- END PROG LOAD LOG --';

/** The verifier's log in a load failure's libbpf log, or undefined when the verifier did not speak. */
export function verifierLogOf(cause: unknown): string | undefined {
  const log = (cause as { libbpfLog?: unknown }).libbpfLog;
  if (typeof log !== 'string' || !log.includes(logStart)) return undefined;
  return log;
}

/** The last line of the verifier's own text: usually the reason it gave up. */
function lastVerifierLine(log: string): string {
  const start = log.indexOf(logStart);
  const end = log.indexOf(logEnd, start);
  const lines = log
    .slice(start + logStart.length, end < 0 ? undefined : end)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^(processed|verification time|stack depth)/.test(l));
  return lines.at(-1) ?? 'no reason given';
}
