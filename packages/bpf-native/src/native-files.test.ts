import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from './load-addon.js';
import { chooseNativeFile, elfArch } from './native-files.js';

const built = {
  x64: join(packageRoot, 'build', 'Release', 'httpwatcher_native.node'),
  arm64: join(packageRoot, 'prebuilds', 'linux-arm64', 'httpwatcher_native.node'),
  x64Guardian: join(packageRoot, 'build', 'Release', 'hold-guardian'),
  arm64Guardian: join(packageRoot, 'prebuilds', 'linux-arm64', 'hold-guardian'),
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A package root laid out like the tarball, with the given files copied in. */
function packageWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'hw-native-files-'));
  roots.push(root);
  for (const [dest, from] of Object.entries(files)) {
    mkdirSync(join(root, dest, '..'), { recursive: true });
    copyFileSync(from, join(root, dest));
  }
  return root;
}

describe('elfArch', () => {
  it('reads x64 from the node-gyp build and arm64 from the cross-compiled prebuild', () => {
    expect(elfArch(built.x64)).toBe('x64');
    expect(elfArch(built.x64Guardian)).toBe('x64');
    expect(elfArch(built.arm64)).toBe('arm64');
    expect(elfArch(built.arm64Guardian)).toBe('arm64');
  });

  it('is undefined for a missing file, a short file and a file that is not ELF', () => {
    const root = packageWith({});
    writeFileSync(join(root, 'short'), Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    writeFileSync(join(root, 'text'), 'not an ELF file at all, just text');
    expect(elfArch(join(root, 'missing'))).toBeUndefined();
    expect(elfArch(join(root, 'short'))).toBeUndefined();
    expect(elfArch(join(root, 'text'))).toBeUndefined();
  });
});

describe('chooseNativeFile', () => {
  const tarball = (): string =>
    packageWith({
      'build/Release/httpwatcher_native.node': built.x64,
      'build/Release/hold-guardian': built.x64Guardian,
      'prebuilds/linux-arm64/httpwatcher_native.node': built.arm64,
      'prebuilds/linux-arm64/hold-guardian': built.arm64Guardian,
    });

  it('picks the arm64 prebuild on arm64 and the node-gyp build on x64, for both files', () => {
    const root = tarball();
    expect(chooseNativeFile(root, 'httpwatcher_native.node', 'arm64').path).toBe(
      join(root, 'prebuilds', 'linux-arm64', 'httpwatcher_native.node'),
    );
    expect(chooseNativeFile(root, 'hold-guardian', 'arm64').path).toBe(
      join(root, 'prebuilds', 'linux-arm64', 'hold-guardian'),
    );
    expect(chooseNativeFile(root, 'httpwatcher_native.node', 'x64').path).toBe(
      join(root, 'build', 'Release', 'httpwatcher_native.node'),
    );
    expect(chooseNativeFile(root, 'hold-guardian', 'x64').path).toBe(join(root, 'build', 'Release', 'hold-guardian'));
  });

  it('never takes a file built for another architecture, and says what it found', () => {
    const root = packageWith({ 'build/Release/httpwatcher_native.node': built.x64 });
    const choice = chooseNativeFile(root, 'httpwatcher_native.node', 'arm64');
    expect(choice.path).toBeUndefined();
    expect(choice.tried).toEqual([
      `${join(root, 'prebuilds', 'linux-arm64', 'httpwatcher_native.node')} (missing or not a 64-bit ELF)`,
      `${join(root, 'build', 'Release', 'httpwatcher_native.node')} (built for x64)`,
    ]);
  });

  it('finds nothing for an architecture without a prebuild', () => {
    expect(chooseNativeFile(tarball(), 'httpwatcher_native.node', 'riscv64').path).toBeUndefined();
  });
});
