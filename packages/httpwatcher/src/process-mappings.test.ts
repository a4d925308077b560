import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelDev } from './binary-identity.js';
import { mappedAddressOf } from './process-mappings.js';

function identityOf(path: string): { dev: bigint; ino: bigint } {
  const s = statSync(path, { bigint: true });
  return { dev: kernelDev(s.dev), ino: s.ino };
}

describe('mappedAddressOf', () => {
  it('finds where this process maps the first bytes of its own executable (they read \\x7fELF there)', async () => {
    const address = await mappedAddressOf(process.pid, identityOf(process.execPath), 0);
    expect(address).toBeGreaterThan(0);
    const mem = openSync(`/proc/${process.pid}/mem`, 'r');
    const magic = Buffer.alloc(4);
    readSync(mem, magic, 0, 4, address!);
    closeSync(mem);
    expect(magic.toString('latin1')).toBe('\x7fELF');
  });

  it('gives undefined for a file the process does not map, and for a process that does not exist', async () => {
    const self = identityOf(process.execPath);
    expect(await mappedAddressOf(process.pid, { ...self, ino: 1n }, 0)).toBeUndefined();
    expect(await mappedAddressOf(0x3fffffff, self, 0)).toBeUndefined();
  });

  it('matches the device as well as the inode: the same inode number on another filesystem is another file', async () => {
    const self = identityOf(process.execPath);
    expect(await mappedAddressOf(process.pid, { ...self, dev: self.dev + 1n }, 0)).toBeUndefined();
  });
});
