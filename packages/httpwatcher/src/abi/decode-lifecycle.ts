import { lifecycleLayout as L, LifecycleFlag, LifecycleKind } from './bpf-abi.js';
import type { BinaryIdentity } from '../binary-identity.js';

/** A `struct hw_lifecycle` record, as the BPF exec and exit programs write it. */
export interface LifecycleRecord {
  kind: 'exit' | 'exec';
  pid: number;
  ppid: number;
  nsPid: number;
  /** exit: wait status, (code << 8) | signal. */
  waitStatus: number;
  binaryId: number;
  startTicks: bigint;
  /** exec: the kernel inserted the process's traced_procs entry. */
  traced: boolean;
  /** exec: stopped with SIGSTOP until user space sends SIGCONT. */
  held: boolean;
  /** exec: the binary is watched but the traced_procs map was full. */
  tracedProcsFull: boolean;
  /** exit: the process exec'd another program. */
  replaced: boolean;
  /** exec: the new executable. */
  binary: Pick<BinaryIdentity, 'dev' | 'ino' | 'mtimeSec' | 'mtimeNsec'>;
  monotonicNs: bigint;
}

/** Decodes an exit or exec record; dispatchRecord hands only those here. */
export function decodeLifecycle(record: Buffer): LifecycleRecord {
  if (record.length < L.size)
    throw new RangeError(`lifecycle record of ${record.length} bytes is shorter than ${L.size}`);
  const flags = record.readUInt8(L.flags);
  return {
    kind: record.readUInt8(L.kind) === LifecycleKind.exit ? 'exit' : 'exec',
    pid: record.readUInt32LE(L.tgid),
    ppid: record.readUInt32LE(L.ppid),
    nsPid: record.readUInt32LE(L.nsTgid),
    waitStatus: record.readUInt32LE(L.exitCode),
    binaryId: record.readUInt32LE(L.binaryId),
    startTicks: record.readBigUInt64LE(L.startTicks),
    traced: (flags & LifecycleFlag.traced) !== 0,
    held: (flags & LifecycleFlag.held) !== 0,
    tracedProcsFull: (flags & LifecycleFlag.tracedProcsFull) !== 0,
    replaced: (flags & LifecycleFlag.replaced) !== 0,
    binary: {
      dev: record.readBigUInt64LE(L.dev),
      ino: record.readBigUInt64LE(L.ino),
      mtimeSec: record.readBigInt64LE(L.mtimeSec),
      mtimeNsec: record.readUInt32LE(L.mtimeNsec),
    },
    monotonicNs: record.readBigUInt64LE(L.ktimeNs),
  };
}
