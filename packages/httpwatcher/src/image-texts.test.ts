import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageTexts } from './image-texts.js';

/** A file whose read-only data segment (at file offset 0x100) holds known text. */
function fakeExecutable(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-image-')), 'exe');
  const bytes = Buffer.alloc(0x200, 0x2e);
  bytes.write('Content-Typeapplication/jsonnaïve', 0x100, 'utf8');
  writeFileSync(path, bytes);
  return path;
}

const data = { vaddr: 0x705000, sizeBytes: 0x100, fileOffset: 0x100 };

describe('ImageTexts', () => {
  it("reads a string at an offset into a binary's read-only data from its file, as UTF-8", () => {
    const images = new ImageTexts();
    expect(images.add(3, fakeExecutable(), data)).toBe(true);
    expect(images.text(3, 0, 12)).toBe('Content-Type');
    expect(images.text(3, 0xc, 16)).toBe('application/json');
    expect(images.text(3, 0x1c, 6)).toBe('naïve');
    // the same offset with another length is read again, not served from the cache
    expect(images.text(3, 0, 7)).toBe('Content');
    images.close();
  });

  it('gives undefined outside the segment, for another binary, and once closed', () => {
    const images = new ImageTexts();
    images.add(3, fakeExecutable(), data);
    expect(images.text(3, -1, 2)).toBeUndefined();
    expect(images.text(3, 0xff, 2)).toBeUndefined();
    expect(images.text(3, 0, 0)).toBeUndefined();
    expect(images.text(4, 0, 12)).toBeUndefined();
    images.close();
    expect(images.text(3, 0, 12)).toBeUndefined();
  });

  it('closes a released binary at once, and only that one', () => {
    const images = new ImageTexts();
    const path = fakeExecutable();
    images.add(3, path, data);
    images.add(4, path, data);
    images.release(3);
    expect(images.text(3, 0, 12)).toBeUndefined();
    expect(images.text(4, 0, 12)).toBe('Content-Type');
    images.close();
  });

  it('says when a binary cannot be opened, so that the kernel is given no range', () => {
    expect(new ImageTexts().add(3, '/nonexistent/exe', data)).toBe(false);
  });
});
