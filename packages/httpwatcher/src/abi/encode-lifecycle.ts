import {
  binaryKeyLayout as K,
  ignoreLayout as I,
  probeSiteLayout as S,
  tracedLayout as T,
  watchLayout as W,
} from './bpf-abi.js';
import type { BinaryIdentity } from '../binary-identity.js';

/** Key of the `traced_procs` and `probe_configs` maps: a host PID or a binary id (u32). */
export function encodeU32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32LE(value);
  return buf;
}

/** `struct hw_traced`: which process (start time) may be read by which probe (binary id), and how. */
export function encodeTraced(probeConfig: Buffer, startTicks: bigint, binaryId: number): Buffer {
  const buf = Buffer.alloc(T.size);
  buf.writeBigUInt64LE(startTicks, T.startTicks);
  buf.writeUInt32LE(binaryId, T.binaryId);
  probeConfig.copy(buf, T.config);
  return buf;
}

/** `struct hw_binary_key` */
export function encodeBinaryKey(id: Pick<BinaryIdentity, 'dev' | 'ino'>): Buffer {
  const buf = Buffer.alloc(K.size);
  buf.writeBigUInt64LE(id.dev, K.dev);
  buf.writeBigUInt64LE(id.ino, K.ino);
  return buf;
}

/** `struct hw_probe_site`: a uprobe site of a binary, as an offset from its lowest executable address. */
export function encodeProbeSite(binaryId: number, codeOffset: number): Buffer {
  const buf = Buffer.alloc(S.size);
  buf.writeUInt32LE(binaryId, S.binaryId);
  buf.writeBigUInt64LE(BigInt(codeOffset), S.codeOffset);
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
