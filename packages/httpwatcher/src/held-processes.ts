import { statSync } from 'node:fs';
import type { HoldGuardian, NativeTracer } from '@httpwatcher/bpf-native';
import { SnooperError } from './snooper-error.js';

/** Starts the guardian process for the Snooper's tracer (NativeBinding.startHoldGuardian). */
export type StartGuardian = (timeoutMs: number) => Promise<HoldGuardian>;

/** attachAll({ hold }) without `holdTimeoutMs`. */
export const defaultHoldTimeoutMs = 1_000;

/** The inode of the initial PID namespace (PROC_PID_INIT_INO, include/linux/proc_ns.h). */
const initialPidNamespaceIno = 0xeffffffc;

/**
 * The BPF side records and stops processes by host PID; in another PID namespace those numbers
 * name other processes, or none. attachAll({ hold }) refuses there (docs/hold.md).
 */
export function assertHostPidNamespace(nsPath = '/proc/self/ns/pid'): void {
  let ino: number;
  try {
    ino = statSync(nsPath).ino;
  } catch (cause) {
    throw new SnooperError('UNSUPPORTED_PID_NAMESPACE', `attachAll({ hold: true }) cannot read ${nsPath}`, { cause });
  }
  if (ino !== initialPidNamespaceIno)
    throw new SnooperError(
      'UNSUPPORTED_PID_NAMESPACE',
      'attachAll({ hold: true }) must run in the host PID namespace: the kernel stops processes by host PID, ' +
        'which this namespace cannot name. Run the tracer in the host PID namespace (for a container: ' +
        '--pid=host), or trace without hold.',
    );
}

/**
 * The processes the exec tracepoint stopped, and the guardian process that resumes them if this
 * one does not in time: past `holdTimeoutMs`, or once the tracer is gone (closed, crashed or
 * killed). The kernel records each hold in the `held` map before it stops the process; whoever
 * takes the entry out resumes it, after checking its start time.
 */
export class HeldProcesses {
  private guardian: HoldGuardian | undefined;
  private starting: Promise<HoldGuardian> | undefined;
  private timeoutMs: number | undefined;
  private stopping = false;
  /** Held processes whose exec record came, awaiting a decision. */
  private readonly waiting = new Set<number>();
  /** Processes the guardian resumed before a decision came (past their deadline). */
  expired = 0;

  constructor(
    private readonly tracer: NativeTracer,
    private readonly startGuardian: StartGuardian | undefined,
    /** The guardian `pid` exited while the Snooper was open: holding must stop at once. */
    private readonly onGuardianLost: (pid: number) => void,
  ) {}

  /** Starts the guardian once; later calls must ask for the same timeout. */
  async ensureGuardian(timeoutMs: number): Promise<void> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000)
      throw new SnooperError(
        'INVALID_ARGUMENT',
        `holdTimeoutMs must be an integer from 1 to 60000, got ${String(timeoutMs)}`,
      );
    if (this.timeoutMs !== undefined && this.timeoutMs !== timeoutMs)
      throw new SnooperError(
        'INVALID_ARGUMENT',
        `holdTimeoutMs is ${this.timeoutMs} for this Snooper already; it cannot change to ${timeoutMs}`,
      );
    if (!this.startGuardian)
      throw new SnooperError('INVALID_ARGUMENT', 'hold needs a binding with startHoldGuardian; this one has none');
    this.timeoutMs = timeoutMs;
    this.starting ??= this.startGuardian(timeoutMs).then((guardian) => {
      this.guardian = guardian;
      void guardian.exited.then(() => {
        if (this.stopping) return;
        // A later attachAll({ hold }) starts another one; until then nothing is held.
        this.guardian = undefined;
        this.starting = undefined;
        this.onGuardianLost(guardian.pid);
      });
      return guardian;
    });
    try {
      await this.starting;
    } catch (cause) {
      this.starting = undefined;
      this.timeoutMs = undefined;
      throw new SnooperError('ATTACH_FAILED', `the hold guardian did not start: ${(cause as Error).message}`, {
        cause,
      });
    }
  }

  /** An exec record said the kernel stopped `pid`. */
  held(pid: number): void {
    this.waiting.add(pid);
  }

  /** The decision about `pid` is made: resume it, unless the guardian did already. */
  decided(pid: number): void {
    if (!this.waiting.delete(pid)) return;
    try {
      if (this.tracer.resumeHeld(pid) === 'not-held') this.expired++;
    } catch {
      // the tracer is closed: resumeAll() took every entry before that
    }
  }

  /** close(), before the tracer closes: resumes every process in the `held` map. */
  resumeAll(): void {
    this.waiting.clear();
    try {
      this.tracer.resumeAllHeld();
    } catch {
      // closed already
    }
  }

  /** close(), after the tracer closed: the guardian sweeps once more (an exec still running) and exits. */
  async stop(): Promise<void> {
    this.stopping = true;
    const guardian = this.guardian ?? (await this.starting?.catch(() => undefined));
    await guardian?.stop();
  }
}
