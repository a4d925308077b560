import { GoElfError } from './go-elf-error.js';

/** `/proc/<pid>/exe` opens the running image even when deleted or in another mount namespace. */
export function procExePath(pid: number): string {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new GoElfError('NO_SUCH_PROCESS', `pid ${pid}`, `expected a positive integer process id, found ${pid}`);
  }
  return `/proc/${pid}/exe`;
}

/** Rewrites a file error on /proc/<pid>/exe into the process-level codes callers act on. */
export function processError(pid: number, error: unknown): unknown {
  if (!GoElfError.isInstance(error)) return error;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT' || code === 'ESRCH') {
    return new GoElfError(
      'NO_SUCH_PROCESS',
      error.path,
      `expected a running process ${pid}, found none; check the pid (it may have exited)`,
      error.cause,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new GoElfError(
      'PERMISSION_DENIED',
      error.path,
      `expected to read the executable of process ${pid}, was denied; run as root or with CAP_SYS_PTRACE`,
      error.cause,
    );
  }
  return error;
}
