import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mappedAddressOf } from './process-mappings.js';

describe('mappedAddressOf', () => {
  it('finds where this process maps the first bytes of its own executable (they read \\x7fELF there)', async () => {
    const ino = statSync(process.execPath, { bigint: true }).ino;
    const address = await mappedAddressOf(process.pid, ino, 0);
    expect(address).toBeGreaterThan(0);
    const mem = openSync(`/proc/${process.pid}/mem`, 'r');
    const magic = Buffer.alloc(4);
    readSync(mem, magic, 0, 4, address!);
    closeSync(mem);
    expect(magic.toString('latin1')).toBe('\x7fELF');
  });

  it('gives undefined for a file the process does not map, and for a process that does not exist', async () => {
    expect(await mappedAddressOf(process.pid, 1n, 0)).toBeUndefined();
    expect(await mappedAddressOf(0x3fffffff, statSync(process.execPath, { bigint: true }).ino, 0)).toBeUndefined();
  });
});
