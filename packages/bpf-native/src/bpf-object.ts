import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeLoadError, packageRoot } from './load-addon.js';

const objectArch: Record<string, string> = { x64: 'x86', arm64: 'arm64' };

/** Path of the compiled BPF program for this machine's architecture. */
export function bpfObjectPath(arch: string = process.arch): string {
  const name = objectArch[arch];
  if (!name) throw new NativeLoadError(`no BPF program is built for CPU architecture ${arch} (supported: x64, arm64)`);
  const path = join(packageRoot, 'bpf-objects', `httpwatcher.${name}.bpf.o`);
  if (!existsSync(path))
    throw new NativeLoadError(`the BPF program is missing at ${path}; rebuild @httpwatcher/bpf-native`);
  return path;
}
