import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Snooper } from 'httpwatcher';
import type { VerifierProgram } from '../results.js';
import type { Findings } from './findings.js';

export const KERNEL_BTF = '/sys/kernel/btf/vmlinux';

/** Snooper.init() loads the BPF program on this kernel (the build it picked is kept); its code and message are kept either way. */
export async function checkLoad(f: Findings): Promise<Record<string, unknown>> {
  try {
    const snoop = await Snooper.init();
    await snoop.close();
    return { build: snoop.bpfBuild };
  } catch (error) {
    const e = error as { code?: string; message?: string; kernel?: { missing?: string[] } };
    f.add(`Snooper.init() rejected: ${e.code ?? 'no code'}: ${e.message}`);
    return { code: e.code ?? null, message: e.message ?? String(error), missing: e.kernel?.missing ?? null };
  }
}

/**
 * With the kernel's BTF hidden (an empty file bind-mounted over it, as on a kernel built without
 * it), Snooper.init() must refuse with the typed UNSUPPORTED_KERNEL error, not a raw load failure.
 */
export async function checkWithoutBtf(f: Findings): Promise<Record<string, unknown>> {
  const empty = '/tmp/empty-btf';
  writeFileSync(empty, '');
  execFileSync('mount', ['--bind', empty, KERNEL_BTF]);
  try {
    const snoop = await Snooper.init();
    await snoop.close();
    f.add('Snooper.init() succeeded without the kernel BTF');
    return { code: null };
  } catch (error) {
    const e = error as { code?: string; message?: string; kernel?: { missing?: string[] } };
    f.same('error code', e.code, 'UNSUPPORTED_KERNEL');
    f.same(
      'names the missing BTF',
      e.kernel?.missing?.some((m) => m.startsWith('BTF')),
      true,
    );
    return { code: e.code ?? null, message: e.message ?? String(error) };
  } finally {
    execFileSync('umount', [KERNEL_BTF]);
  }
}

/** Each BPF program loaded alone with the verifier's statistics (kernels/src/verifier-report.c). */
export function verifierReport(tool: string, objects: string[]): VerifierProgram[] {
  const r = spawnSync(tool, objects, { encoding: 'utf8', timeout: 300_000 });
  const programs = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as VerifierProgram);
  if (programs.length === 0)
    return [{ object: objects.join(' '), program: null, ok: false, insns: null, error: `${r.error ?? r.stderr}` }];
  return programs;
}
