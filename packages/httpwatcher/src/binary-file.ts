import { open, type FileHandle } from 'node:fs/promises';
import { kernelDev, type BinaryIdentity } from './binary-identity.js';

/**
 * An executable opened once: its identity is fstat's of this descriptor, it is parsed through it,
 * the uprobe is attached through it (`/proc/self/fd/N`, so the kernel resolves this very inode) and
 * its image strings are read from it. A path re-resolved between those steps could name another file.
 */
export interface OpenBinary {
  readonly identity: BinaryIdentity;
  /**
   * The descriptor number: the analysis worker thread (same process, same descriptor table) reads the
   * file through it and never closes it, so the file analysed is the file identified and attached.
   */
  readonly fd: number;
  /** The name the uprobe attach and the image reader open: the same inode as long as this is open. */
  readonly attachPath: string;
  /** Exactly `length` bytes at `offset` of this file. */
  read(offset: number, length: number): Promise<Buffer>;
  /** The same file opened again (a new descriptor for this inode, whatever its path names now). */
  reopen(): Promise<OpenBinary>;
  close(): Promise<void>;
}

class HandleBinary implements OpenBinary {
  readonly attachPath: string;
  readonly fd: number;

  constructor(
    private readonly handle: FileHandle,
    readonly identity: BinaryIdentity,
  ) {
    // Our PID rather than "self": the kernel keeps this name for the uprobe, and while the probe's
    // file stays open it leads whoever lists the links (bpftool, tests) to the inode probed.
    this.fd = handle.fd;
    this.attachPath = `/proc/${process.pid}/fd/${handle.fd}`;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const bytes = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(bytes, done, length - done, offset + done);
      if (bytesRead === 0) throw Object.assign(new Error('the file shrank while being read'), { code: 'EIO' });
      done += bytesRead;
    }
    return bytes;
  }

  reopen(): Promise<OpenBinary> {
    return openBinaryFile(this.attachPath);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Opens `path` (following symlinks, so /proc/<pid>/exe yields the running file) and identifies what was opened. */
export async function openBinaryFile(path: string): Promise<OpenBinary> {
  const handle = await open(path, 'r');
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' });
    return new HandleBinary(handle, {
      dev: kernelDev(s.dev),
      ino: s.ino,
      mtimeSec: s.mtimeNs / 1_000_000_000n,
      mtimeNsec: Number(s.mtimeNs % 1_000_000_000n),
      sizeBytes: s.size,
    });
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
