import { describe, expect, it } from 'vitest';
import { eventLayout as E } from './abi/bpf-abi.js';
import { type RecordSpan, wordsOf } from './record-span.js';
import { RequestShapes } from './request-shapes.js';
import { requestRecord } from './test-support/ring-records.js';

/** The record at offset 4 of memory of its own, as the backlog holds it. */
function spanOf(record: Buffer): RecordSpan {
  const bytes = Buffer.alloc(4 + record.length + 4, 0xee);
  record.copy(bytes, 4);
  return { bytes, words: wordsOf(bytes), start: 4, size: record.length };
}

/** A request whose record is not a multiple of 4 bytes long, its last byte the path's last character. */
const record = (path: string): Buffer => {
  const r = requestRecord({ strings: { method: 'GET', host: 'h.test', path } });
  expect(r.length % 4).not.toBe(0);
  return r;
};

const noImages = { text: () => undefined };

describe('RequestShapes: a record of a kept shape is known by its shape bytes', () => {
  it('gives the kept shape to a record that differs only in its call fields', () => {
    const shapes = new RequestShapes(noImages, undefined);
    const first = record('/a');
    const other = Buffer.from(first);
    for (const field of [E.ktimeNs, E.goid, E.requestPtr, E.g]) other.writeBigUInt64LE(0x1234_5678_9abc_def0n, field);
    for (const field of [E.tgid, E.tid, E.nsTgid]) other.writeUInt32LE(0xfedc_ba98, field);
    const shape = shapes.shapeOf(spanOf(first));
    expect(shapes.shapeOf(spanOf(other))).toBe(shape);
    expect(shape.url).toBe('//h.test/a');
  });

  it('decodes a record that differs in its last byte, or in a byte of its header past the call fields', () => {
    const shapes = new RequestShapes(noImages, undefined);
    const shape = shapes.shapeOf(spanOf(record('/a')));
    const last = shapes.shapeOf(spanOf(record('/b')));
    expect(last).not.toBe(shape);
    expect(last.url).toBe('//h.test/b');
    const flagged = record('/a');
    flagged.writeUInt16LE(2, E.nheadersTotal);
    const other = shapes.shapeOf(spanOf(flagged));
    expect(other).not.toBe(shape);
    expect(other.headerCount).toBe(2);
    expect(shapes.shapeOf(spanOf(record('/a')))).toBe(shape);
  });
});
