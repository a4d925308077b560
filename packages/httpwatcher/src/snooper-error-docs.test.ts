import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { describe, expect, it } from 'vitest';

/** The members of the `SnooperErrorCode` union, read from its source. */
function errorCodes(): string[] {
  const source = readFileSync(join(import.meta.dirname, 'snooper-error.ts'), 'utf8');
  const union = /export type SnooperErrorCode =([^;]*);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
}

describe('every SnooperError code is documented', () => {
  const codes = errorCodes();

  it('reads the union', () => {
    expect(codes.length).toBeGreaterThan(15);
    expect(codes).toContain('PROBE_NOT_AT_INSTRUCTION');
  });

  it.each([
    ['the repository README', join(repoRoot, 'README.md')],
    ["the package's README", join(repoRoot, 'packages', 'httpwatcher', 'README.md')],
  ])('in %s', (_name, path) => {
    const text = readFileSync(path, 'utf8');
    expect(codes.filter((code) => !text.includes(`\`${code}\``))).toEqual([]);
  });
});
