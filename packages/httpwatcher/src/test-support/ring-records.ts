import {
  CallEndKind,
  callEndLayout as C,
  EventKind,
  eventLayout as E,
  headerEntryLayout as H,
  IMAGE_OFFSET_BYTES,
  HeaderFlag,
  LifecycleFlag,
  LifecycleKind,
  lifecycleLayout as L,
  ResponseKind,
  responseLayout as R,
  type StringField,
  stringFields,
  Via,
} from '../abi/bpf-abi.js';

export interface RequestRecordSpec {
  pid?: number;
  ktimeNs?: bigint;
  requestPtr?: bigint;
  strings?: Partial<Record<StringField, string>>;
  flags?: number;
  truncated?: number;
  total?: number;
  headers?: Array<{
    key: string;
    value: string;
    flags?: number;
    nvalues?: number;
    /** Send the key as this offset into the binary's read-only data instead of its bytes. */
    keyOffset?: bigint;
    valueOffset?: bigint;
  }>;
  binaryId?: number;
  /** Which probe wrote it (default `client`), and the goroutine's g pointer (default 0). */
  via?: 'client' | 'transport';
  g?: bigint;
}

function imageOffset(at: bigint): Buffer {
  const b = Buffer.alloc(IMAGE_OFFSET_BYTES);
  b.writeBigUInt64LE(at);
  return b;
}

/** A `struct hw_event` record the way bpf/httpwatcher.bpf.c lays it out (pid 42 at 1 s unless told). */
export function requestRecord(spec: RequestRecordSpec = {}): Buffer {
  const head = Buffer.alloc(E.size);
  head.writeUInt8(EventKind.request, E.kind);
  head.writeUInt32LE(spec.flags ?? 0, E.flags);
  head.writeUInt16LE(spec.truncated ?? 0, E.truncated);
  head.writeBigUInt64LE(spec.ktimeNs ?? 1_000_000_000n, E.ktimeNs);
  head.writeBigUInt64LE(spec.requestPtr ?? 0n, E.requestPtr);
  head.writeUInt32LE(spec.pid ?? 42, E.tgid);
  head.writeUInt32LE(spec.binaryId ?? 0, E.binaryId);
  head.writeUInt8(spec.via === 'transport' ? Via.transport : Via.client, E.via);
  head.writeBigUInt64LE(spec.g ?? 0n, E.g);
  const parts: Buffer[] = [head];
  stringFields.forEach((name, i) => {
    const bytes = Buffer.from(spec.strings?.[name] ?? '', 'utf8');
    head.writeUInt16LE(bytes.length, E.strLen + 2 * i);
    parts.push(bytes);
  });
  const headers = spec.headers ?? [];
  head.writeUInt8(headers.length, E.nheaders);
  head.writeUInt16LE(spec.total ?? headers.length, E.nheadersTotal);
  for (const h of headers) {
    const entry = Buffer.alloc(H.size);
    const key = Buffer.from(h.key, 'utf8');
    const value = Buffer.from(h.value, 'utf8');
    entry.writeUInt16LE(key.length, H.keyLen);
    entry.writeUInt16LE(value.length, H.valueLen);
    entry.writeUInt16LE(h.nvalues ?? 1, H.nvalues);
    const inImage =
      (h.keyOffset !== undefined ? HeaderFlag.keyInImage : 0) |
      (h.valueOffset !== undefined ? HeaderFlag.valueInImage : 0);
    entry.writeUInt8((h.flags ?? 0) | inImage, H.flags);
    parts.push(
      entry,
      h.keyOffset !== undefined ? imageOffset(h.keyOffset) : key,
      h.valueOffset !== undefined ? imageOffset(h.valueOffset) : value,
    );
  }
  return Buffer.concat(parts);
}

export interface ResponseRecordSpec {
  pid: number;
  requestPtr: bigint;
  startNs: bigint;
  endNs: bigint;
  status: number;
  flags?: number;
  /** The function that returned (default `client`). */
  via?: 'client' | 'transport';
}

