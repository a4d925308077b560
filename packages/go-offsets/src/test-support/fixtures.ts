// Test-only: the fixture matrix built by test-fixtures/build.sh, and the CI rule for missing inputs.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'vitest';
import { packageDir } from '../generator/package-paths.js';

export interface FixtureRow {
  program: string;
  go: string;
  goVersion: string;
  variant: string;
  goarch: 'amd64' | 'arm64';
  cgo: number;
  goexperiment: string;
  flags: string;
  /** Relative to the repository root. */
  path: string;
  goroot: string;
}

export const repoRoot = resolve(packageDir(), '..', '..');
const manifestPath = join(repoRoot, 'test-fixtures', 'out', 'manifest.json');

export function fixtureRows(): FixtureRow[] {
  if (!existsSync(manifestPath)) return [];
  // One program per matrix cell is enough for layouts: the `client` fixture.
  return (JSON.parse(readFileSync(manifestPath, 'utf8')) as FixtureRow[]).filter(
    (r) => r.program === 'client' && existsSync(join(repoRoot, r.path)),
  );
}

export function fixturePath(row: FixtureRow): string {
  return join(repoRoot, row.path);
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
  if (process.env.CI === 'true') {
    const fail = (n: string) =>
      it(n, () => {
        throw new Error(`${missing} (required when CI=true)`);
      });
    return Object.assign(fail, { concurrent: fail });
  }
  const skip = (n: string, b: TestBody) => it.skip(n, b);
  return Object.assign(skip, { concurrent: skip });
}
