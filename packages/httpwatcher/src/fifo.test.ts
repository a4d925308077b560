import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back in the order they came, then undefined', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 3000; i++) fifo.push(i);
    const out: number[] = [];
    for (let v = fifo.shift(); v !== undefined; v = fifo.shift()) out.push(v);
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(fifo.size).toBe(0);
    expect(fifo.peek()).toBeUndefined();
  });

  it('never empty for a million items, it holds slots for what it holds, not for what passed', () => {
    const fifo = new Fifo<{ n: number }>();
    for (let i = 0; i < 100; i++) fifo.push({ n: i });
    let next = 0;
    let most = 0;
    for (let i = 100; i < 1_000_000; i++) {
      fifo.push({ n: i });
      expect(fifo.shift()!.n).toBe(next++);
      most = Math.max(most, fifo.slots);
    }
    expect(fifo.size).toBe(100);
    expect(most).toBeLessThanOrEqual(2 * 100 + 1026);
    expect(fifo.peek()!.n).toBe(next);
  });
});
