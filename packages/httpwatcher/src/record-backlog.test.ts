import { describe, expect, it } from 'vitest';
import { RecordBacklog } from './record-backlog.js';
import { emptySpan, recordOf, shapeIdOf, wordsOf } from './record-span.js';
import { batchOf } from './test-support/ring-records.js';

describe('RecordBacklog', () => {
  it('gives records back in the order they came, counting their bytes', () => {
    const backlog = new RecordBacklog(10);
    expect([backlog.push(Buffer.alloc(4, 1)), backlog.push(Buffer.alloc(6, 2))]).toEqual([true, true]);
    expect([backlog.length, backlog.sizeBytes]).toEqual([2, 10]);
    expect(backlog.shift()).toEqual(Buffer.alloc(4, 1));
    expect(backlog.shift()).toEqual(Buffer.alloc(6, 2));
    expect([backlog.shift(), backlog.length, backlog.sizeBytes]).toEqual([undefined, 0, 0]);
  });

  it('refuses a record that would pass its byte limit, and takes one again once there is room', () => {
    const backlog = new RecordBacklog(10);
    backlog.push(Buffer.alloc(8));
    expect(backlog.push(Buffer.alloc(3))).toBe(false);
    expect(backlog.push(Buffer.alloc(2))).toBe(true);
    backlog.shift();
    expect([backlog.push(Buffer.alloc(3)), backlog.sizeBytes]).toEqual([true, 5]);
  });

  it('keeps nothing with a limit of 0', () => {
    expect(new RecordBacklog(0).push(Buffer.alloc(1))).toBe(false);
  });

  it('keeps its order across many records taken and added', () => {
    const backlog = new RecordBacklog(1 << 20);
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      backlog.push(Buffer.from([i & 0xff, i >> 8]));
      if (i % 3 === 0) out.push(backlog.shift()!.readUInt16LE(0));
    }
    for (let r = backlog.shift(); r; r = backlog.shift()) out.push(r.readUInt16LE(0));
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('spreads records over blocks, a record larger than a block included, and frees them as they are read', () => {
    const backlog = new RecordBacklog(16 << 20);
    const sizes = [400_000, 400_000, 400_000, 3 << 20, 10, 400_000];
    expect(sizes.map((size, i) => backlog.push(Buffer.alloc(size, i + 1)))).toEqual(sizes.map(() => true));
    expect([backlog.length, backlog.sizeBytes]).toEqual([6, sizes.reduce((a, b) => a + b)]);
    const out = sizes.map(() => {
      const r = backlog.shift()!;
      return [r.length, r[0], r[r.length - 1]];
    });
    expect(out).toEqual(sizes.map((size, i) => [size, i + 1, i + 1]));
    expect([backlog.length, backlog.sizeBytes, backlog.shift()]).toEqual([0, 0, undefined]);
  });

  it('gives back a record larger than a block that came after every record was read', () => {
    const backlog = new RecordBacklog(16 << 20);
    backlog.push(Buffer.alloc(10, 1));
    backlog.shift();
    backlog.push(Buffer.alloc(2 << 20, 2));
    expect(backlog.shift()?.length).toBe(2 << 20);
  });
});

describe('RecordBacklog.pushFrom and take: records copied from a batch and read where they lie', () => {
  /** Records of 1 to 13 bytes (every remainder of 4), each at a multiple of 4 in one batch. */
  const records = Array.from({ length: 13 }, (_, i) =>
    Buffer.from(Array.from({ length: i + 1 }, (_, j) => 17 * i + j)),
  );
  const batch = Buffer.alloc(16 * 16, 0xee);
  const starts = records.map((r, i) => {
    r.copy(batch, 16 * i + 4);
    return 16 * i + 4;
  });

  for (const how of ['by words', 'by bytes'] as const)
    it(`copies each record ${how}, its bytes only, and gives it back as a span at a multiple of 4 after its shape id`, () => {
      const backlog = new RecordBacklog(1 << 20);
      const words = how === 'by words' ? wordsOf(batch) : undefined;
      for (const [i, r] of records.entries())
        expect(backlog.pushFrom(batch, words, starts[i]!, r.length, 100 + i)).toBe(true);
      expect([backlog.length, backlog.sizeBytes]).toEqual([13, records.reduce((a, r) => a + r.length, 0)]);
      const span = emptySpan();
      for (const [i, r] of records.entries()) {
        expect(backlog.take(span)).toBe(true);
        expect(span.start % 4).toBe(0);
        expect(shapeIdOf(span)).toBe(100 + i);
        expect(span.words.buffer).toBe(span.bytes.buffer);
        expect(recordOf(span)).toEqual(r);
      }
      expect([backlog.take(span), backlog.length, backlog.sizeBytes]).toEqual([false, 0, 0]);
    });

  it('refuses a record past its byte limit, as push() does', () => {
    const backlog = new RecordBacklog(5);
    expect(backlog.pushFrom(batch, wordsOf(batch), starts[3]!, 4, 1)).toBe(true);
    expect(backlog.pushFrom(batch, wordsOf(batch), starts[1]!, 2, 1)).toBe(false);
  });
});

describe('RecordBacklog.adopt: a batch of the ring kept whole', () => {
  const records = [Buffer.alloc(5, 1), Buffer.alloc(12, 2), Buffer.alloc(7, 3)];
  const batch = batchOf(records, [5, 6, 5]);

  it('gives its records back in order, with their shape ids, and records copied after it', () => {
    const backlog = new RecordBacklog(1 << 20);
    expect(backlog.adopt(batch, wordsOf(batch), 3, 24, batch.length)).toBe(true);
    backlog.push(Buffer.alloc(2, 8));
    expect([backlog.length, backlog.sizeBytes]).toEqual([4, 26]);
    const span = emptySpan();
    const out: Buffer[] = [];
    const ids: number[] = [];
    while (backlog.take(span)) {
      out.push(Buffer.from(recordOf(span)));
      ids.push(shapeIdOf(span));
    }
    expect(out).toEqual([...records, Buffer.alloc(2, 8)]);
    expect(ids).toEqual([5, 6, 5, 0]);
    expect([backlog.length, backlog.sizeBytes]).toEqual([0, 0]);
  });

  it('adopts only into an empty backlog: behind a consumer that is behind, batches are copied', () => {
    const backlog = new RecordBacklog(1 << 20);
    backlog.push(Buffer.alloc(3, 9));
    expect(backlog.adopt(batch, wordsOf(batch), 3, 24, batch.length)).toBe(false);
    expect([backlog.length, backlog.sizeBytes]).toEqual([1, 3]);
  });

  it('gives them back after records copied and taken before it (the block they left is empty, not the end)', () => {
    const backlog = new RecordBacklog(1 << 20);
    const span = emptySpan();
    backlog.push(Buffer.alloc(3, 9));
    expect(backlog.take(span)).toBe(true);
    expect(backlog.adopt(batch, wordsOf(batch), 3, 24, batch.length)).toBe(true);
    const out: Buffer[] = [];
    while (backlog.take(span)) out.push(Buffer.from(recordOf(span)));
    expect(out).toEqual(records);
    expect(backlog.length).toBe(0);
  });

  it('never writes to an adopted batch: records that come after it go to a block of its own', () => {
    const backlog = new RecordBacklog(1 << 20);
    const held = Buffer.from(batch);
    const span = emptySpan();
    expect(backlog.adopt(held, wordsOf(held), 3, 24, held.length)).toBe(true);
    while (backlog.take(span));
    backlog.push(Buffer.alloc(5, 7));
    expect(held).toEqual(batch);
    expect(backlog.take(span) && recordOf(span)).toEqual(Buffer.alloc(5, 7));
  });

  it('refuses a batch whose records would pass its byte limit', () => {
    const backlog = new RecordBacklog(23);
    expect(backlog.adopt(batch, wordsOf(batch), 3, 24, batch.length)).toBe(false);
    expect([backlog.length, backlog.sizeBytes]).toEqual([0, 0]);
  });
});
