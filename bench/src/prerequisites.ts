import { execFileSync } from 'node:child_process';

/** Debian packages the benchmarks need beyond ./setup.sh (listed in BENCHMARKS.md). */
export const benchDebianPackages = ['bpftrace', 'bpftool'];

/** Returns what is missing to run the benchmarks, as sentences for the user. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('run as root: the benchmarks load BPF programs');
  for (const [tool, pkg] of [
    ['bpftrace', 'bpftrace'],
    ['bpftool', 'bpftool'],
    ['clang-19', 'clang-19'],
    ['gcc', 'gcc'],
  ] as const) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      missing.push(`${tool} is not installed: apt-get install ${pkg}`);
    }
  }
  return missing;
}
