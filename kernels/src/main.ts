// pnpm test:kernels [-- --kernel 5.10 --kernel newest] [--arch amd64|arm64] [--go 1.24] [--timeout-min N] [--ci]
//                   | --fetch | --update-lock | --report
//
// Boots each kernel of kernels.lock.json under qemu and runs httpwatcher's end-to-end checks in it;
// prints the kernel × check table and writes kernels/results.json. Exits 1 if any check failed.
// --update-lock re-pins the kernels to the archive's newest packages (with --arch arm64, the arm64
// userland too); --report prints the table
// of the last results without running anything; --fetch only downloads (and caches) the kernels.
// --ci is how `pnpm test` runs it: results go to kernels/out/results-ci.json (the tracked
// results.json, which the README's table is generated from, is left alone), and a machine without
// qemu or busybox skips the run with a warning, unless CI=true, where that fails.
// --arch arm64 runs the arm64 kernels of the lock (qemu-system-aarch64, Debian's arm64 node) and
// keeps their results in kernels/results-arm64.json; --go limits the capture checks to those Go versions.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { arm64UserlandRoot, resolveArm64Userland } from './arm64-userland.js';
import { bootGuest } from './boot-guest.js';
import { kernelImage, kernelModules, resolveLatest } from './debian-kernels.js';
import { buildGuestInitramfs } from './guest-initramfs.js';
import { archOf, type KernelArch, kernelArchs, readLock, selectKernels, writeLock } from './kernel-lock.js';
import { kernelResult, mergeResults } from './kernel-result.js';
import { failureDetails, matrixTable, printable } from './matrix-table.js';
import { lockPath, outDir, resultsPathOf } from './paths.js';
import type { KernelResult, MatrixResults } from './results.js';

const EMULATION: Record<KernelArch, string> = {
  amd64: 'qemu-system-x86_64, TCG (no KVM), -cpu max, 2 vCPUs, 2 GiB, initramfs only',
  arm64: "qemu-system-aarch64 -M virt, TCG, -cpu cortex-a72, 2 vCPUs, 2 GiB, initramfs only (Debian's arm64 node)",
};

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    kernel: { type: 'string', multiple: true, default: [] },
    arch: { type: 'string', default: 'amd64' },
    go: { type: 'string', multiple: true, default: [] },
    'update-lock': { type: 'boolean', default: false },
    'timeout-min': { type: 'string', default: '30' },
    report: { type: 'boolean', default: false },
    fetch: { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
  },
});

const tools: Record<KernelArch, string[]> = {
  amd64: ['qemu-system-x86_64', 'cc'],
  arm64: ['qemu-system-aarch64', 'aarch64-linux-gnu-gcc'],
};
const toolPackages: Record<KernelArch, string> = {
  amd64: 'qemu-system-x86 busybox-static gcc',
  arm64: 'qemu-system-arm gcc-aarch64-linux-gnu',
};

function missingTools(arch: KernelArch): string[] {
  const missing = tools[arch].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (arch === 'amd64' && !existsSync('/bin/busybox')) missing.push('busybox (busybox-static)');
  return missing;
}

const toolsAdvice = (arch: KernelArch, missing: string[]): string =>
  `missing: ${missing.join(', ')}; install with apt-get install ${toolPackages[arch]} (setup.sh does)`;

function printReport(kernels: KernelResult[]): void {
  console.log(`\n${matrixTable(kernels)}\n`);
  const details = failureDetails(kernels);
  if (details) console.log(`${details}\n`);
}

