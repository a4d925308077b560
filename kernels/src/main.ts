// pnpm test:kernels [-- --kernel 5.10 --kernel newest] [--timeout-min N] [--ci] | --fetch | --update-lock | --report
//
// Boots each kernel of kernels.lock.json under qemu and runs httpwatcher's end-to-end checks in it;
// prints the kernel × check table and writes kernels/results.json. Exits 1 if any check failed.
// --update-lock re-pins the kernels to the archive's newest packages; --report prints the table
// of the last results without running anything; --fetch only downloads (and caches) the kernels.
// --ci is how `pnpm test` runs it: results go to kernels/out/results-ci.json (the tracked
// results.json, which the README's table is generated from, is left alone), and a machine without
// qemu or busybox skips the run with a warning, unless CI=true, where that fails.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bootGuest } from './boot-guest.js';
import { kernelImage, resolveLatest } from './debian-kernels.js';
import { buildGuestInitramfs } from './guest-initramfs.js';
import { readLock, selectKernels, writeLock } from './kernel-lock.js';
import { kernelResult, mergeResults } from './kernel-result.js';
import { failureDetails, matrixTable, printable } from './matrix-table.js';
import { lockPath, outDir, resultsPath } from './paths.js';
import type { KernelResult, MatrixResults } from './results.js';

const EMULATION = 'qemu-system-x86_64, TCG (no KVM), -cpu max, 2 vCPUs, 2 GiB, initramfs only';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    kernel: { type: 'string', multiple: true, default: [] },
    'update-lock': { type: 'boolean', default: false },
    'timeout-min': { type: 'string', default: '30' },
    report: { type: 'boolean', default: false },
    fetch: { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
  },
});

function missingTools(): string[] {
  const missing = ['qemu-system-x86_64', 'cc'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (!existsSync('/bin/busybox')) missing.push('busybox (busybox-static)');
  return missing;
}

const toolsAdvice = (missing: string[]): string =>
  `missing: ${missing.join(', ')}; install with apt-get install qemu-system-x86 busybox-static gcc (setup.sh does)`;

function printReport(kernels: KernelResult[]): void {
  console.log(`\n${matrixTable(kernels)}\n`);
  const details = failureDetails(kernels);
  if (details) console.log(`${details}\n`);
}

async function main(): Promise<number> {
  if (values.report) {
    const { kernels } = JSON.parse(readFileSync(resultsPath, 'utf8')) as MatrixResults;
    printReport(kernels);
    return kernels.every((k) => k.ok) ? 0 : 1;
  }
  let lock = readLock(lockPath);
  const chosen = selectKernels(lock, values.kernel!);
  if (values['update-lock']) {
    const names = new Set(chosen.map((k) => k.name));
    lock = { kernels: lock.kernels.map((k) => (names.has(k.name) ? resolveLatest(k) : k)) };
    writeLock(lockPath, lock);
    for (const k of lock.kernels) console.log(`${k.name}: ${k.package} ${k.version} ${k.sha256}`);
    return 0;
  }
  if (values.fetch) {
    for (const k of chosen) console.log(`${k.name}: ${kernelImage(k)}`);
    return 0;
  }
  const missing = missingTools();
  if (missing.length > 0) {
    if (!values.ci || process.env.CI === 'true') throw new Error(toolsAdvice(missing));
    console.warn(`kernels: skipped, ${toolsAdvice(missing)} (under CI=true this fails)`);
    return 0;
  }
  mkdirSync(outDir, { recursive: true });
  const images = chosen.map((k) => ({ k, image: kernelImage(k) }));
  const built = Date.now();
  const initramfs = buildGuestInitramfs();
  console.log(
    `kernels: initramfs ${(initramfs.bytes / 2 ** 20).toFixed(0)} MiB, ${initramfs.files} files, built in ${((Date.now() - built) / 1000).toFixed(1)} s`,
  );

  const fresh: KernelResult[] = [];
  for (const { k, image } of images) {
    const dir = join(outDir, k.name);
    mkdirSync(dir, { recursive: true });
    console.log(`kernels: booting ${k.name} (${k.package} ${k.version})`);
    const run = await bootGuest({
      kernel: image,
      initramfs: initramfs.path,
      dir,
      timeoutMs: Number(values['timeout-min']) * 60_000,
      onConsoleLine: (line) => {
        if (line.startsWith('hw-')) console.log(`  ${k.name}: ${printable(line)}`);
      },
    });
    const result = kernelResult(k, run);
    fresh.push(result);
    console.log(
      `kernels: ${k.name} ${result.ok ? 'passed' : 'FAILED'} in ${result.wallS} s (console: ${dir}/console.log)`,
    );
  }
  // A soak (HW_KERNEL_CAPTURE_ROUNDS) is not the matrix the README shows: its results stay in out/.
  const soak = (process.env.HW_KERNEL_CAPTURE_ROUNDS ?? '1') !== '1';
  const written = values.ci || soak ? join(outDir, values.ci ? 'results-ci.json' : 'results-soak.json') : resultsPath;
  mergeResults(
    written,
    EMULATION,
    lock.kernels.map((k) => k.name),
    fresh,
  );
  printReport(fresh);
  console.log(`kernels: results in ${written}`);
  return fresh.every((k) => k.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`kernels: ${(error as Error).message}`);
    process.exit(1);
  },
);
