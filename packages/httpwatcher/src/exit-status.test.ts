import { describe, expect, it } from 'vitest';
import { exitStatusOf } from './exit-status.js';

describe('exitStatusOf', () => {
  it('decodes an exit code', () => expect(exitStatusOf(3 << 8)).toEqual({ code: 3, signal: null }));
  it('decodes a signal, with or without a core dump', () => {
    expect(exitStatusOf(9)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitStatusOf(0x80 | 11)).toEqual({ code: null, signal: 'SIGSEGV' });
  });
});
