import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arm64Userland, PinnedPackage } from './kernel-lock.js';
import { outDir, repoRoot } from './paths.js';

const archive = join(repoRoot, 'scripts', 'debian-archive.sh');
const arm64Archive = (args: string[]): string =>
  execFileSync(archive, args, { encoding: 'utf8', env: { ...process.env, HTTPWATCHER_DEB_ARCH: 'arm64' } }).trim();

/** The userland's roots resolved again (apt's choice on an empty system), each package pinned by its .deb's sha256. */
export function resolveArm64Userland(userland: Arm64Userland): Arm64Userland {
  const packages = arm64Archive(['closure', userland.suite, ...userland.roots])
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line): PinnedPackage => {
      const [name, version] = line.split(' ') as [string, string];
      const deb = arm64Archive(['deb', name, version]);
      return { package: name, version, sha256: createHash('sha256').update(readFileSync(deb)).digest('hex') };
    });
  return { ...userland, packages };
}

/** What a guest never reads: documentation, manuals, translations, iconv modules. */
const UNUSED = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/locale',
  'usr/share/lintian',
  'usr/lib/aarch64-linux-gnu/gconv',
];

/**
 * An arm64 root file system holding the pinned packages, unpacked (never installed: no maintainer
 * scripts run) into one directory, with the merged-/usr links trixie's base-files would make.
 * Reused while the pinned list is unchanged. Returns its path.
 */
export function arm64UserlandRoot(userland: Arm64Userland): string {
  const root = join(outDir, 'arm64-root');
  const key = JSON.stringify(userland.packages);
  const stamp = join(outDir, 'arm64-root.key');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return root;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
  for (const link of ['lib', 'bin', 'sbin']) symlinkSync(`usr/${link}`, join(root, link));
  for (const p of userland.packages) {
    const dir = arm64Archive(['pinned', p.package, p.version, p.sha256]);
    // cp -a merges each package into the tree; its own /lib or /bin (older packages) land in /usr.
    for (const top of ['usr', 'lib', 'bin', 'sbin', 'etc'])
      if (existsSync(join(dir, top)))
        execFileSync('cp', ['-a', '--no-target-directory', join(dir, top), join(root, top === 'etc' ? 'etc' : top)]);
  }
  for (const unused of UNUSED) rmSync(join(root, unused), { recursive: true, force: true });
  writeFileSync(stamp, key);
  return root;
}
