import { close, fstatSync, write, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { promisify } from 'node:util';
import { growPipe } from 'httpwatcher';
import { openOutputFile } from './output-file.js';

const writeAsync = promisify(write);
const closeAsync = promisify(close);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reader of the output went away (EPIPE): `httpwatcher … | head -3`. */
export class OutputClosedError extends Error {
  override readonly name = 'OutputClosedError';
}

/**
 * Where requests go: stdout or --output FILE. Each write reaches the file descriptor before the
 * next starts, so a pipe sees every request within milliseconds of its capture (BatchedOutput),
 * and a slow reader slows the loop instead of growing memory; writes to a pipe or a terminal run
 * on libuv's thread pool, so a stuck reader never blocks signal handling. A pipe gets a 1 MiB
 * buffer (growPipe): in the default 64 KiB, a write at full rate waited for the reader many times
 * per megabyte, a thread switch each time.
 */
export class OutputSink {
  /** A regular file: written from this thread (see write()). */
  private readonly regularFile: boolean;

  private constructor(
    private readonly fd: number,
    private readonly owned: boolean,
    readonly isTerminal: boolean,
  ) {
    this.regularFile = fstatSync(fd).isFile();
  }

  /** `undefined` or `-` is stdout. A file is opened by openOutputFile (no symlinks, created 0600) and truncated. */
  static async open(path: string | undefined): Promise<OutputSink> {
    const stdout = path === undefined || path === '-';
    const fd = stdout ? 1 : await openOutputFile(path);
    if (fstatSync(fd).isFIFO()) await growPipe(fd);
    return new OutputSink(fd, !stdout, isatty(fd));
  }

  /** Writes all of `bytes`; the caller keeps them unchanged until this resolves. */
  async write(bytes: Buffer): Promise<void> {
    let buf = bytes;
    while (buf.length > 0) {
      try {
        // A regular file has no reader to wait for: its write is a copy into the page cache, and
        // handing it to libuv's pool cost two thread switches per write for nothing.
        const n = this.regularFile
          ? writeSync(this.fd, buf, 0, buf.length, null)
          : (await writeAsync(this.fd, buf, 0, buf.length, null)).bytesWritten;
        buf = buf.subarray(n);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Someone handed us a non-blocking descriptor: wait for room instead of failing.
        if (code === 'EAGAIN') await sleep(5);
        else if (code === 'EPIPE') throw new OutputClosedError('the output was closed by its reader', { cause: error });
        else throw error;
      }
    }
  }

  async close(): Promise<void> {
    if (this.owned) await closeAsync(this.fd);
  }
}
