import { close, fstat, write } from 'node:fs';
import { promisify } from 'node:util';
import { openOutputFile } from './output-file.js';

const writeAsync = promisify(write);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);

const closing = '\n]}}\n';

/** `--har FILE` is not a regular file: a HAR is rewritten in place as requests come. */
export class HarFileError extends Error {
  override readonly name = 'HarFileError';
  readonly code = 'NOT_A_FILE';
}

/**
 * An HTTP Archive that is valid JSON after every write, so a trace ended by any means — SIGINT,
 * SIGTERM, a second Ctrl-C, SIGKILL, a crash — leaves a file that opens. Each write puts the
 * entries gathered since the last one over the closing `]}}` and writes it again after them: one
 * positioned write, which replaces the old end with a longer text. While a write is in flight the
 * next entries gather, as in BatchedOutput.
 */
export class HarFile {
  private end: number;
  private count = 0;
  private parts: string[] = [];
  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  private constructor(
    private readonly fd: number,
    head: number,
  ) {
    this.end = head;
  }

  /** Opens FILE as -o does (no symbolic link, created 0600) and writes an empty log. */
  static async open(path: string, creator: { name: string; version: string }): Promise<HarFile> {
    const fd = await openOutputFile(path);
    try {
      if (!(await fstatAsync(fd)).isFile())
        throw new HarFileError(`--har ${path}: not a regular file; a HAR is rewritten in place, name a file`);
      const head = `{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"pages":[],"entries":[`;
      const bytes = Buffer.from(head + closing);
      await writeAsync(fd, bytes, 0, bytes.length, 0);
      return new HarFile(fd, bytes.length - Buffer.byteLength(closing));
    } catch (error) {
      await closeAsync(fd);
      throw error;
    }
  }

  /** One entry's JSON text. Throws once a write has failed. */
  add(entry: string): void {
    if (this.failure) throw this.failure.error;
    this.parts.push(entry);
    this.writing ??= this.pump();
  }

  /** Resolves once every entry added is in the file; rejects with the error that stopped writing. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure.error;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await closeAsync(this.fd);
    }
  }

  private async pump(): Promise<void> {
    while (this.parts.length > 0 && !this.failure) {
      const text = `${this.count === 0 ? '\n' : ',\n'}${this.parts.join(',\n')}`;
      this.count += this.parts.length;
      this.parts = [];
      const body = Buffer.from(text);
      const bytes = Buffer.concat([body, Buffer.from(closing)]);
      try {
        let done = 0;
        while (done < bytes.length) {
          done += (await writeAsync(this.fd, bytes, done, bytes.length - done, this.end + done)).bytesWritten;
        }
        this.end += body.length;
      } catch (error) {
        this.failure = { error };
      }
    }
    this.writing = undefined;
  }
}
