/** Bytes of each block of the backlog: allocated as records arrive, freed once read. */
const blockBytes = 1 << 20;
/** Blocks kept for reuse once read; more go to the garbage collector. */
const maxSpareBlocks = 2;

interface Block {
  readonly bytes: Buffer;
  /** Where the next record is written, and where the next one is read. */
  end: number;
  start: number;
}

/**
 * Request records that wait, undecoded, for room in a full queue: a record is its ring bytes
 * (about 330 for a request with 8 headers), a decoded event several times that, so a consumer
 * that falls behind for a while costs little memory and loses nothing. Records are copied into
 * blocks of 1 MiB, each one `[u32 size][record]`, so that waiting records are a few large
 * buffers rather than one object each for the garbage collector to trace, and the ring's
 * batches are freed at once. First in, first out; bounded by the bytes of the records it holds.
 */
export class RecordBacklog {
  private blocks: Block[] = [];
  /** Blocks read to their end, kept for the next ones: at a steady backlog no block becomes garbage. */
  private readonly spare: Buffer[] = [];
  /** Records held now, and their bytes. */
  length = 0;
  sizeBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Copies `record` in; false when it would pass `maxBytes`. */
  push(record: Buffer): boolean {
    if (this.sizeBytes + record.length > this.maxBytes) return false;
    const need = 4 + record.length;
    let last = this.blocks.at(-1);
    if (!last || last.end + need > last.bytes.length) {
      const bytes = need <= blockBytes ? this.spare.pop() : undefined;
      last = { bytes: bytes ?? Buffer.allocUnsafeSlow(Math.max(blockBytes, need)), end: 0, start: 0 };
      this.blocks.push(last);
    }
    last.bytes.writeUInt32LE(record.length, last.end);
    last.bytes.set(record, last.end + 4);
    last.end += need;
    this.length++;
    this.sizeBytes += record.length;
    return true;
  }

  /** The oldest record, as a view of its block: valid until the next push(), which may reuse the block. */
  shift(): Buffer | undefined {
    const first = this.blocks[0];
    if (!first || first.start === first.end) return undefined;
    const size = first.bytes.readUInt32LE(first.start);
    const record = first.bytes.subarray(first.start + 4, first.start + 4 + size);
    first.start += 4 + size;
    this.length--;
    this.sizeBytes -= size;
    if (first.start === first.end) {
      if (this.blocks.length > 1) {
        this.blocks.shift();
        if (this.spare.length < maxSpareBlocks && first.bytes.length === blockBytes) this.spare.push(first.bytes);
      } else {
        first.start = first.end = 0; // reuse the one block left
      }
    }
    return record;
  }
}
