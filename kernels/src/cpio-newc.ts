import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** One member of an initramfs: a directory, a file copied from the host (or given bytes), or a symlink. */
export type CpioEntry =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string; from: string; mode?: number }
  | { kind: 'bytes'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const CHUNK_BYTES = 1 << 20;

const pad4 = (n: number): number => (4 - (n % 4)) % 4;
const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * Writes entries as a "newc" cpio archive, the format the kernel unpacks into its initial root
 * (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header, the
 * NUL-terminated name, the data, each padded to 4 bytes. Parents must come before children.
 * Owner is root, times are 0, so the archive depends only on its inputs.
 */
export function writeCpio(outPath: string, entries: Iterable<CpioEntry>): { files: number; bytes: number } {
  const fd = openSync(outPath, 'w');
  let offset = 0;
  let ino = 1;
  let files = 0;
  const write = (b: Buffer): void => {
    let done = 0;
    while (done < b.length) done += writeSync(fd, b, done, b.length - done);
    offset += b.length;
  };
  const header = (name: string, mode: number, size: number): void => {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    const fields = [ino++, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, nameBytes.length, 0];
    write(Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii'));
    write(nameBytes);
    write(Buffer.alloc(pad4(110 + nameBytes.length)));
  };
  try {
    for (const e of entries) {
      const name = e.path.replace(/^\/+/, '');
      if (e.kind === 'dir') header(name, S_IFDIR | 0o755, 0);
      else if (e.kind === 'symlink') {
        const target = Buffer.from(e.target, 'utf8');
        header(name, S_IFLNK | 0o777, target.length);
        write(target);
        write(Buffer.alloc(pad4(target.length)));
      } else if (e.kind === 'bytes') {
        header(name, S_IFREG | (e.mode ?? 0o644), e.data.length);
        write(e.data);
        write(Buffer.alloc(pad4(e.data.length)));
      } else {
        const src = openSync(e.from, 'r');
        try {
          const st = fstatSync(src);
          header(name, S_IFREG | (e.mode ?? st.mode & 0o777), st.size);
          const buf = Buffer.allocUnsafe(CHUNK_BYTES);
          let copied = 0;
          while (copied < st.size) {
            const n = readSync(src, buf, 0, Math.min(CHUNK_BYTES, st.size - copied), copied);
            if (n === 0) throw new Error(`${e.from} shrank while being archived`);
            write(buf.subarray(0, n));
            copied += n;
          }
          write(Buffer.alloc(pad4(st.size)));
        } finally {
          closeSync(src);
        }
      }
      files++;
    }
    header('TRAILER!!!', 0, 0);
    return { files, bytes: offset };
  } finally {
    closeSync(fd);
  }
}
