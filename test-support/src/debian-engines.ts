import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/** One row of test-support/debian-engines.lock. */
export interface EnginePin {
  package: string;
  version: string;
  sha256: string;
}

export const enginesLockPath = join(repoRoot, 'test-support', 'debian-engines.lock');

export function enginePins(lock = enginesLockPath): EnginePin[] {
  return readFileSync(lock, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [pkg, version, sha256] = line.trim().split(/\s+/);
      return { package: pkg!, version: version!, sha256: sha256! };
    });
}

/**
 * The unpacked root of a pinned Debian package (setup.sh unpacks them; this checks the .deb's
 * sha256 against the lock and unpacks it if it is not there yet).
 */
export function debianEngine(name: string): string {
  const pin = enginePins().find((p) => p.package === name);
  if (!pin) throw new Error(`${name} is not pinned in ${enginesLockPath}`);
  return execFileSync(
    join(repoRoot, 'scripts', 'debian-archive.sh'),
    ['pinned', pin.package, pin.version, pin.sha256],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  ).trim();
}
