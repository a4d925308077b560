import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';

/**
 * The default-variant build of `program` with the newest toolchain the manifest has, so the agent
 * tests follow the fixture matrix instead of naming a Go version.
 */
export function newestFixture(program: string): Fixture {
  const found = builtFixtures((f) => f.program === program && f.variant === 'default' && f.goarch === 'amd64');
  const minor = (f: Fixture): number => Number(f.go.split('.')[1]);
  const newest = found.sort((a, b) => minor(b) - minor(a))[0];
  if (!newest) throw new Error(`no default build of ${program} in the fixture manifest: run test-fixtures/build.sh`);
  return newest;
}

/** The metrics' host label, written independently of the exporter: WHATWG URL drops a scheme's default port. */
export const hostOf = (url: string, hostOverride?: string): string =>
  hostOverride ? new URL(`http://${hostOverride}`).host : new URL(url).host;
