import { describe, expect, it } from 'vitest';
import { RequestLines } from './request-lines.js';

const line = (pid: number, url = 'http://bulk.invalid/bulk/1'): string =>
  `{"time":"2025-12-06T02:12:00.123Z","pid":${pid},"nsPid":${pid},"tid":${pid},"goid":7,"method":"GET","url":"${url}"}\n`;

describe('RequestLines', () => {
  it('counts lines per PID across chunks that cut lines anywhere, heads included', () => {
    const text = Buffer.from(line(41) + line(4242) + line(41) + line(41, 'x'.repeat(5000)));
    for (const cut of [1, 10, 31, 60, 200, text.length - 1]) {
      const lines = new RequestLines();
      lines.add(text.subarray(0, cut));
      lines.add(text.subarray(cut));
      lines.end();
      expect([...lines.byPid]).toEqual([
        [41, 3],
        [4242, 1],
      ]);
      expect(lines.total).toBe(4);
      expect(lines.of([41, 99])).toBe(3);
    }
  });

  it('counts a last line without its newline', () => {
    const lines = new RequestLines();
    lines.add(Buffer.from(line(7).trimEnd()));
    lines.end();
    expect(lines.byPid.get(7)).toBe(1);
  });

  it('counts lines that are not requests apart', () => {
    const lines = new RequestLines();
    lines.add(Buffer.from(`{"kind":"ready"}\nhello\n${line(7)}`));
    lines.end();
    expect([lines.total, lines.unrecognised]).toEqual([1, 2]);
  });
});
