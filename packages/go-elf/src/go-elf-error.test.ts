import { describe, expect, it } from 'vitest';
import { GoElfError } from './go-elf-error.js';

describe('GoElfError', () => {
  it('carries code, path and cause and prefixes the message with the path', () => {
    const cause = new Error('boom');
    const error = new GoElfError('CORRUPT', '/bin/x', 'expected a, found b', cause);
    expect([error.code, error.path, error.cause, error.message, error.name]).toEqual([
      'CORRUPT',
      '/bin/x',
      cause,
      '/bin/x: expected a, found b',
      'GoElfError',
    ]);
  });

  it('recognises an error from another copy of the package by its Symbol.for marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('httpwatcher.GoElfError')]: true, code: 'NOT_ELF' });
    expect(GoElfError.isInstance(foreign)).toBe(true);
    expect(GoElfError.isInstance(new Error('x'))).toBe(false);
    expect(GoElfError.isInstance(null)).toBe(false);
  });
});
