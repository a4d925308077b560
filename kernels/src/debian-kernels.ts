import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { archOf, releaseOf, type LockedKernel } from './kernel-lock.js';
import { repoRoot } from './paths.js';

const archive = join(repoRoot, 'scripts', 'debian-archive.sh');
/** scripts/debian-archive.sh for the kernel's architecture (arm64 packages come from their own index). */
const archiveFor =
  (k: LockedKernel) =>
  (args: string[]): string =>
    execFileSync(archive, args, {
      encoding: 'utf8',
      env: { ...process.env, HTTPWATCHER_DEB_ARCH: archOf(k) },
    }).trim();

/** The kernel image of a locked kernel: fetched once into the cache, its .deb checked against the lock's sha256. */
export function kernelImage(k: LockedKernel): string {
  return join(archiveFor(k)(['pinned', k.package, k.version, k.sha256]), k.vmlinuz);
}

/** The modules the lock names for `k`: the release they are for, and each module's path on the host. */
export function kernelModules(k: LockedKernel): { release: string; files: Array<{ path: string; host: string }> } {
  const root = join(archiveFor(k)(['pinned', k.package, k.version, k.sha256]), 'lib', 'modules');
  const [release] = readdirSync(root);
  if (!release) throw new Error(`${k.package} has no lib/modules`);
  return { release, files: (k.modules ?? []).map((path) => ({ path, host: join(root, release, path) })) };
}

export interface Candidate {
  package: string;
  version: string;
}

/** dpkg's own ordering of Debian versions (~ sorts before anything, epochs, revisions). */
export function debianVersionGreater(a: string, b: string): boolean {
  return spawnSync('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;
}

/**
 * The newest package matching `select`. Since Linux 6.19 Debian splits a kernel: linux-image-X is
 * a small meta package and the image itself is in linux-binary-X; for the same release and
 * version the binary package wins.
 */
export function newestCandidate(candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (!best || debianVersionGreater(c.version, best.version)) best = c;
    else if (
      c.version === best.version &&
      releaseOf(c.package) === releaseOf(best.package) &&
      c.package.startsWith('linux-binary-')
    )
      best = c;
  }
  return best;
}

/** Re-resolves a kernel of the lock to the newest package of its series the archive has now. */
export function resolveLatest(k: LockedKernel): LockedKernel {
  const run = archiveFor(k);
  const candidates = run(['list', k.select])
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [pkg, version] = l.split(' ');
      return { package: pkg!, version: version! };
    })
    .filter((c) => new RegExp(k.select).test(c.package));
  const best = newestCandidate(candidates);
  if (!best) throw new Error(`the archive has no package matching ${k.select} (kernel ${k.name})`);
  const deb = run(['deb', best.package, best.version]);
  const sha256 = createHash('sha256').update(readFileSync(deb)).digest('hex');
  const unpacked = run(['pinned', best.package, best.version, sha256]);
  const vmlinuz = findImage(unpacked);
  if (!vmlinuz) throw new Error(`${best.package} ${best.version} holds no kernel image`);
  return { ...k, package: best.package, version: best.version, sha256, vmlinuz: relative(unpacked, vmlinuz) };
}

/** boot/vmlinuz-* (up to 6.18) or usr/lib/modules/<release>/vmlinuz (the split packages). */
function findImage(root: string): string | undefined {
  const boot = join(root, 'boot');
  const inBoot = safeList(boot).find((f) => f.startsWith('vmlinuz-'));
  if (inBoot) return join(boot, inBoot);
  const modules = join(root, 'usr', 'lib', 'modules');
  for (const release of safeList(modules)) {
    const image = join(modules, release, 'vmlinuz');
    if (safeIsFile(image)) return image;
  }
  return undefined;
}

const safeList = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
const safeIsFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};
