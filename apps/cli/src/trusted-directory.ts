import { close, constants, lstat, open, readlink } from 'node:fs';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const lstatAsync = promisify(lstat);
const readlinkAsync = promisify(readlink);

/** As many symbolic links as the kernel follows in one path (Linux's MAXSYMLINKS). */
const maxLinks = 40;

/** A symbolic link on the way to the directory that its owner, not this process, decides. */
export class ForeignLinkError extends Error {
  override readonly name = 'ForeignLinkError';
  constructor(
    readonly link: string,
    readonly target: string,
    readonly owner: number,
  ) {
    super(`${link} is a symbolic link to ${target} owned by uid ${owner}`);
  }
}

const components = (path: string): string[] => path.split('/').filter((part) => part !== '');

/**
 * Opens the directory `path` one component at a time, each relative to the descriptor of the one
 * before (through /proc/self/fd, so nothing can be swapped between a check and the open), following
 * only symbolic links owned by root or by this process's user. A link another user owns could be
 * pointed anywhere between our check and our write (say /etc), and root would follow it: the kernel's
 * own guard (fs.protected_symlinks) covers only sticky world-writable directories, and only when
 * switched on. Throws ForeignLinkError for such a link, or the system error of the failing open.
 */
export async function openTrustedDirectory(path: string): Promise<number> {
  const directoryFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
  const trusted = new Set([0, process.geteuid?.() ?? 0]);
  let current = await openAsync(path.startsWith('/') ? '/' : '.', constants.O_RDONLY | constants.O_DIRECTORY);
  const pending = components(path);
  let links = 0;
  try {
    while (pending.length > 0) {
      const name = pending.shift()!;
      const at = `/proc/self/fd/${current}/${name}`;
      let next: number;
      try {
        next = await openAsync(at, directoryFlags);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ELOOP' && code !== 'ENOTDIR') throw error;
        const link = await lstatAsync(at);
        if (!link.isSymbolicLink()) throw error;
        const target = await readlinkAsync(at);
        if (!trusted.has(link.uid)) throw new ForeignLinkError(name, target, link.uid);
        if (++links > maxLinks) throw new Error(`more than ${maxLinks} symbolic links on the way to ${path}`);
        if (target.startsWith('/')) {
          next = await openAsync('/', constants.O_RDONLY | constants.O_DIRECTORY);
          await closeAsync(current);
          current = next;
        }
        pending.unshift(...components(target));
        continue;
      }
      await closeAsync(current);
      current = next;
    }
    return current;
  } catch (error) {
    await closeAsync(current);
    throw error;
  }
}
