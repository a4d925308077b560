import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arm64UserlandRoot } from './arm64-userland.js';
import { readLock } from './kernel-lock.js';
import { lockPath, repoRoot } from './paths.js';

const nativeDir = join(repoRoot, 'packages', 'bpf-native', 'prebuilds', 'linux-arm64');

// Debian's arm64 node, under qemu's user-mode emulation on this x86-64 host: the cross-compiled
// addon must load with the libraries an arm64 Debian system has (libelf, zlib, libstdc++) and
// answer; and the guardian must start and refuse a bad argument as it does on x64.
describe('the linux-arm64 prebuilds on an arm64 userland (qemu-aarch64-static)', () => {
  const root = arm64UserlandRoot(readLock(lockPath).arm64Userland!);
  const run = (args: string[]) =>
    spawnSync('qemu-aarch64-static', ['-L', root, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('the userland has node, busybox and the addon its libraries', () => {
    for (const path of ['usr/bin/node', 'usr/bin/busybox', 'lib/ld-linux-aarch64.so.1']) {
      expect(existsSync(join(root, path)), path).toBe(true);
    }
  });

  it('Debian arm64 node requires the addon and reads the same libbpf version and object names as x64', () => {
    const x64 = createRequire(import.meta.url)(
      join(repoRoot, 'packages', 'bpf-native', 'build', 'Release', 'httpwatcher_native.node'),
    ) as { libbpfVersion: string; objectNames: unknown };
    const script = `
      const addon = require(${JSON.stringify(join(nativeDir, 'httpwatcher_native.node'))});
      console.log(JSON.stringify({ arch: process.arch, node: process.version, libbpf: addon.libbpfVersion,
        names: addon.objectNames, release: addon.kernelFeatures().release }));`;
    const r = run([join(root, 'usr/bin/node'), '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { arch: string; node: string; libbpf: string; names: unknown; release: string };
    expect(out.arch).toBe('arm64');
    expect(out.node).toMatch(/^v20\./);
    expect(out.libbpf).toBe(x64.libbpfVersion);
    expect(out.names).toEqual(x64.objectNames);
    expect(out.release).toMatch(/^\d+\.\d+\./);
  }, 120_000); // node starts in seconds under user-mode emulation, more on a busy machine

  it('the arm64 hold guardian runs and refuses a timeout out of range', () => {
    const r = run([join(nativeDir, 'hold-guardian'), '0']);
    expect(r.status).toBe(2); // hold-guardian.c: a bad argument exits 2
  }, 60_000);
});
