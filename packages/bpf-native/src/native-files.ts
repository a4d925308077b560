import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** The native files this package ships per architecture: the addon and the hold guardian. */
export type NativeFileName = 'httpwatcher_native.node' | 'hold-guardian';

/** The architectures a prebuilt addon exists for, by Node's `process.arch` name. */
export type NativeArch = 'x64' | 'arm64';

// e_machine values of the ELF header (elf.h): EM_X86_64 and EM_AARCH64.
const machineArch: Record<number, NativeArch> = { 62: 'x64', 183: 'arm64' };

/**
 * The architecture an ELF file was built for, from its header's e_machine (little-endian, at byte
 * 18); undefined for a file that cannot be read, is not a 64-bit little-endian ELF, or is for
 * another machine.
 */
export function elfArch(path: string): NativeArch | undefined {
  const header = Buffer.alloc(20);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    if (readSync(fd, header, 0, header.length, 0) < header.length) return undefined;
  } finally {
    closeSync(fd);
  }
  const isElf64Le = header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1;
  return isElf64Le ? machineArch[header.readUInt16LE(18)] : undefined;
}

/**
 * Where `name` may be for `arch`, in order: prebuilds/linux-<arch>/ (what the packed tarball ships
 * for arm64), then build/Release/ (the x64 addon node-gyp builds, in the repository and in the
 * tarball). Only a file built for `arch` counts: build/Release holds the build host's architecture.
 */
export function nativeFileCandidates(packageRoot: string, name: NativeFileName, arch: string): string[] {
  return [join(packageRoot, 'prebuilds', `linux-${arch}`, name), join(packageRoot, 'build', 'Release', name)];
}

export interface NativeFileChoice {
  /** The file to use; undefined when no candidate was built for `arch`. */
  path: string | undefined;
  /** Every candidate looked at, with what it was found to be (for the error message). */
  tried: string[];
}

/** The first candidate built for `arch` (by its ELF header). */
export function chooseNativeFile(packageRoot: string, name: NativeFileName, arch: string): NativeFileChoice {
  const tried: string[] = [];
  for (const candidate of nativeFileCandidates(packageRoot, name, arch)) {
    const found = elfArch(candidate);
    if (found === arch) return { path: candidate, tried: [...tried, candidate] };
    tried.push(`${candidate} (${found ? `built for ${found}` : 'missing or not a 64-bit ELF'})`);
  }
  return { path: undefined, tried };
}
