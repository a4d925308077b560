import { describe, expect, it } from 'vitest';
import { BatchedOutput } from './batched-output.js';
import { OutputClosedError } from './output-sink.js';

/** A sink whose writes complete when the test says so. */
class ManualSink {
  readonly writes: string[] = [];
  private pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  write(bytes: Buffer): Promise<void> {
    this.writes.push(bytes.toString()); // a copy: the output reuses its buffers

    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  complete(): void {
    this.pending.shift()!.resolve();
  }

  fail(error: Error): void {
    this.pending.shift()!.reject(error);
  }
}

/** A call's part that is its text already. */
const ascii = (into: Buffer, at: number, text: string): number => at + into.write(text, at, 'latin1');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(maxPendingBytes = 1_000) {
  const sink = new ManualSink();
  const written: number[] = [];
  const failures: unknown[] = [];
  const output = new BatchedOutput(sink, maxPendingBytes, {
    written: (n) => written.push(n),
    failed: (e) => failures.push(e),
  });
  return { sink, written, failures, output };
}

describe('BatchedOutput', () => {
  it('gathers requests given as parts, and ones not printed, until send() and a few ms: one write for a batch', async () => {
    const { sink, written, output } = setup();
    output.addCall('{"pid":1,', ascii, Buffer.from('"u":"é"}\n'));
    output.skip();
    output.addCall('2 ', ascii, Buffer.from('GET /\n'));
    output.send();
    output.addCall('3 ', ascii, Buffer.from('GET /b\n'));
    output.send();
    expect(sink.writes).toEqual([]);
    await sleep(20);
    expect(sink.writes).toEqual(['{"pid":1,"u":"é"}\n2 GET /\n3 GET /b\n']);
    output.addCall('4 ', ascii, Buffer.from('GET /c\n'));
    output.send();
    sink.complete();
    await settle();
    expect(written).toEqual([4]);
    expect(sink.writes.at(-1)).toBe('4 GET /c\n');
    sink.complete();
    await output.flush();
    expect(written).toEqual([4, 1]);
  });

  it('at send(), writes 256 KiB or more at once, and flush() writes what is left', async () => {
    const { sink, output } = setup(10);
    const large = Buffer.alloc(256 * 1024, 0x61);
    output.addCall('1 ', ascii, large);
    output.send();
    expect(sink.writes.map((w) => w.length)).toEqual([2 + large.length]);
    output.addCall('2 ', ascii, Buffer.from('GET /\n'));
    sink.complete();
    await settle();
    sink.complete();
    output.addCall('3 ', ascii, Buffer.from('GET /\n'));
    const flushed = output.flush();
    await settle();
    sink.complete();
    await flushed;
    expect(sink.writes.slice(1)).toEqual(['2 GET /\n', '3 GET /\n']);
  });

  it('writes the first request at once and the ones that came meanwhile in one write', async () => {
    const { sink, written, output } = setup();
    output.add('a\n');
    output.add('b\n');
    output.add('');
    output.add('c\n');
    expect(sink.writes).toEqual(['a\n']);
    sink.complete();
    await settle();
    expect(sink.writes).toEqual(['a\n', 'b\nc\n']);
    expect(written).toEqual([1]);
    sink.complete();
    await output.flush();
    expect(written).toEqual([1, 3]);
  });

  it('counts requests that print nothing in order, after those before them were written', async () => {
    const { sink, written, output } = setup();
    output.add('a\n');
    output.add('');
    expect(written).toEqual([]);
    sink.complete();
    await output.flush();
    expect(written).toEqual([1, 1]);
    output.add('');
    expect(written).toEqual([1, 1, 1]);
  });

  it('holds the loop while pending text exceeds its limit, and lets it go when a write completes', async () => {
    const { sink, output } = setup(4);
    output.add('first\n');
    output.add('ab');
    expect(output.full).toBe(false);
    output.add('cd');
    expect(output.full).toBe(true);
    let roomy = false;
    void output.room().then(() => (roomy = true));
    await settle();
    expect(roomy).toBe(false);
    sink.complete();
    await settle();
    expect([roomy, sink.writes]).toEqual([true, ['first\n', 'abcd']]);
  });

  it('reports a failed write once, rejects flush with it and refuses more text', async () => {
    const { sink, failures, output } = setup();
    output.add('a\n');
    output.add('b\n');
    const closed = new OutputClosedError('gone');
    sink.fail(closed);
    await expect(output.flush()).rejects.toBe(closed);
    expect(failures).toEqual([closed]);
    expect(() => output.add('c\n')).toThrow(closed);
    expect(sink.writes).toEqual(['a\n']);
    await output.room();
  });

  it('writes text as UTF-8, a request larger than its buffers included', async () => {
    const { sink, output } = setup(4);
    const large = `${'é…\u{1F600}'.repeat(40_000)}\n`;
    output.add('a\n');
    output.add('ü\n');
    output.add(large);
    sink.complete();
    await settle();
    sink.complete();
    await output.flush();
    expect(sink.writes).toEqual(['a\n', `ü\n${large}`]);
  });
});
