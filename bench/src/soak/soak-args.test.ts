import { describe, expect, it } from 'vitest';
import { parseSoakArgs } from './soak-args.js';

describe('parseSoakArgs', () => {
  it('takes 30 minutes when none are given', () => {
    expect(parseSoakArgs([])).toEqual({ minutes: 30 });
  });

  it('reads --minutes N and --minutes=N, fractions too, after the -- pnpm passes on', () => {
    expect(parseSoakArgs(['--', '--minutes', '2'])).toEqual({ minutes: 2 });
    expect(parseSoakArgs(['--minutes=0.5'])).toEqual({ minutes: 0.5 });
  });

  it.each([
    [['--minutes'], '--minutes needs a number of minutes'],
    [['--minutes', ''], '--minutes needs a number of minutes'],
    [['--minutes', '0'], '--minutes must be a number above 0 and at most 1440, not "0"'],
    [['--minutes', '-3'], '--minutes must be a number above 0 and at most 1440, not "-3"'],
    [['--minutes', 'ten'], '--minutes must be a number above 0 and at most 1440, not "ten"'],
    [['--minutes=Infinity'], '--minutes must be a number above 0 and at most 1440, not "Infinity"'],
    [['--minutes', '1441'], '--minutes must be a number above 0 and at most 1440, not "1441"'],
    [['--quick'], 'unknown argument "--quick"'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseSoakArgs(argv)).toThrow(message);
  });
});
