import { readFile } from 'node:fs/promises';

/**
 * Where process `pid` maps the byte at `fileOffset` of the file with inode `ino` through a
 * mapping it cannot write (/proc/<pid>/maps), or undefined. For a PIE binary, this is how its
 * read-only data moved with the load bias.
 */
export async function mappedAddressOf(pid: number, ino: bigint, fileOffset: number): Promise<number | undefined> {
  let maps: string;
  try {
    maps = await readFile(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of maps.split('\n')) {
    // start-end perms offset dev inode path
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ (\d+)/.exec(line);
    if (!m || BigInt(m[5]!) !== ino || m[3]!.includes('w')) continue;
    const start = parseInt(m[1]!, 16);
    const offset = parseInt(m[4]!, 16);
    if (fileOffset >= offset && fileOffset < offset + (parseInt(m[2]!, 16) - start))
      return start + (fileOffset - offset);
  }
  return undefined;
}
