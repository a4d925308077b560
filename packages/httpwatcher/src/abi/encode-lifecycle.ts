import {
  binaryKeyLayout as K,
  ignoreLayout as I,
  lifecycleLayout as L,
  LifecycleFlag,
  LifecycleKind,
  tracedLayout as T,
  watchLayout as W,
} from './bpf-abi.js';
import type { BinaryIdentity } from '../binary-identity.js';

/** Key of the `targets` and `configs` maps: a host PID or a binary id (u32). */
export function encodeU32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32LE(value);
  return buf;
}

/** `struct hw_traced`: which process (start time) may be read by which probe (binary id), and how. */
export function encodeTraced(target: Buffer, startTicks: bigint, binaryId: number): Buffer {
  const buf = Buffer.alloc(T.size);
  buf.writeBigUInt64LE(startTicks, T.startTicks);
  buf.writeUInt32LE(binaryId, T.binaryId);
  target.copy(buf, T.target);
  return buf;
}

/** `struct hw_binary_key` */
export function encodeBinaryKey(id: Pick<BinaryIdentity, 'dev' | 'ino'>): Buffer {
  const buf = Buffer.alloc(K.size);
  buf.writeBigUInt64LE(id.dev, K.dev);
  buf.writeBigUInt64LE(id.ino, K.ino);
  return buf;
}

/** `struct hw_watch`: parentTgid 0 traces every process of the binary, else only that process's children. */
export function encodeWatch(binaryId: number, parentTgid: number): Buffer {
  const buf = Buffer.alloc(W.size);
  buf.writeUInt32LE(binaryId, W.binaryId);
  buf.writeUInt32LE(parentTgid, W.parentTgid);
  return buf;
}

/** `struct hw_ignore` */
export function encodeIgnore(id: Pick<BinaryIdentity, 'mtimeSec' | 'mtimeNsec'>): Buffer {
  const buf = Buffer.alloc(I.size);
  buf.writeBigInt64LE(id.mtimeSec, I.mtimeSec);
  buf.writeUInt32LE(id.mtimeNsec, I.mtimeNsec);
  return buf;
}

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
  /** exec: the kernel inserted the process's targets entry. */
  traced: boolean;
  /** exec: stopped with SIGSTOP until user space sends SIGCONT. */
  held: boolean;
  /** exec: the binary is watched but the targets map was full. */
  targetsFull: boolean;
  /** exit: the process exec'd another program. */
  replaced: boolean;
  /** exec: the new executable. */
  binary: Pick<BinaryIdentity, 'dev' | 'ino' | 'mtimeSec' | 'mtimeNsec'>;
  monotonicNs: bigint;
}

/** The kind byte of a ring record; request and lifecycle records keep it at the same offset. */
export function recordKind(record: Buffer): number {
  return record.length > L.kind ? record.readUInt8(L.kind) : 0;
}

export function isLifecycleRecord(record: Buffer): boolean {
  const kind = recordKind(record);
  return kind === LifecycleKind.exit || kind === LifecycleKind.exec;
}

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
    targetsFull: (flags & LifecycleFlag.targetsFull) !== 0,
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
