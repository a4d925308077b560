import { describe, expect, it } from 'vitest';
import { type RecordSpan, wordsOf } from './record-span.js';
import { RequestShapes } from './request-shapes.js';
import { requestRecord } from './test-support/ring-records.js';

/** The record framed with `shapeId` in memory of its own, as a batch or the backlog holds it. */
function spanOf(record: Buffer, shapeId: number): RecordSpan {
  const bytes = Buffer.alloc(8 + record.length + 8, 0xee);
  bytes.writeUInt32LE(record.length, 0);
  bytes.writeUInt32LE(shapeId, 4);
  record.copy(bytes, 8);
  return { bytes, words: wordsOf(bytes), start: 8, size: record.length };
}

const record = (path: string, images = false): Buffer =>
  requestRecord({
    strings: { method: 'GET', host: 'h.test', path },
    headers: images ? [{ key: '', value: 'v', keyOffset: 16n }] : [],
  });

const noImages = { text: () => undefined };

describe('RequestShapes: a record is known by the shape id of its frame', () => {
  it('gives the kept shape to a record of the same id without decoding it', () => {
    const shapes = new RequestShapes(noImages, undefined);
    const shape = shapes.shapeOf(spanOf(record('/a'), 7));
    expect(shape.url).toBe('//h.test/a');
    // The id decides: a record of id 7 is not decoded again (the addon vouches that its bytes match).
    expect(shapes.shapeOf(spanOf(record('/other'), 7))).toBe(shape);
    expect(shapes.shapeOf(spanOf(record('/b'), 8)).url).toBe('//h.test/b');
  });

  it('decodes every record of id 0 (a batch the addon did not frame)', () => {
    const shapes = new RequestShapes(noImages, undefined);
    const first = shapes.shapeOf(spanOf(record('/a'), 0));
    const second = shapes.shapeOf(spanOf(record('/a'), 0));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('keeps the 4 most recently used shapes', () => {
    const shapes = new RequestShapes(noImages, undefined);
    const kept = [1, 2, 3, 4].map((id) => shapes.shapeOf(spanOf(record(`/${id}`), id)));
    expect(shapes.shapeOf(spanOf(record('/1'), 1))).toBe(kept[0]);
    shapes.shapeOf(spanOf(record('/5'), 5)); // 2 was the least recently used
    expect(shapes.shapeOf(spanOf(record('/1'), 1))).toBe(kept[0]);
    expect(shapes.shapeOf(spanOf(record('/2'), 2))).not.toBe(kept[1]);
  });

  it('does not keep a shape with a text it could not read, and forgets all when told or after 2 GiB of batches', () => {
    let readable = false;
    const images = { text: () => (readable ? 'Key' : undefined) };
    const shapes = new RequestShapes(images, undefined);
    const incomplete = shapes.shapeOf(spanOf(record('/a', true), 3));
    expect(incomplete.incomplete).toBe(true);
    readable = true;
    const complete = shapes.shapeOf(spanOf(record('/a', true), 3));
    expect(complete.incomplete).toBe(false);
    expect(shapes.shapeOf(spanOf(record('/a', true), 3))).toBe(complete);
    shapes.forget();
    expect(shapes.shapeOf(spanOf(record('/a', true), 3))).not.toBe(complete);
    const again = shapes.shapeOf(spanOf(record('/a', true), 3));
    shapes.passed(2 ** 30);
    expect(shapes.shapeOf(spanOf(record('/a', true), 3))).toBe(again);
    shapes.passed(2 ** 30 + 1);
    expect(shapes.shapeOf(spanOf(record('/a', true), 3))).not.toBe(again);
  });
});
