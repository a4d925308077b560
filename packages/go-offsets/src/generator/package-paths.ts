import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The go-offsets package directory, found from this file whether it runs from src/ (vitest) or dist/. */
export function packageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === '@httpwatcher/go-offsets')
      return dir;
    dir = dirname(dir);
  }
  throw new Error('go-offsets: cannot find the package directory');
}

export const paths = {
  dataDir: () => join(packageDir(), 'data'),
  dataFile: (minor: string) => join(packageDir(), 'data', `${minor}.json`),
  committedDataModule: () => join(packageDir(), 'src', 'table', 'committed-data.ts'),
  probeDir: () => join(packageDir(), 'generator', 'probe'),
  dwarfHelperDir: () => join(packageDir(), 'generator', 'dwarf-layouts'),
  /** The repository's toolchain fetcher: prints a GOROOT for `go <1.NN>`, from a cache or the Debian archive. */
  debianArchive: () => resolve(packageDir(), '..', '..', 'scripts', 'debian-archive.sh'),
};
