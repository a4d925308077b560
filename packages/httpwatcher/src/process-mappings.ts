import { readFile } from 'node:fs/promises';
import type { BinaryIdentity } from './binary-identity.js';

/**
 * Where process `pid` maps the byte at `fileOffset` of the file `file` (device and inode: an inode
 * number alone may name a file on another filesystem) through a mapping it cannot write
 * (/proc/<pid>/maps), or undefined. For a PIE binary, this is how its read-only data moved with the
 * load bias.
 */
export async function mappedAddressOf(
  pid: number,
  file: Pick<BinaryIdentity, 'dev' | 'ino'>,
  fileOffset: number,
): Promise<number | undefined> {
  let maps: string;
  try {
    maps = await readFile(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of maps.split('\n')) {
    // start-end perms offset dev inode path
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)/.exec(line);
    if (!m || BigInt(m[7]!) !== file.ino || m[3]!.includes('w')) continue;
    // maps prints the kernel's s_dev as major:minor in hex; BinaryIdentity.dev is major << 20 | minor
    if (((BigInt(`0x${m[5]}`) << 20n) | BigInt(`0x${m[6]}`)) !== file.dev) continue;
    const start = parseInt(m[1]!, 16);
    const offset = parseInt(m[4]!, 16);
    if (fileOffset >= offset && fileOffset < offset + (parseInt(m[2]!, 16) - start))
      return start + (fileOffset - offset);
  }
  return undefined;
}
