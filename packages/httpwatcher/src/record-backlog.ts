import { frameBytes } from './abi/ring-records.js';
import { emptySpan, type RecordSpan, recordOf, wordsOf } from './record-span.js';

/** Bytes of each block of the backlog: allocated as records arrive, freed once read. */
const blockBytes = 1 << 20;
/** Blocks kept for reuse once read; more go to the garbage collector. */
const maxSpareBlocks = 2;

interface Memory {
  readonly bytes: Buffer;
  readonly words: Uint32Array;
}

interface Block extends Memory {
  /** Where the next record is written, and where the next one is read. */
  end: number;
  start: number;
  /** Memory of the backlog's own, written by pushFrom(); an adopted batch is only read. */
  readonly own: boolean;
}

/**
 * Its frame and the record, padded to a multiple of 8 bytes: the ring's own framing
 * (`[u32 size][u32 shape id][record][pad to 8]`, ring-records.ts), so that a batch of the ring can
 * be a block as it is (adopt()). Every record starts at a multiple of 8.
 */
const entryBytes = (size: number): number => (frameBytes + size + 7) & ~7;

/**
 * Request records that wait, undecoded, for room in a full queue: a record is its ring bytes
 * (about 330 for a request with 8 headers), a decoded event several times that, so a consumer
 * that falls behind for a while costs little memory and loses nothing. Records are copied into
 * blocks of 1 MiB, framed as the ring frames them, so that waiting records are a few
 * large buffers rather than one object each for the garbage collector to trace; a batch of the
 * ring that holds only request records is kept as a block of its own instead (adopt()), which
 * spares the copy. First in, first out; bounded by the bytes of the records it holds.
 */
export class RecordBacklog {
  private blocks: Block[] = [];
  /** Blocks read to their end, kept for the next ones: at a steady backlog no block becomes garbage. */
  private readonly spare: Memory[] = [];
  /** What shift() reads the oldest record into. */
  private readonly shifted: RecordSpan = emptySpan();
  /** Records held now, and their bytes. */
  length = 0;
  sizeBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Copies `record` in, with shape id 0; false when it would pass `maxBytes`. */
  push(record: Buffer): boolean {
    return this.pushFrom(record, undefined, 0, record.length, 0);
  }

  /**
   * Copies the record at [start, start + size) of `source` in, with its shape id (`sourceWords`:
   * its words, when `start` is a multiple of 4 in them); false when it would pass `maxBytes`.
   */
  pushFrom(
    source: Buffer,
    sourceWords: Uint32Array | undefined,
    start: number,
    size: number,
    shapeId: number,
  ): boolean {
    if (this.sizeBytes + size > this.maxBytes) return false;
    const need = entryBytes(size);
    let last = this.blocks.at(-1);
    if (!last?.own || last.end + need > last.bytes.length) {
      const memory = (need <= blockBytes ? this.spare.pop() : undefined) ?? newMemory(Math.max(blockBytes, need));
      last = { bytes: memory.bytes, words: memory.words, end: 0, start: 0, own: true };
      this.append(last);
    }
    const at = last.end;
    const into = last.words;
    into[at >>> 2] = size;
    into[(at >>> 2) + 1] = shapeId;
    const to = at + frameBytes;
    if (sourceWords) {
      // Word by word: for a record of a few hundred bytes, less than a copy through a view of it.
      const whole = size >>> 2;
      const from = start >>> 2;
      const toWord = to >>> 2;
      for (let i = 0; i < whole; i++) into[toWord + i] = sourceWords[from + i]!;
      for (let i = whole << 2; i < size; i++) last.bytes[to + i] = source[start + i]!;
    } else {
      source.copy(last.bytes, to, start, start + size);
    }
    last.end += need;
    this.length++;
    this.sizeBytes += size;
    return true;
  }

  /**
   * Keeps `batch`, framed as the ring frames records and holding `records` records of `sizeBytes`
   * bytes in all, up to `end`, as a block (`words`: its words, its offset a multiple of 4). Only
   * into an empty backlog (false otherwise, and when they would pass `maxBytes`): then the
   * consumer is keeping up and takes the batch soon, while it is still young for the garbage
   * collector. A batch held while the consumer is behind outlives minor collections and is freed
   * only by a major one, where copies go to blocks that are reused (BENCHMARKS.md: VmHWM grew by
   * 30-50 MB with a slow pipe). The batch is only read, and must not change while it is held.
   */
  adopt(batch: Buffer, words: Uint32Array, records: number, sizeBytes: number, end: number): boolean {
    if (this.length > 0 || sizeBytes > this.maxBytes) return false;
    this.append({ bytes: batch, words, end, start: 0, own: false });
    this.length += records;
    this.sizeBytes += sizeBytes;
    return true;
  }

  /** The oldest record, as a view of its block: valid until the next push(), which may reuse the block. */
  shift(): Buffer | undefined {
    return this.take(this.shifted) ? recordOf(this.shifted) : undefined;
  }

  /**
   * Takes the oldest record: `span` is set to where it lies in its block, valid until the next
   * push(), which may reuse the block. False when there is none.
   */
  take(span: RecordSpan): boolean {
    const first = this.blocks[0];
    if (!first || first.start >= first.end) return false;
    const at = first.start;
    const size = first.words[at >>> 2]!;
    span.bytes = first.bytes;
    span.words = first.words;
    span.start = at + frameBytes;
    span.size = size;
    first.start += entryBytes(size);
    this.length--;
    this.sizeBytes -= size;
    if (first.start >= first.end) {
      if (this.blocks.length > 1 || !first.own) {
        this.blocks.shift();
        this.keep(first);
      } else {
        first.start = first.end = 0; // reuse the one block left
      }
    }
    return true;
  }

  /**
   * Adds a block after the others. The one block left once read to its end waits for the next
   * records; when they go to another block (an adopted batch, or one large enough for a record
   * larger than it), take() must not find it first.
   */
  private append(block: Block): void {
    const last = this.blocks.at(-1);
    if (last && last.start >= last.end) {
      this.blocks.pop();
      this.keep(last);
    }
    this.blocks.push(block);
  }

  /** A block read to its end: its memory, if the backlog's own, is kept for the next ones, up to `maxSpareBlocks`. */
  private keep(block: Block): void {
    if (block.own && this.spare.length < maxSpareBlocks && block.bytes.length === blockBytes) this.spare.push(block);
  }
}

function newMemory(bytes: number): Memory {
  const buffer = Buffer.allocUnsafeSlow(bytes);
  return { bytes: buffer, words: wordsOf(buffer) };
}
