import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { GuestRun } from './boot-guest.js';
import { expectedBuild, type LockedKernel } from './kernel-lock.js';
import { buildOfObject, type CheckResult, type KernelResult, type MatrixResults } from './results.js';

const CONSOLE_TAIL_LINES = 15;

/** One kernel's result from what its guest reported; a guest that never finished fails with its console's tail. */
export function kernelResult(k: LockedKernel, run: GuestRun): KernelResult {
  const guest = run.lines.find((l) => l.kind === 'guest');
  const done = run.lines.find((l) => l.kind === 'done');
  const verifier = run.lines.flatMap((l) => (l.kind === 'verifier' ? l.programs : []));
  const guestChecks = run.lines.flatMap((l) => (l.kind === 'check' ? [l.result] : []));
  const checks = guestChecks.map((c) => {
    if (c.name !== 'load') return c;
    return k.refuses ? expectedRefusal(c, k.refuses) : expectedLoad(c, expectedBuild(k));
  });
  // A kernel passes on the programs of the build it must load; on a kernel with the default build
  // the compat build must load too (it is what Linux 5.8-5.16 runs, and it runs anywhere newer).
  const mustLoad = verifier.filter((p) => expectedBuild(k) === 'default' || buildOfObject(p.object) === 'compat');
  let failure: string | undefined;
  if (!done) {
    const tail = run.console.trim().split('\n').slice(-CONSOLE_TAIL_LINES).join('\n');
    const why = run.timedOut ? 'timed out' : `qemu exited ${run.exitCode} before the guest finished`;
    failure = `${why}; console:\n${tail}`;
  }
  const result: KernelResult = {
    name: k.name,
    package: k.package,
    version: k.version,
    release: guest?.kind === 'guest' ? guest.uname : null,
    // Below the floor the verifier is expected to refuse programs: the refusal itself is checked.
    ok:
      failure === undefined &&
      checks.length > 0 &&
      checks.every((c) => c.ok) &&
      (k.refuses !== undefined || mustLoad.every((p) => p.ok)),
    bootS: run.initS,
    runS: done?.kind === 'done' && run.initS !== null ? round1(done.uptimeS - run.initS) : null,
    wallS: round1(run.wallS),
    qemuCpuS: run.qemuCpuS === null ? null : round1(run.qemuCpuS),
    btf: guest?.kind === 'guest' ? guest.btf : null,
    preempt: guest?.kind === 'guest' ? guest.preempt : null,
    checks,
    verifier,
  };
  if (failure) result.failure = failure;
  return result;
}

/** The load check of a supported kernel: it passes when Snooper.init() loaded the build the lock names. */
export function expectedLoad(load: CheckResult, build: 'default' | 'compat'): CheckResult {
  const got = load.facts?.build;
  if (!load.ok || got === build) return load;
  return {
    ...load,
    ok: false,
    problems: [...load.problems, `expected the ${build} build; Snooper.init() loaded ${String(got)}`],
  };
}

/**
 * The load check of a kernel below the floor: it passes when Snooper.init() refused with
 * UNSUPPORTED_KERNEL naming every feature the lock says the kernel lacks.
 */
export function expectedRefusal(load: CheckResult, refuses: string[]): CheckResult {
  const code = load.facts?.code;
  const missing = Array.isArray(load.facts?.missing) ? (load.facts.missing as unknown[]).map(String) : [];
  const problems: string[] = [];
  if (code !== 'UNSUPPORTED_KERNEL')
    problems.push(
      `expected UNSUPPORTED_KERNEL naming ${refuses.join(', ')}; got ${String(code ?? 'a successful load')}`,
    );
  for (const feature of refuses)
    if (code === 'UNSUPPORTED_KERNEL' && !missing.some((m) => m === feature || m.startsWith(`${feature} `)))
      problems.push(`UNSUPPORTED_KERNEL does not name ${feature}: ${missing.join(', ') || 'nothing missing'}`);
  return { ...load, ok: problems.length === 0, problems };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * Writes this run's kernels into the results file, keeping the kernels it did not run, in the
 * lock's order. A later README generator reads this file.
 */
export function mergeResults(path: string, emulation: string, order: string[], fresh: KernelResult[]): MatrixResults {
  const old: MatrixResults | undefined = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  const byName = new Map((old?.kernels ?? []).map((k) => [k.name, k]));
  for (const k of fresh) byName.set(k.name, k);
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  const results: MatrixResults = {
    updated: new Date().toISOString(),
    emulation,
    kernels: [...byName.values()].sort((a, b) => rank(a.name) - rank(b.name)),
  };
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}
