import { fstat, read, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { GoElfError } from './go-elf-error.js';
import { defaultGoElfLimits, inputTooLarge, type GoElfLimits } from './input-limits.js';
import { ioError } from './io-error.js';

const windowBytes = 1 << 20;

/** What FileReader needs from a file: positioned reads (fs.promises.FileHandle satisfies it). */
export interface ByteSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** Positioned reads over a file handle with one cached window; never loads the whole file. */
export class FileReader {
  private window: { offset: number; bytes: Buffer } | undefined;
  private closed = false;

  constructor(
    private readonly handle: ByteSource,
    readonly path: string,
    readonly sizeBytes: number,
    readonly limits: GoElfLimits = defaultGoElfLimits,
  ) {}

  static async open(path: string, limits?: GoElfLimits): Promise<FileReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (cause) {
      throw ioError(path, cause);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw notAFile(path);
      return new FileReader(handle, path, stat.size, limits);
    } catch (cause) {
      await handle.close().catch(() => undefined);
      throw GoElfError.isInstance(cause) ? cause : ioError(path, cause);
    }
  }

  /**
   * Reads through a descriptor the caller opened and keeps open (closing the reader leaves it open), so
   * the file analysed is the very file the caller holds, whatever happens to its path meanwhile.
   */
  static async fromDescriptor(fd: number, path: string, limits?: GoElfLimits): Promise<FileReader> {
    const stat = await new Promise<Stats>((resolve, reject) =>
      fstat(fd, (error, stats) => (error ? reject(ioError(path, error)) : resolve(stats))),
    );
    if (!stat.isFile()) throw notAFile(path);
    return new FileReader(new DescriptorSource(fd), path, stat.size, limits);
  }

  /** Reads exactly `length` bytes at `offset`; the result may be a view into the cache, so do not mutate it. */
  async read(offset: number, length: number, what = 'data'): Promise<Buffer> {
    this.assertInside(offset, length, what);
    if (length > this.limits.maxReadBytes)
      throw inputTooLarge(this.path, 'maxReadBytes', this.limits, `bytes of ${what} in one read`, length);
    const w = this.window;
    if (w && offset >= w.offset && offset + length <= w.offset + w.bytes.length) {
      return w.bytes.subarray(offset - w.offset, offset - w.offset + length);
    }
    if (length > windowBytes / 2) return this.readDirect(offset, length);
    const start = Math.max(0, Math.min(offset, this.sizeBytes - windowBytes));
    const bytes = await this.readDirect(start, Math.min(windowBytes, this.sizeBytes - start));
    this.window = { offset: start, bytes };
    return bytes.subarray(offset - start, offset - start + length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.window = undefined;
    await this.handle.close();
  }

  private assertInside(offset: number, length: number, what: string): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.sizeBytes
    ) {
      throw new GoElfError(
        'TRUNCATED',
        this.path,
        `expected ${what} at file offset ${offset} (+${length} bytes) inside the ${this.sizeBytes}-byte file; the file is truncated or its tables are corrupt`,
      );
    }
  }

  private async readDirect(offset: number, length: number): Promise<Buffer> {
    if (this.closed)
      throw new GoElfError('IO_ERROR', this.path, 'expected an open file, found it closed; open the binary again');
    const bytes = Buffer.allocUnsafe(length);
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await this.handle.read(bytes, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (cause) {
      throw ioError(this.path, cause);
    }
    if (done < length) {
      throw new GoElfError(
        'TRUNCATED',
        this.path,
        `expected ${length} bytes at offset ${offset}, read ${done}; the file shrank while being read`,
      );
    }
    return bytes;
  }
}

function notAFile(path: string): GoElfError {
  return new GoElfError(
    'NOT_ELF',
    path,
    'expected a regular file, found something else; pass the path of an executable',
  );
}

/** Positioned reads on a descriptor owned by someone else: close() leaves it open. */
class DescriptorSource implements ByteSource {
  constructor(private readonly fd: number) {}

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return new Promise((resolve, reject) =>
      read(this.fd, buffer, offset, length, position, (error, bytesRead) =>
        error ? reject(error) : resolve({ bytesRead }),
      ),
    );
  }

  async close(): Promise<void> {}
}
