import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCpio } from './cpio-newc.js';

interface Member {
  name: string;
  mode: number;
  data: string;
}

/** Reads a newc archive back: magic, 13 hex fields, name and data each padded to 4 bytes. */
function readCpio(archive: Buffer): Member[] {
  const members: Member[] = [];
  let at = 0;
  for (;;) {
    expect(archive.toString('ascii', at, at + 6)).toBe('070701');
    const field = (i: number) => Number.parseInt(archive.toString('ascii', at + 6 + i * 8, at + 14 + i * 8), 16);
    const [mode, size, nameSize] = [field(1), field(6), field(11)];
    const name = archive.toString('utf8', at + 110, at + 110 + nameSize - 1);
    expect(archive[at + 110 + nameSize - 1]).toBe(0);
    at += 110 + nameSize;
    at += (4 - (at % 4)) % 4;
    if (name === 'TRAILER!!!') return members;
    members.push({ name, mode, data: archive.toString('utf8', at, at + size) });
    at += size;
    at += (4 - (at % 4)) % 4;
  }
}

describe('writeCpio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-cpio-'));

  it('writes the kernel initramfs format: one exact header, then the name and data padded to 4 bytes', () => {
    const out = join(dir, 'one.cpio');
    writeCpio(out, [{ kind: 'bytes', path: '/init', data: Buffer.from('hi\n'), mode: 0o755 }]);
    const archive = readFileSync(out);
    // ino 1, mode 100755, uid/gid 0, nlink 1, mtime 0, size 3, devices 0, namesize 5, check 0.
    const header = `070701${['1', '81ed', '0', '0', '1', '0', '3', '0', '0', '0', '0', '5', '0'].map((f) => f.padStart(8, '0')).join('')}`;
    expect(archive.toString('ascii', 0, 110)).toBe(header);
    // 110 + "init\0" = 115 bytes, padded to 116; 3 bytes of data padded to 4; then the trailer.
    expect(archive.toString('latin1', 110, 126)).toBe('init\0\0hi\n\x00070701');
    expect(archive.length % 4).toBe(0);
  });

  it('keeps directories, files from the host with their mode, bytes and symlinks, in order', () => {
    const host = join(dir, 'tool');
    writeFileSync(host, 'binary contents', { mode: 0o750 });
    const out = join(dir, 'many.cpio');
    const { files, bytes } = writeCpio(out, [
      { kind: 'dir', path: '/bin' },
      { kind: 'file', path: '/bin/tool', from: host },
      { kind: 'symlink', path: '/bin/sh', target: 'tool' },
      { kind: 'bytes', path: '/bin/odd', data: Buffer.from('12345') },
    ]);
    const archive = readFileSync(out);
    expect([files, bytes]).toEqual([4, archive.length]);
    expect(readCpio(archive)).toEqual([
      { name: 'bin', mode: 0o040755, data: '' },
      { name: 'bin/tool', mode: 0o100750, data: 'binary contents' },
      { name: 'bin/sh', mode: 0o120777, data: 'tool' },
      { name: 'bin/odd', mode: 0o100644, data: '12345' },
    ]);
  });
});
