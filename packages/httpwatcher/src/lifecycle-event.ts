import type { AttachedProcess, AttachSource } from './attached-process.js';
import type { SnooperError } from './snooper-error.js';

/** A process became traced: by attach(), or found by attachBinary(), attachAll() or spawn(). */
export interface AttachNotice {
  readonly kind: 'attach';
  readonly pid: number;
  readonly nsPid: number;
  readonly via: AttachSource;
  readonly process: AttachedProcess;
}

/** A traced process ended (or replaced its program with exec); its probe state is already gone. */
export interface ExitNotice {
  readonly kind: 'exit';
  readonly pid: number;
  readonly nsPid: number;
  /** The exit code, or null when a signal ended it (or it exec'd). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** It called exec: the PID lives on, running another program (traced again if that one is watched). */
  readonly replaced: boolean;
  /** CLOCK_MONOTONIC nanoseconds at the exit, comparable with request events. */
  readonly monotonicNs: bigint;
  readonly time: Date;
}

/** A process that attachBinary() or attachAll() found could not be traced; the others go on. */
export interface ErrorNotice {
  readonly kind: 'error';
  readonly pid: number;
  readonly error: SnooperError;
}

/** What `Snooper.lifecycle()` yields. */
export type LifecycleEvent = AttachNotice | ExitNotice | ErrorNotice;
