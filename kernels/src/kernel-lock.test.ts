import { describe, expect, it } from 'vitest';
import { readLock, releaseOf, selectKernels } from './kernel-lock.js';
import { lockPath } from './paths.js';

const lock = readLock(lockPath);

describe('kernels.lock.json', () => {
  it('pins the series issue 15 asks for, each package by version and sha256', () => {
    expect(lock.kernels.map((k) => k.name)).toEqual(['5.10', '6.1', '6.12', 'newest']);
    for (const k of lock.kernels) {
      expect(new RegExp(k.select).test(k.package), `${k.name}: ${k.package} matches ${k.select}`).toBe(true);
      expect(k.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const series = (name: string) => releaseOf(lock.kernels.find((k) => k.name === name)!.package);
    expect(series('5.10')).toMatch(/^5\.10\./);
    expect(series('6.1')).toMatch(/^6\.1\./);
    expect(series('6.12')).toMatch(/^6\.12\.\d+\+deb13-/);
  });

  it('selects kernels by name or by release, in the lock order, and names the known ones otherwise', () => {
    expect(selectKernels(lock, []).length).toBe(lock.kernels.length);
    expect(selectKernels(lock, ['newest', '5.10']).map((k) => k.name)).toEqual(['5.10', 'newest']);
    const newest = lock.kernels.at(-1)!;
    const release = releaseOf(newest.package).split('.').slice(0, 2).join('.');
    expect(selectKernels(lock, [release]).map((k) => k.name)).toContain('newest');
    expect(() => selectKernels(lock, ['4.19'])).toThrow('no kernel "4.19" in the lock; known: 5.10, 6.1, 6.12, newest');
  });

  it('names a kernel release after its package, whether image or binary', () => {
    expect(releaseOf('linux-image-5.10.0-32-cloud-amd64')).toBe('5.10.0-32-cloud-amd64');
    expect(releaseOf('linux-binary-7.3.4+deb13-cloud-amd64')).toBe('7.3.4+deb13-cloud-amd64');
  });
});