/** A `struct hw_response` record: one completed call of net/http.(*Client).do (or, via transport, roundTrip). */
export function responseRecord(spec: ResponseRecordSpec): Buffer {
  const b = Buffer.alloc(R.size);
  b.writeUInt8(spec.via === 'transport' ? Via.transport : Via.client, R.via);
  b.writeBigUInt64LE(spec.endNs, R.ktimeNs);
  b.writeBigUInt64LE(spec.requestPtr, R.requestPtr);
  b.writeUInt32LE(spec.pid, R.tgid);
  b.writeUInt32LE(spec.flags ?? 0, R.flags);
  b.writeUInt16LE(spec.status, R.status);
  b.writeUInt8(ResponseKind, R.kind);
  b.writeBigUInt64LE(spec.startNs, R.startKtimeNs);
  return b;
}

/** A `struct hw_call_end` record: a return of net/http.(*Client).do on goroutine `g` (transport probe). */
export function callEndRecord(spec: { pid: number; g: bigint; ktimeNs?: bigint }): Buffer {
  const b = Buffer.alloc(C.size);
  b.writeBigUInt64LE(spec.ktimeNs ?? 0n, C.ktimeNs);
  b.writeBigUInt64LE(spec.g, C.g);
  b.writeUInt32LE(spec.pid, C.tgid);
  b.writeUInt32LE(spec.pid, C.nsTgid);
  b.writeUInt8(CallEndKind, C.kind);
  return b;
}

export interface LifecycleRecordSpec {
  kind: 'exit' | 'exec';
  pid: number;
  startTicks?: bigint;
  binaryId?: number;
  nsPid?: number;
  waitStatus?: number;
  flags?: Array<keyof typeof LifecycleFlag>;
  binary?: { dev: bigint; ino: bigint; mtimeSec: bigint; mtimeNsec: number };
}

/** A `struct hw_lifecycle` record, as the exec and exit programs write it. */
export function lifecycleRecord(spec: LifecycleRecordSpec): Buffer {
  const r = Buffer.alloc(L.size);
  r.writeUInt8(spec.kind === 'exit' ? LifecycleKind.exit : LifecycleKind.exec, L.kind);
  r.writeUInt32LE(spec.pid, L.tgid);
  r.writeUInt32LE(spec.nsPid ?? spec.pid, L.nsTgid);
  r.writeUInt32LE(spec.waitStatus ?? 0, L.exitCode);
  r.writeUInt32LE(spec.binaryId ?? 0, L.binaryId);
  r.writeBigUInt64LE(spec.startTicks ?? 0n, L.startTicks);
  r.writeUInt8(
    (spec.flags ?? []).reduce((bits, flag) => bits | LifecycleFlag[flag], 0),
    L.flags,
  );
  r.writeBigUInt64LE(spec.binary?.dev ?? 0n, L.dev);
  r.writeBigUInt64LE(spec.binary?.ino ?? 0n, L.ino);
  r.writeBigInt64LE(spec.binary?.mtimeSec ?? 0n, L.mtimeSec);
  r.writeUInt32LE(spec.binary?.mtimeNsec ?? 0, L.mtimeNsec);
  return r;
}

/**
 * Shape ids as the addon gives them (bpf-native's shape-ids.h): equal ids for request records equal
 * outside their call's fields ([0, flags) and [g, size) of struct hw_event), 0 for other records.
 * Unlike the addon's, these never repeat.
 */
export class FakeShapeIds {
  private readonly ids = new Map<string, number>();

  idOf(record: Buffer): number {
    if (record.length < E.size || record[E.kind] !== EventKind.request) return 0;
    const key = Buffer.concat([record.subarray(E.flags, E.g), record.subarray(E.size)]).toString('latin1');
    const id = this.ids.get(key) ?? this.ids.size + 1;
    this.ids.set(key, id);
    return id;
  }
}

/**
 * Records framed as the native ring reader delivers them: [u32 size][u32 shape id][record][pad to
 * 8] ..., with the shape ids given (0 for the others).
 */
export function batchOf(records: readonly Buffer[], shapeIds: readonly number[] = []): Buffer {
  return Buffer.concat(
    records.flatMap((record, i) => {
      const frame = Buffer.alloc(8);
      frame.writeUInt32LE(record.length, 0);
      frame.writeUInt32LE(shapeIds[i] ?? 0, 4);
      return [frame, record, Buffer.alloc((8 - (record.length % 8)) % 8)];
    }),
  );
}
