import { constants } from 'node:os';

export interface ExitStatus {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process, or null. */
  signal: NodeJS.Signals | null;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** Decodes a wait status as the kernel keeps it in task->exit_code: (code << 8) | signal | 0x80 core. */
export function exitStatusOf(waitStatus: number): ExitStatus {
  const signal = waitStatus & 0x7f;
  if (signal === 0) return { code: (waitStatus >> 8) & 0xff, signal: null };
  return { code: null, signal: signalNames.get(signal) ?? (`SIG${signal}` as NodeJS.Signals) };
}