async function main(): Promise<number> {
  const arch = values.arch as KernelArch;
  if (!kernelArchs.includes(arch)) throw new Error(`--arch must be one of ${kernelArchs.join(', ')}, got ${arch}`);
  const resultsPath = resultsPathOf(arch);
  if (values.report) {
    const { kernels } = JSON.parse(readFileSync(resultsPath, 'utf8')) as MatrixResults;
    printReport(kernels);
    return kernels.every((k) => k.ok) ? 0 : 1;
  }
  let lock = readLock(lockPath);
  const chosen = selectKernels(lock, values.kernel!, arch);
  if (values['update-lock']) {
    const names = new Set(chosen.map((k) => k.name));
    lock = { ...lock, kernels: lock.kernels.map((k) => (names.has(k.name) ? resolveLatest(k) : k)) };
    if (arch === 'arm64' && lock.arm64Userland) lock.arm64Userland = resolveArm64Userland(lock.arm64Userland);
    writeLock(lockPath, lock);
    for (const k of lock.kernels) console.log(`${k.name}: ${k.package} ${k.version} ${k.sha256}`);
    return 0;
  }
  if (values.fetch) {
    for (const k of chosen) console.log(`${k.name}: ${kernelImage(k)}`);
    if (arch === 'arm64') console.log(`arm64 userland: ${arm64UserlandRoot(lock.arm64Userland!)}`);
    return 0;
  }
  const missing = missingTools(arch);
  if (missing.length > 0) {
    if (!values.ci || process.env.CI === 'true') throw new Error(toolsAdvice(arch, missing));
    console.warn(`kernels: skipped, ${toolsAdvice(arch, missing)} (under CI=true this fails)`);
    return 0;
  }
  mkdirSync(outDir, { recursive: true });
  const images = chosen.map((k) => ({ k, image: kernelImage(k) }));
  const built = Date.now();
  const initramfs = buildGuestInitramfs({
    arch,
    arm64Userland: lock.arm64Userland,
    go: values.go!,
    ci: values.ci!,
    kernelModules: chosen.filter((k) => k.modules).map(kernelModules),
  });
  console.log(
    `kernels: initramfs ${(initramfs.bytes / 2 ** 20).toFixed(0)} MiB, ${initramfs.files} files, built in ${((Date.now() - built) / 1000).toFixed(1)} s`,
  );

  const fresh: KernelResult[] = [];
  for (const { k, image } of images) {
    const dir = join(outDir, k.name);
    mkdirSync(dir, { recursive: true });
    console.log(`kernels: booting ${k.name} (${k.package} ${k.version})`);
    const boot = () =>
      bootGuest({
        arch,
        kernel: image,
        initramfs: initramfs.path,
        dir,
        timeoutMs: Number(values['timeout-min']) * 60_000,
        onConsoleLine: (line) => {
          if (line.startsWith('hw-')) console.log(`  ${k.name}: ${printable(line)}`);
        },
      });
    let run = await boot();
    // A kernel that dies before /init ran none of our code (seen: 7.3 under TCG, an int3 oops while
    // patching its own text at boot): one more boot, the first console kept beside the second.
    if (run.initS === null && !run.timedOut) {
      copyFileSync(join(dir, 'console.log'), join(dir, 'console-first-boot.log'));
      console.log(`kernels: ${k.name} died before /init (${dir}/console-first-boot.log); booting it once more`);
      run = await boot();
    }
    const result = kernelResult(k, run);
    fresh.push(result);
    console.log(
      `kernels: ${k.name} ${result.ok ? 'passed' : 'FAILED'} in ${result.wallS} s (console: ${dir}/console.log)`,
    );
  }
  // A soak (HW_KERNEL_CAPTURE_ROUNDS) is not the matrix the README shows: its results stay in out/.
  // Nor is a run with a forced build (HW_KERNEL_BPF_BUILD).
  const soak =
    (process.env.HW_KERNEL_CAPTURE_ROUNDS ?? '1') !== '1' || (process.env.HW_KERNEL_BPF_BUILD ?? 'auto') !== 'auto';
  const suffix = arch === 'amd64' ? '' : `-${arch}`;
  const written =
    values.ci || soak ? join(outDir, `${values.ci ? 'results-ci' : 'results-soak'}${suffix}.json`) : resultsPath;
  mergeResults(
    written,
    EMULATION[arch],
    lock.kernels.filter((k) => archOf(k) === arch).map((k) => k.name),
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
