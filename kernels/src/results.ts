/** What the guest reports, one JSON line each, on its second serial port. */
export type GuestLine =
  | { kind: 'guest'; uname: string; procVersion: string; btf: boolean; preempt: string | null; uptimeS: number }
  | { kind: 'check'; result: CheckResult }
  | { kind: 'verifier'; programs: VerifierProgram[] }
  | { kind: 'done'; uptimeS: number };

/** One end-to-end check in one guest. */
export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  /** What differed from the ground truth, or the error that stopped the check (first few). */
  problems: string[];
  /** Facts worth keeping whether it passed or not (counts, the error code a kernel gave). */
  facts?: Record<string, unknown>;
}

/** The verifier's work on one program, loaded alone with the statistics log. */
export interface VerifierProgram {
  object: string;
  program: string | null;
  ok: boolean;
  /** "processed N insns": the instructions the verifier walked (limit 1,000,000 since Linux 5.2). */
  insns: number | null;
  error?: string;
  verifierLog?: string;
  libbpfLog?: string;
}

/** One kernel of the matrix, as results.json keeps it. */
export interface KernelResult {
  name: string;
  package: string;
  version: string;
  release: string | null;
  /** Whether every check passed; false also when the guest did not boot or finish. */
  ok: boolean;
  /** Seconds from starting qemu to the guest's /init, from the guest's own uptime. */
  bootS: number | null;
  /** Seconds the checks took inside the guest. */
  runS: number | null;
  /** Wall seconds from starting qemu to its exit, and the CPU seconds qemu used. */
  wallS: number;
  qemuCpuS: number | null;
  btf: boolean | null;
  /** The preemption models the kernel offers, the one in force in parentheses (debugfs sched/preempt). */
  preempt: string | null;
  checks: CheckResult[];
  verifier: VerifierProgram[];
  /** Why the guest did not report (a boot failure, a timeout): the console's last lines. */
  failure?: string;
}

export interface MatrixResults {
  /** ISO time of the last run that wrote any kernel. */
  updated: string;
  emulation: string;
  kernels: KernelResult[];
}

/** The build of the BPF program an object file holds (bpf-objects/httpwatcher.<arch>[.compat].bpf.o). */
export function buildOfObject(object: string): 'default' | 'compat' {
  return /\.compat\.bpf\.o$/.test(object) ? 'compat' : 'default';
}
