/** How a process came to be traced. */
export type AttachSource = 'attach' | 'binary' | 'all' | 'spawn';

/** A traced process: what was found in its binary and how it is probed. */
export interface AttachedProcess {
  /** Host PID. */
  readonly pid: number;
  /** PID inside the process's own PID namespace (equals `pid` outside containers). */
  readonly nsPid: number;
  /** The executable, as the process (or the caller, for spawn and attachBinary) named it. */
  readonly exe: string;
  readonly goVersion: string;
  /** The Go main module's path from the build info (`example.com/svc`); the main package's path when no module is recorded. */
  readonly mainModule: string;
  readonly layoutEntry: string;
  readonly layoutSource: 'table' | 'dwarf';
  readonly probeAddress: number;
  readonly probeFileOffset: number;
  readonly warnings: readonly string[];
  readonly via: AttachSource;
}
