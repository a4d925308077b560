import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CpioEntry } from './cpio-newc.js';

/**
 * The files of an initramfs, by guest path: parents are added before children, each path once,
 * and an ELF program brings the shared libraries the host's loader resolves for it.
 */
export class InitramfsTree {
  readonly entries: CpioEntry[] = [];
  private readonly paths = new Set<string>();

  dir(path: string): void {
    if (path === '/' || this.paths.has(path)) return;
    this.dir(dirname(path));
    this.paths.add(path);
    this.entries.push({ kind: 'dir', path });
  }

  file(path: string, from: string, mode?: number): void {
    if (this.claim(path)) this.entries.push({ kind: 'file', path, from: realpathSync(from), mode });
  }

  bytes(path: string, data: string | Buffer, mode?: number): void {
    if (this.claim(path)) this.entries.push({ kind: 'bytes', path, data: Buffer.from(data), mode });
  }

  symlink(path: string, target: string): void {
    if (this.claim(path)) this.entries.push({ kind: 'symlink', path, target });
  }

  /** A host directory, recursively: files, directories and symlinks as they are. */
  tree(path: string, from: string): void {
    this.dir(path);
    for (const name of readdirSync(from).sort()) {
      const src = join(from, name);
      const dest = join(path, name);
      const st = lstatSync(src);
      if (st.isDirectory()) this.tree(dest, src);
      else if (st.isSymbolicLink()) this.symlink(dest, readlinkSync(src));
      else if (st.isFile()) this.file(dest, src);
    }
  }

  /** An ELF file and every shared library it loads, at the paths the host's loader finds them. */
  elf(path: string, from: string, mode?: number): void {
    this.file(path, from, mode);
    for (const lib of sharedLibraries(from)) this.file(lib, lib);
  }

  private claim(path: string): boolean {
    if (this.paths.has(path)) return false;
    this.dir(dirname(path));
    this.paths.add(path);
    return true;
  }
}

/** What `ldd` lists for a file: absolute paths, the dynamic loader included; nothing for a static file. */
export function sharedLibraries(file: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}
