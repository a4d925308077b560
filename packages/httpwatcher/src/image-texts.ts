import { closeSync, openSync, readSync } from 'node:fs';
import type { ReadOnlyData } from '@httpwatcher/go-elf';

/** Texts cached per binary before the cache starts over (each distinct literal costs one read). */
const maxCachedTexts = 65_536;

/**
 * Header keys and values that lie in a traced binary's read-only data reach us as offsets into it
 * (HW_HF_*_IN_IMAGE in bpf/httpwatcher.h): the BPF program skips reading a string literal from the
 * process, and this reads it once from the file, which holds the same bytes there.
 */
export class ImageTexts {
  private readonly images = new Map<number, BinaryImage>();

  /**
   * Opens the executable at `path` for the binary whose uprobe cookie is `binaryId`. False when
   * it cannot be opened: the kernel must then be given no range, and sends every string's bytes.
   */
  add(binaryId: number, path: string, data: ReadOnlyData): boolean {
    try {
      this.images.set(binaryId, new BinaryImage(openSync(path, 'r'), data));
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the binary's file: call it once no record naming the binary is left to decode. */
  release(binaryId: number): void {
    this.images.get(binaryId)?.close();
    this.images.delete(binaryId);
  }

  /** The `bytes` bytes at `offset` into the binary's read-only data as UTF-8, or undefined when they cannot be read. */
  text(binaryId: number, offset: number, bytes: number): string | undefined {
    return this.images.get(binaryId)?.text(offset, bytes);
  }

  close(): void {
    for (const image of this.images.values()) image.close();
    this.images.clear();
  }
}

class BinaryImage {
  private readonly cache = new Map<number, { bytes: number; text: string }>();
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly data: ReadOnlyData,
  ) {}

  text(offset: number, bytes: number): string | undefined {
    const cached = this.cache.get(offset);
    if (cached?.bytes === bytes) return cached.text;
    if (
      this.closed ||
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      bytes <= 0 ||
      offset + bytes > this.data.sizeBytes
    )
      return undefined;
    const buffer = Buffer.allocUnsafe(bytes);
    try {
      if (readSync(this.fd, buffer, 0, bytes, this.data.fileOffset + offset) !== bytes) return undefined;
    } catch {
      return undefined;
    }
    const text = buffer.toString('utf8');
    if (this.cache.size >= maxCachedTexts) this.cache.clear();
    this.cache.set(offset, { bytes, text });
    return text;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
