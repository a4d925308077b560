import { describe, expect, it } from 'vitest';
import { readLock, releaseOf, selectKernels } from './kernel-lock.js';
import { lockPath } from './paths.js';

const lock = readLock(lockPath);

describe('kernels.lock.json', () => {
  it('pins the series issue 15 asks for, each package by version and sha256', () => {
    expect(lock.kernels.map((k) => k.name)).toEqual([
      '5.10',
      '6.1',
      '6.12',
      'newest',
      '5.10-arm64',
      '6.12-arm64',
      'newest-arm64',
    ]);
    for (const k of lock.kernels) {
      expect(new RegExp(k.select).test(k.package), `${k.name}: ${k.package} matches ${k.select}`).toBe(true);
      expect(k.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const series = (name: string) => releaseOf(lock.kernels.find((k) => k.name === name)!.package);
    expect(series('5.10')).toMatch(/^5\.10\./);
    expect(series('6.1')).toMatch(/^6\.1\./);
    expect(series('6.12')).toMatch(/^6\.12\.\d+\+deb13-/);
    expect(series('6.12-arm64')).toMatch(/^6\.12\.\d+\+deb13-cloud-arm64$/);
    expect(series('5.10-arm64')).toMatch(/^5\.10\.0-\d+-cloud-arm64$/);
    // Linux 5.10 has no bpf_loop or BPF cookies: both architectures must load the compat build there.
    expect(lock.kernels.filter((k) => k.build === 'compat').map((k) => k.name)).toEqual(['5.10', '5.10-arm64']);
  });

  it('pins the arm64 userland: nodejs, busybox, libelf and zlib with what they load, each by sha256', () => {
    const names = lock.arm64Userland!.packages.map((p) => p.package);
    for (const root of lock.arm64Userland!.roots) expect(names).toContain(root);
    expect(names).toEqual(expect.arrayContaining(['libnode115', 'libc6', 'libstdc++6', 'libuv1t64']));
  });

  it('selects kernels by name or by release, in the lock order, and names the known ones otherwise', () => {
    expect(selectKernels(lock, []).map((k) => k.name)).toEqual(['5.10', '6.1', '6.12', 'newest']);
    expect(selectKernels(lock, ['newest', '5.10']).map((k) => k.name)).toEqual(['5.10', 'newest']);
    expect(selectKernels(lock, ['6.12']).map((k) => k.name)).toEqual(['6.12']);
    expect(selectKernels(lock, [], 'arm64').map((k) => k.name)).toEqual(['5.10-arm64', '6.12-arm64', 'newest-arm64']);
    expect(selectKernels(lock, ['6.12'], 'arm64').map((k) => k.name)).toEqual(['6.12-arm64']);
    const newest = lock.kernels.find((k) => k.name === 'newest')!;
    const release = releaseOf(newest.package).split('.').slice(0, 2).join('.');
    expect(selectKernels(lock, [release]).map((k) => k.name)).toContain('newest');
    expect(() => selectKernels(lock, ['4.19'])).toThrow(
      'no amd64 kernel "4.19" in the lock; known: 5.10, 6.1, 6.12, newest',
    );
  });

  it('names a kernel release after its package, whether image or binary', () => {
    expect(releaseOf('linux-image-5.10.0-32-cloud-amd64')).toBe('5.10.0-32-cloud-amd64');
    expect(releaseOf('linux-binary-7.3.4+deb13-cloud-amd64')).toBe('7.3.4+deb13-cloud-amd64');
  });
});
