// Test-only: the fixture matrix built by test-fixtures/build.sh, and the CI rule for missing inputs.
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { inCi } from '@httpwatcher/test-support/gates';
import { it } from 'vitest';

/** The built `client` fixtures: one program per matrix cell is enough for layouts. */
export function fixtureRows(): Fixture[] {
  return builtFixtures((row) => row.program === 'client');
}

type TestBody = () => unknown;
type Register = (name: string, body: TestBody, timeoutMs?: number) => void;
export type ConditionalIt = Register & { concurrent: Register };

/**
 * `it` when the input exists; otherwise skipped locally but failing under CI=true, so a CI run that lost its
 * toolchains or fixtures cannot pass by testing nothing.
 */
export function itWhen(available: boolean, missing: string): ConditionalIt {
  if (available) {
    return Object.assign((n: string, b: TestBody, t?: number) => it(n, b, t), {
      concurrent: (n: string, b: TestBody, t?: number) => it.concurrent(n, b, t),
    });
  }
  if (inCi) {
    const fail = (n: string) =>
      it(n, () => {
        throw new Error(`${missing} (required when CI=true)`);
      });
    return Object.assign(fail, { concurrent: fail });
  }
  const skip = (n: string, b: TestBody) => it.skip(n, b);
  return Object.assign(skip, { concurrent: skip });
}
