import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/** One cell of the fixture matrix: a row of test-fixtures/out/manifest.json, as test-fixtures/build.sh writes it. */
export interface FixtureRow {
  /** The program's directory in test-fixtures/ (client, response-client, bench-client, ...). */
  program: string;
  /** The toolchain's minor, e.g. "1.24". */
  go: string;
  /** What the binary's build info says, e.g. "go1.24.11". */
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

/** A fixture whose binary is there. */
export interface Fixture extends FixtureRow {
  readonly absolutePath: string;
}

export const manifestPath = join(repoRoot, 'test-fixtures', 'out', 'manifest.json');

/** Every row of the manifest, built or not; none before the first `bash test-fixtures/build.sh`. */
export function manifestRows(manifest = manifestPath): FixtureRow[] {
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as FixtureRow[]) : [];
}

/** The fixtures that are built and pass `filter`, in manifest order. */
export function builtFixtures(filter: (fixture: Fixture) => boolean = () => true, manifest = manifestPath): Fixture[] {
  return manifestRows(manifest)
    .map((row) => ({ ...row, absolutePath: join(repoRoot, row.path) }))
    .filter((fixture) => existsSync(fixture.absolutePath) && filter(fixture));
}
