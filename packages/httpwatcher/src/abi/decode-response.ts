import { ResponseFlag, responseLayout as R, Via } from './bpf-abi.js';
import { DecodeError } from './decode-error.js';

/** One completed call of net/http.(*Client).do or (transport probe) roundTrip, as the uprobe on its RET saw it. */
export interface ResponseRecord {
  readonly pid: number;
  /** The function that returned, as the `via` of the call's request record. */
  readonly via: 'client' | 'transport';
  /** The *http.Request the call started with: with `startNs`, names its request record. */
  readonly requestPtr: bigint;
  /** CLOCK_MONOTONIC ns of the call's request record. */
  readonly startNs: bigint;
  /** CLOCK_MONOTONIC ns at the return. */
  readonly endNs: bigint;
  /** Response.StatusCode, undefined when no *Response came back (or it could not be read). */
  readonly status: number | undefined;
  /** The returned error was non-nil. */
  readonly error: boolean;
  readonly readError: boolean;
}

/** Decodes one `struct hw_response` record (bpf/httpwatcher.h). */
export function decodeResponse(record: Buffer): ResponseRecord {
  if (record.length < R.size) throw new DecodeError(`response record of ${record.length} bytes, expected ${R.size}`);
  const flags = record.readUInt32LE(R.flags);
  const answered = (flags & (ResponseFlag.noResponse | ResponseFlag.readError)) === 0;
  return {
    pid: record.readUInt32LE(R.tgid),
    via: record[R.via] === Via.transport ? 'transport' : 'client',
    requestPtr: record.readBigUInt64LE(R.requestPtr),
    startNs: record.readBigUInt64LE(R.startKtimeNs),
    endNs: record.readBigUInt64LE(R.ktimeNs),
    status: answered ? record.readUInt16LE(R.status) : undefined,
    error: (flags & ResponseFlag.error) !== 0,
    readError: (flags & ResponseFlag.readError) !== 0,
  };
}
