import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './parse-duration.js';

describe('--duration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['3', 3_000],
  ])('reads %s as %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['0s', '-1s', '10x', 's', '', '0.1ms'])('rejects %j with BAD_DURATION', (text) => {
    expect(() => parseDurationMs(text)).toThrow(expect.objectContaining({ code: 'BAD_DURATION' }));
  });
});
