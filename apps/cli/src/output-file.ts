import { close, constants, fstat, ftruncate, open } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import { ForeignLinkError, openTrustedDirectory } from './trusted-directory.js';

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const ftruncateAsync = promisify(ftruncate);
const closeAsync = promisify(close);

export type OutputFileErrorCode = 'SYMLINK' | 'SYMLINK_IN_PATH' | 'HARD_LINKED' | 'OPEN_FAILED';

/** `-o FILE` cannot be written; `code` is stable for scripts and tests (exit code 1). */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
  constructor(
    readonly code: OutputFileErrorCode,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Opens `-o FILE` as root safely: a symbolic link is refused (O_NOFOLLOW: whoever can write to the
 * directory could point it at /etc/shadow), and so is a link on the way to it that another user owns
 * (openTrustedDirectory), and a file with other hard links; a new file is created 0600, since requests
 * carry URLs and headers. An existing file is truncated only after those checks.
 */
export async function openOutputFile(path: string): Promise<number> {
  let fd: number;
  try {
    fd = await openInTrustedDirectory(path);
  } catch (error) {
    if (error instanceof ForeignLinkError)
      throw new OutputFileError(
        'SYMLINK_IN_PATH',
        `refusing to write to ${path}: on the way to it, ${error.message}, who could point it anywhere; ` +
          'name a file whose directories are reached without that link',
        { cause: error },
      );
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP')
      throw new OutputFileError('OPEN_FAILED', `cannot write to ${path}: ${reason(error)}`, {
        cause: error,
      });
    const target = await readlink(path).catch(() => undefined);
    throw new OutputFileError(
      'SYMLINK',
      `refusing to write to ${path}: it is a symbolic link${target === undefined ? '' : ` to ${target}`}; ` +
        'name the file itself (or - for stdout)',
      { cause: error },
    );
  }
  try {
    const stat = await fstatAsync(fd);
    if (stat.isFile() && stat.nlink > 1)
      throw new OutputFileError(
        'HARD_LINKED',
        `refusing to write to ${path}: the file has ${stat.nlink} hard links, and writing would change the others too; ` +
          'name a new file',
      );
    if (stat.isFile()) await ftruncateAsync(fd, 0);
    return fd;
  } catch (error) {
    await closeAsync(fd);
    if (error instanceof OutputFileError) throw error;
    throw new OutputFileError('OPEN_FAILED', `cannot write to ${path}: ${reason(error)}`, { cause: error });
  }
}

/** A system error's text without the /proc/self/fd path it was opened through. */
const reason = (error: unknown): string => (error as Error).message.replace(/, \w+ '[^']*'$/, '');

async function openInTrustedDirectory(path: string): Promise<number> {
  if (path.endsWith('/')) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  const directory = await openTrustedDirectory(dirname(path));
  try {
    return await openAsync(
      `/proc/self/fd/${directory}/${basename(path)}`,
      constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
  } finally {
    await closeAsync(directory);
  }
}
