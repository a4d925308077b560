import { describe, expect, it } from 'vitest';
import { RecordBacklog } from './record-backlog.js';

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
});
