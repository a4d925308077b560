import { readFileSync, writeFileSync } from 'node:fs';

/** The guest architectures of the matrix, by Debian's names. */
export type KernelArch = 'amd64' | 'arm64';
export const kernelArchs: readonly KernelArch[] = ['amd64', 'arm64'];

/** One kernel of the matrix, pinned to the exact Debian package that holds its image. */
export interface LockedKernel {
  /** What `--kernel` names it by: a series ("5.10"), "newest", or a series and arch ("6.12-arm64"). */
  name: string;
  /** The guest's architecture; amd64 when absent. */
  arch?: KernelArch;
  /** Which package names count for this series when the lock is updated (a regular expression). */
  select: string;
  /** The package holding the kernel image, its version, and the .deb's sha256. */
  package: string;
  version: string;
  sha256: string;
  /** The kernel image inside the package. */
  vmlinuz: string;
  /**
   * A kernel below httpwatcher's floor: Snooper.init() must refuse it with UNSUPPORTED_KERNEL naming
   * each of these features (the names kernelFeatures() reports, e.g. "bpf_loop"). Its other checks
   * cannot run; the kernel passes when the refusal is exactly that and `no BTF` passes.
   */
  refuses?: string[];
  /**
   * The build of the BPF program Snooper.init() must pick on this kernel: `compat` for Linux 5.8 to
   * 5.16 (default: `default`). The kernel passes only when every program of that build loads;
   * the other build's programs are reported without failing it.
   */
  build?: 'default' | 'compat';
  /**
   * Modules the guest loads before the checks, in order, as paths under the package's
   * lib/modules/<release>/ (a kernel that builds the virtio console as a module: 5.10 arm64).
   */
  modules?: string[];
}

/** The build a kernel of the lock must load. */
export const expectedBuild = (k: LockedKernel): 'default' | 'compat' => k.build ?? 'default';

/** A Debian package pinned by version and the sha256 of its .deb. */
export interface PinnedPackage {
  package: string;
  version: string;
  sha256: string;
}

/**
 * The arm64 guests' userland: Debian's arm64 nodejs and busybox with everything they load, as apt
 * resolves `roots` on an empty system preferring `suite` (scripts/debian-archive.sh closure).
 */
export interface Arm64Userland {
  suite: string;
  roots: string[];
  packages: PinnedPackage[];
}

export interface KernelLock {
  kernels: LockedKernel[];
  arm64Userland?: Arm64Userland;
}

export const archOf = (k: LockedKernel): KernelArch => k.arch ?? 'amd64';

const SHA256 = /^[0-9a-f]{64}$/;

export function readLock(path: string): KernelLock {
  const lock = JSON.parse(readFileSync(path, 'utf8')) as KernelLock;
  for (const k of lock.kernels) {
    for (const field of ['name', 'select', 'package', 'version', 'vmlinuz'] as const)
      if (typeof k[field] !== 'string' || k[field].length === 0)
        throw new Error(`${path}: kernel ${k.name ?? '?'} has no ${field}`);
    if (!SHA256.test(k.sha256)) throw new Error(`${path}: kernel ${k.name} has no sha256`);
    if (!kernelArchs.includes(archOf(k))) throw new Error(`${path}: kernel ${k.name}: arch must be amd64 or arm64`);
    if (k.refuses !== undefined && !(Array.isArray(k.refuses) && k.refuses.every((f) => typeof f === 'string')))
      throw new Error(`${path}: kernel ${k.name}: refuses must list feature names`);
    if (
      k.modules !== undefined &&
      !(Array.isArray(k.modules) && k.modules.every((m) => /^kernel\/[\w/.-]+\.ko$/.test(m) && !m.includes('..')))
    )
      throw new Error(`${path}: kernel ${k.name}: modules must be paths kernel/….ko`);
    if (k.build !== undefined && k.build !== 'default' && k.build !== 'compat')
      throw new Error(`${path}: kernel ${k.name}: build must be default or compat`);
  }
  for (const p of lock.arm64Userland?.packages ?? [])
    if (!p.package || !p.version || !SHA256.test(p.sha256))
      throw new Error(`${path}: arm64Userland package ${p.package ?? '?'} needs a version and a sha256`);
  return lock;
}

export function writeLock(path: string, lock: KernelLock): void {
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
}

/**
 * The kernels of `arch` that `--kernel` asks for, in the lock's order; all of that arch when none
 * is named. A name matches a kernel's own name or the start of its package's release ("7.3" finds
 * "newest" while it is a 7.3 kernel).
 */
export function selectKernels(lock: KernelLock, wanted: string[], arch: KernelArch = 'amd64'): LockedKernel[] {
  const ofArch = lock.kernels.filter((k) => archOf(k) === arch);
  if (wanted.length === 0) return ofArch;
  const chosen = new Set<LockedKernel>();
  for (const w of wanted) {
    const hits = ofArch.filter((k) => k.name === w || releaseOf(k.package).startsWith(`${w}.`));
    if (hits.length === 0)
      throw new Error(`no ${arch} kernel "${w}" in the lock; known: ${ofArch.map((k) => k.name).join(', ')}`);
    for (const k of hits) chosen.add(k);
  }
  return ofArch.filter((k) => chosen.has(k));
}

/** The kernel release a package is named after: linux-image-5.10.0-32-cloud-amd64 → 5.10.0-32-cloud-amd64. */
export function releaseOf(pkg: string): string {
  return pkg.replace(/^linux-(image|binary)-/, '');
}
