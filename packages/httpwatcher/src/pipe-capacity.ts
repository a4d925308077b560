import { readFile } from 'node:fs/promises';

/** What growPipe asks for: one of BatchedOutput's writes of a megabyte goes in without waiting. */
const wantedBytes = 1 << 20;

/**
 * For applications writing a lot to a pipe: raises the kernel buffer of the pipe `fd` is an end
 * of from the default 64 KiB to 1 MiB, within the system's `fs.pipe-max-size` (also as root, who
 * may exceed it). At a client's full rate, a writer into a 64 KiB pipe waits for its reader, and is
 * woken, many times per megabyte, each a thread switch on both sides (BENCHMARKS.md). Resolves
 * the pipe's capacity afterwards, or undefined when `fd` is not a pipe, the kernel refused (the
 * user's pipe pages are used up), or the native addon is missing.
 */
export async function growPipe(fd: number): Promise<number | undefined> {
  try {
    const native = await import('@httpwatcher/bpf-native');
    const limit = Number((await readFile('/proc/sys/fs/pipe-max-size', 'utf8').catch(() => '')).trim());
    const bytes = Number.isSafeInteger(limit) && limit > 0 ? Math.min(wantedBytes, limit) : wantedBytes;
    return native.loadAddon().growPipe(fd, bytes);
  } catch {
    return undefined;
  }
}
