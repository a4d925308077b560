import { readdir } from 'node:fs/promises';
import { readBinaryIdentity, type BinaryIdentity } from './binary-identity.js';
import { procShowsHostPids, readProcessFacts, readStartTime } from './process-facts.js';

let hostPids: Promise<boolean> | undefined;

/** A live process as seen at one instant. */
export interface ProcessSnapshot {
  pid: number;
  startTime: string;
  binary: Pick<BinaryIdentity, 'dev' | 'ino'>;
}

/**
 * Where the Snooper learns which processes exist: /proc by default, a fake in unit tests. It is
 * asked again after an attach wrote its BPF state, to prove the PID still names the process resolved.
 */
export interface ProcessSource {
  /** The process now, or undefined when it is gone, exiting, or its executable cannot be read. */
  identify(pid: number): Promise<ProcessSnapshot | undefined>;
  /** Every live PID, in the host PID namespace. */
  list(): Promise<number[]>;
  /**
   * The start time of the process `pid` names now: null when there is none, undefined when it
   * cannot be told. Without it, traced processes whose exit record was lost are never let go
   * (option `exitSweepMs`).
   */
  startTimeOf?(pid: number): Promise<string | null | undefined>;
}

export const procProcessSource: ProcessSource = {
  async identify(pid) {
    try {
      const facts = await readProcessFacts(pid);
      if (facts.exiting) return undefined;
      return { pid, startTime: facts.startTime, binary: await readBinaryIdentity(`/proc/${pid}/exe`) };
    } catch {
      return undefined;
    }
  },
  async list() {
    const names = await readdir('/proc');
    return names.filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number);
  },
  // Unknown for every PID when /proc is not the host's: a process is never let go for missing there.
  async startTimeOf(pid) {
    hostPids ??= procShowsHostPids();
    return (await hostPids) ? readStartTime(pid) : undefined;
  },
};
