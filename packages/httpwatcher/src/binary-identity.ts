import { stat } from 'node:fs/promises';

/**
 * An executable file as the kernel knows it: the key of the BPF `watched` and `ignored` maps,
 * and what tells two paths (or /proc/<pid>/exe links) to the same binary apart from others.
 */
export interface BinaryIdentity {
  /** super_block.s_dev in the kernel's encoding (major << 20 | minor), not stat's. */
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mtimeSec: bigint;
  readonly mtimeNsec: number;
  readonly sizeBytes: bigint;
}

/**
 * stat(2) reports st_dev in glibc's encoding (major bits 8–19 and 32–43, minor bits 0–7 and
 * 20–31, sysmacros.h); the kernel's s_dev is major << 20 | minor (include/linux/kdev_t.h).
 */
export function kernelDev(statDev: bigint): bigint {
  const major = ((statDev >> 8n) & 0xfffn) | ((statDev >> 32n) & ~0xfffn);
  const minor = (statDev & 0xffn) | ((statDev >> 12n) & ~0xffn);
  return ((major & 0xfffn) << 20n) | (minor & 0xfffffn); // a 32-bit dev_t: 12 bits of major, 20 of minor
}

/** Follows symlinks, so `/proc/<pid>/exe` yields the running file, in any mount namespace. */
export async function readBinaryIdentity(path: string): Promise<BinaryIdentity> {
  const s = await stat(path, { bigint: true });
  return {
    dev: kernelDev(s.dev),
    ino: s.ino,
    mtimeSec: s.mtimeNs / 1_000_000_000n,
    mtimeNsec: Number(s.mtimeNs % 1_000_000_000n),
    sizeBytes: s.size,
  };
}

/** The same file (device and inode), whatever its contents' age. */
export function sameFile(a: Pick<BinaryIdentity, 'dev' | 'ino'>, b: Pick<BinaryIdentity, 'dev' | 'ino'>): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function fileKey(id: Pick<BinaryIdentity, 'dev' | 'ino'>): string {
  return `${id.dev}:${id.ino}`;
}

/** The file at one point of its life: a decision about its contents holds while this is unchanged. */
export function contentKey(id: Pick<BinaryIdentity, 'dev' | 'ino' | 'mtimeSec' | 'mtimeNsec'>): string {
  return `${id.dev}:${id.ino}:${id.mtimeSec}.${id.mtimeNsec}`;
}
