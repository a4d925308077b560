import type { HttpRequestEvent } from '../http-event.js';
import type { MonotonicClock } from '../monotonic-clock.js';
import { CallEndKind, callEndLayout, EventKind, eventLayout, LifecycleKind, ResponseKind } from './bpf-abi.js';
import { DecodeError } from './decode-error.js';
import { decodeEvent, type ImageTextSource } from './decode-event.js';
import { decodeLifecycle, type LifecycleRecord } from './decode-lifecycle.js';
import { decodeResponse, type ResponseRecord } from './decode-response.js';

/**
 * The frame of each record of a native batch: [u32 size][u32 shape id][record][pad to 8] ... The
 * shape id (native-surface.ts, `start`) is the same for two request records exactly when they are
 * equal outside their call's fields; 0 for other records, and in batches made without one.
 */
export const frameBytes = 8;

/**
 * The size of the record framed at `at` of a native batch; the record starts at `at + frameBytes`.
 * Throws DecodeError when it overruns the batch.
 */
export function recordSizeAt(batch: Buffer, at: number): number {
  const size = batch.readUInt32LE(at);
  if (at + frameBytes + size > batch.length)
    throw new DecodeError(`record of ${size} bytes overruns its batch at ${at}`);
  return size;
}

/** Where the record after the one of `size` bytes framed at `at` is framed. */
export const nextRecordAt = (at: number, size: number): number => (at + frameBytes + size + 7) & ~7;

/** Splits a native batch into records. */
export function* recordsOf(batch: Buffer): Generator<Buffer> {
  for (let at = 0; at + frameBytes <= batch.length; ) {
    const size = recordSizeAt(batch, at);
    yield batch.subarray(at + frameBytes, at + frameBytes + size);
    at = nextRecordAt(at, size);
  }
}

/** Turns a request record into its event; the signature of decodeEvent. */
export type RequestDecoder = (record: Buffer, clock: MonotonicClock, images?: ImageTextSource) => HttpRequestEvent;

/** Where dispatchRecord sends each kind of record. */
export interface RecordHandlers {
  lifecycle(record: LifecycleRecord): void;
  response(record: ResponseRecord): void;
  /** The end of a Client.do call (transport probe attached): its process and goroutine. */
  callEnd(pid: number, g: bigint): void;
  /**
   * A request record, not decoded yet, with the decoder to call for its event: decoding is the
   * costly part, and a consumer that fell behind should not pay for events it will not get. A
   * record of unknown kind, or too short to have one, comes here too, with a decoder that
   * rejects it, so that it counts like the request it claims to be.
   */
  request(record: Buffer, decode: RequestDecoder): void;
}

/** Every record keeps its kind byte where `struct hw_event` has it (bpf-abi.test.ts checks the others). */
export const kindAt = eventLayout.kind;

/** Reads a ring record's kind, the one place that does, and hands the record to its handler. */
export function dispatchRecord(record: Buffer, to: RecordHandlers): void {
  const kind = record.length > kindAt ? record[kindAt] : undefined;
  switch (kind) {
    case EventKind.request:
      to.request(record, decodeEvent);
      return;
    case ResponseKind:
      to.response(decodeResponse(record));
      return;
    case CallEndKind:
      if (record.length < callEndLayout.size)
        throw new DecodeError(`call-end record of ${record.length} bytes, expected ${callEndLayout.size}`);
      to.callEnd(record.readUInt32LE(callEndLayout.tgid), record.readBigUInt64LE(callEndLayout.g));
      return;
    case LifecycleKind.exit:
    case LifecycleKind.exec:
      to.lifecycle(decodeLifecycle(record));
      return;
    default:
      to.request(record, () => {
        throw new DecodeError(
          kind === undefined ? `record of ${record.length} bytes has no kind byte` : `unknown record kind ${kind}`,
        );
      });
  }
}
