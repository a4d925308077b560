import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtFixtures, type FixtureRow, manifestRows } from './fixtures.js';
import { repoRoot } from './repo-root.js';

function row(program: string, path: string): FixtureRow {
  return {
    program,
    go: '1.24',
    goVersion: 'go1.24.11',
    variant: 'default',
    goarch: 'amd64',
    cgo: 1,
    goexperiment: '',
    flags: '',
    path,
    goroot: '/go',
  };
}

/** A manifest whose first row names a file that exists (this package's manifest), the second one that does not. */
function manifest(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-manifest-')), 'manifest.json');
  writeFileSync(
    path,
    JSON.stringify([row('client', 'test-support/package.json'), row('other', 'test-fixtures/out/none')]),
  );
  return path;
}

describe('the fixture manifest', () => {
  it('lists every row, built or not, and nothing before the first build', () => {
    expect(manifestRows(manifest()).map((r) => r.program)).toEqual(['client', 'other']);
    expect(manifestRows(join(tmpdir(), 'no-such-manifest.json'))).toEqual([]);
  });

  it('gives the built fixtures that pass the filter, with their absolute paths', () => {
    const path = manifest();
    expect(builtFixtures(undefined, path)).toEqual([
      { ...row('client', 'test-support/package.json'), absolutePath: join(repoRoot, 'test-support', 'package.json') },
    ]);
    expect(builtFixtures((f) => f.program === 'other', path)).toEqual([]);
  });
});
