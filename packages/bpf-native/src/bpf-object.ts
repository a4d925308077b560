import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeLoadError, packageRoot } from './load-addon.js';
import type { BpfBuild } from './native-surface.js';

const objectArch: Record<string, string> = { x64: 'x86', arm64: 'arm64' };

/** Path of the compiled BPF program for this machine's architecture, in the given build. */
export function bpfObjectPath(arch: string = process.arch, build: BpfBuild = 'default'): string {
  const name = objectArch[arch];
  if (!name) throw new NativeLoadError(`no BPF program is built for CPU architecture ${arch} (supported: x64, arm64)`);
  const path = join(packageRoot, 'bpf-objects', `httpwatcher.${name}${build === 'compat' ? '.compat' : ''}.bpf.o`);
  if (!existsSync(path))
    throw new NativeLoadError(`the BPF program is missing at ${path}; rebuild @httpwatcher/bpf-native`);
  return path;
}
