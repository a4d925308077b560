/**
 * Where one ring record lies in a larger buffer (a batch, a block of the backlog), without a
 * `Buffer` of its own: at a client's full rate, a view object per record cost more than reading
 * it. `start` is a multiple of 4, so that `words` (the same memory as 32-bit words, in the host's
 * order: little-endian, as the BPF program writes) read the record's aligned fields. The record is
 * framed as a native batch frames it (ring-records.ts): its shape id is the word before it.
 */
export interface RecordSpan {
  bytes: Buffer;
  words: Uint32Array;
  start: number;
  size: number;
}

const noBytes = Buffer.alloc(0);
const noWords = new Uint32Array(0);

/** A span to be set (RecordBacklog.take). */
export const emptySpan = (): RecordSpan => ({ bytes: noBytes, words: noWords, start: 0, size: 0 });

/** The shape id of the record `span` points at (ring-records.ts, `frameBytes`). */
export const shapeIdOf = (span: RecordSpan): number => span.words[(span.start >>> 2) - 1]!;

/** The 32-bit words of `bytes`, whose offset in its memory must be a multiple of 4. */
export const wordsOf = (bytes: Buffer): Uint32Array =>
  new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);

/** The record as a `Buffer` (a view of the same memory, valid as long as the span's). */
export const recordOf = (span: RecordSpan): Buffer => span.bytes.subarray(span.start, span.start + span.size);
