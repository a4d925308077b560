import { GoElfError } from './go-elf-error.js';

/** Maps a Node fs error to a GoElfError with a code the caller can act on. */
export function ioError(path: string, cause: unknown): GoElfError {
  if (GoElfError.isInstance(cause)) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new GoElfError('IO_ERROR', path, 'expected a file, found none; check the path', cause);
  if (code === 'EACCES' || code === 'EPERM') {
    return new GoElfError(
      'PERMISSION_DENIED',
      path,
      'expected read access, was denied; run with enough privileges to read the binary',
      cause,
    );
  }
  if (code === 'EISDIR') return new GoElfError('NOT_ELF', path, 'expected a file, found a directory', cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new GoElfError('IO_ERROR', path, `reading failed: ${detail}`, cause);
}
