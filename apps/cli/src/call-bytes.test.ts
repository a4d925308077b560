import { describe, expect, it } from 'vitest';
import { type CallFields, CallWriter, maxCallBytes } from './call-bytes.js';
import { jsonCall } from './format-json.js';
import { textCall } from './format-text.js';

/** Calls over second and millisecond edges, years far off, and every size of number, the largest goids too. */
function variedCalls(): CallFields[] {
  const times = [
    0,
    999,
    1000,
    1_764_998_400_000,
    1_764_998_400_999,
    1_764_998_401_005,
    253_402_300_799_999,
    8.64e15 - 1200,
  ];
  const numbers = [0, 1, 9, 10, 99, 100, 4242, 2 ** 31, 2 ** 32 - 1];
  const goids = [undefined, 1, 2 ** 40 + 3, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 2 ** 64 - 1];
  const calls: CallFields[] = [];
  // Each call twice: the second finds what the first left in the writer's caches.
  const twice = (call: CallFields): number => calls.push(call, call);
  for (const timeMs of times)
    for (let ms = timeMs; ms < timeMs + 1200; ms += 37)
      for (const n of numbers)
        for (const goid of goids) twice({ timeMs: ms, pid: n, nsPid: (n * 7) % 2 ** 32, tid: n + 1, goid });
  // Two processes that take turns, and one PID in two PID namespaces.
  for (let i = 0; i < 40; i++)
    calls.push({ timeMs: 1_764_998_400_000 + i, pid: 100 + (i % 2), nsPid: i % 3 === 0 ? 7 : 8, tid: 5 + i, goid: i });
  return calls;
}

describe('call bytes: a call written as the text jsonCall and textCall give', () => {
  const calls = variedCalls();
  const into = Buffer.alloc(maxCallBytes + 16);

  it(`JSON, ${calls.length} calls`, () => {
    const writer = CallWriter.json();
    for (const call of calls) {
      const end = writer.write(into, 3, call);
      expect(into.toString('latin1', 3, end)).toBe(jsonCall(call.timeMs, call.pid, call.nsPid, call.tid, call.goid));
      expect(end - 3).toBeLessThanOrEqual(maxCallBytes);
    }
  });

  for (const options of [
    { timestamps: false, color: false },
    { timestamps: true, color: false },
    { timestamps: true, color: true },
  ])
    it(`text${options.timestamps ? ', timestamps' : ''}${options.color ? ', color' : ''}`, () => {
      const writer = CallWriter.text(options);
      for (const call of calls) {
        const end = writer.write(into, 0, call);
        expect(into.toString('latin1', 0, end)).toBe(textCall(call.timeMs, call.pid, options));
      }
    });
});
