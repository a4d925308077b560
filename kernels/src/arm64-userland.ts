import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arm64Userland } from './kernel-lock.js';
import { outDir, repoRoot } from './paths.js';

const archive = join(repoRoot, 'scripts', 'debian-archive.sh');

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
    const dir = execFileSync(archive, ['pinned', p.package, p.version, p.sha256], {
      encoding: 'utf8',
      env: { ...process.env, HTTPWATCHER_DEB_ARCH: 'arm64' },
    }).trim();
    // cp -a merges each package into the tree; its own /lib or /bin (older packages) land in /usr.
    for (const top of ['usr', 'lib', 'bin', 'sbin', 'etc'])
      if (existsSync(join(dir, top)))
        execFileSync('cp', ['-a', '--no-target-directory', join(dir, top), join(root, top === 'etc' ? 'etc' : top)]);
  }
  for (const unused of UNUSED) rmSync(join(root, unused), { recursive: true, force: true });
  writeFileSync(stamp, key);
  return root;
}
