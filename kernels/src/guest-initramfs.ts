import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { arm64UserlandRoot } from './arm64-userland.js';
import { writeCpio } from './cpio-newc.js';
import { GUEST_ROOT, PLAN_PATH, type GuestFixture, type GuestPlan, type TransportFixtures } from './guest-plan.js';
import { InitramfsTree } from './initramfs-tree.js';
import { installPackedPackages } from './installed-packages.js';
import type { Arm64Userland, KernelArch } from './kernel-lock.js';
import { kernelsDir, outDir, repoRoot } from './paths.js';

/** What each architecture's guest runs: its Go fixtures, its BPF object, where its results go. */
export interface GuestArch {
  /** The Go versions and test-fixtures/build.sh variants the capture checks trace. */
  captureGo: string[];
  captureVariants: string[];
  /** Cells of one Go version only (a GOEXPERIMENT only it has), as [go, variant]. */
  extraCaptures: [string, string][];
  /** Go 1.24 variants whose literal header strings the image-strings check follows. */
  imageStringVariants: string[];
  /** Go versions whose client, transport-client and transport-only builds the transport checks trace. */
  transportGo: string[];
  /** The variant of the client and response-client builds the other checks use (Go 1.24). */
  clientVariant: string;
  /** bpf-objects/httpwatcher.<name>.bpf.o */
  bpfObject: string;
  resultsDevice: string;
}

/**
 * amd64: the oldest, two middle and the newest Go, as built and stripped. arm64 (build.sh's
 * arm64-* variants): 1.15 (the stack ABI), 1.19 (the oldest register-ABI build of the matrix),
 * 1.21, 1.24 and 1.27, with and without symbols, and PIE; 1.24 also with the bucket maps
 * (GOEXPERIMENT=noswissmap). The transport checks, on both: the Go versions the host's transport
 * e2e tests prove on amd64 (stack ABI, register ABI with bucket maps, swiss maps, the newest), so
 * that each kernel, 5.10's compat build included, runs them on the program as well as the host.
 */
export const guestArchs: Record<KernelArch, GuestArch> = {
  amd64: {
    captureGo: ['1.15', '1.21', '1.24', '1.27'],
    captureVariants: ['default', 'stripped'],
    extraCaptures: [],
    imageStringVariants: [],
    transportGo: ['1.15', '1.21', '1.24', '1.27'],
    clientVariant: 'default',
    bpfObject: 'x86',
    resultsDevice: '/dev/ttyS1',
  },
  arm64: {
    captureGo: ['1.15', '1.19', '1.21', '1.24', '1.27'],
    captureVariants: ['arm64-default', 'arm64-stripped', 'arm64-pie'],
    extraCaptures: [['1.24', 'arm64-noswissmap']],
    imageStringVariants: ['arm64-default', 'arm64-pie'],
    transportGo: ['1.15', '1.21', '1.24', '1.27'],
    clientVariant: 'arm64-default',
    bpfObject: 'arm64',
    resultsDevice: '/dev/hvc0',
  },
};

const BULK_REQUESTS = 1_000;
const CHECK_TIMEOUT_MS = 600_000;

interface ManifestRow {
  program: string;
  go: string;
  variant: string;
  path: string;
}

// Mounts the kernel's filesystems, brings up loopback (down in a fresh guest), runs the checks
// and powers off; qemu runs with -no-reboot, so that ends it. Uptimes go to the console for the host.
const init = (resultsDevice: string): string => `#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up
# Modules this kernel needs (the lock's "modules"), in order; then the results device may take a moment.
mods=/hw-modules/$(uname -r)
if [ -f $mods/load ]; then
  for m in $(cat $mods/load); do insmod $mods/$m || echo "hw-init: insmod $m failed"; done
  for i in 1 2 3 4 5 6 7 8 9 10; do [ -e ${resultsDevice} ] && break; sleep 1; done
fi
echo "hw-init: at $(cut -d' ' -f1 /proc/uptime) s"
cd ${GUEST_ROOT} && /usr/bin/node ${GUEST_ROOT}/guest.cjs ${resultsDevice}
echo "hw-init: runner exit $? at $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
`;

export interface GuestInitramfs {
  path: string;
  bytes: number;
  files: number;
}

function fixture(
  rows: ManifestRow[],
  program: string,
  go: string,
  variant: string,
): { row: ManifestRow; guest: GuestFixture } {
  const row = rows.find((r) => r.program === program && r.go === go && r.variant === variant);
  if (!row || !existsSync(join(repoRoot, row.path)))
    throw new Error(
      `fixture ${program} go${go} ${variant} is missing: run bash test-fixtures/build.sh --go ${go} --variant ${variant}`,
    );
  return { row, guest: { go, variant, path: `${GUEST_ROOT}/fixtures/go${go}/${variant}/${program}` } };
}

/**
 * verifier-report, linked with the vendored libbpf (and libelf, zlib) statically: it needs only
 * libc. For arm64, cross-compiled against the arm64 libbpf and the libelf and zlib the addon's
 * cross build unpacked (packages/bpf-native/scripts/build-native-arm64.sh), linked dynamically
 * as the addon is: the guest's userland has both.
 */
function buildVerifierReport(arch: KernelArch): string {
  const native = join(repoRoot, 'packages', 'bpf-native', 'deps');
  const libbpf = join(native, 'libbpf', 'install');
  const source = join(kernelsDir, 'src', 'verifier-report.c');
  if (arch === 'arm64') {
    const out = join(outDir, 'verifier-report-arm64');
    const arm64 = join(native, 'arm64');
    if (!existsSync(join(arm64, 'libbpf', 'libbpf.a')))
      throw new Error(`${arm64}/libbpf/libbpf.a is missing: build @httpwatcher/bpf-native (its arm64 cross build)`);
    const [sysInclude, sysLib] = [join(arm64, 'sysroot', 'include'), join(arm64, 'sysroot', 'lib')];
    execFileSync('aarch64-linux-gnu-gcc', [
      '-O2',
      '-Wall',
      ...['-I', join(libbpf, 'include'), '-I', sysInclude, '-o', out, source],
      ...[join(arm64, 'libbpf', 'libbpf.a'), join(sysLib, 'libelf.so.1'), join(sysLib, 'libz.so.1')],
      `-Wl,-rpath-link,${sysLib}`,
    ]);
    return out;
  }
  const out = join(outDir, 'verifier-report');
  execFileSync('cc', [
    '-O2',
    '-Wall',
    '-I',
    join(libbpf, 'include'),
    '-o',
    out,
    source,
    join(libbpf, 'lib', 'libbpf.a'),
    '-Wl,-Bstatic',
    '-lelf',
    '-lz',
    '-Wl,-Bdynamic',
  ]);
  return out;
}

function bpfBuild(): 'auto' | 'default' | 'compat' {
  const raw = process.env.HW_KERNEL_BPF_BUILD ?? 'auto';
  if (raw !== 'auto' && raw !== 'default' && raw !== 'compat')
    throw new Error(`HW_KERNEL_BPF_BUILD must be auto, default or compat, got ${JSON.stringify(raw)}`);
  return raw;
}

function captureRounds(): number {
  const raw = process.env.HW_KERNEL_CAPTURE_ROUNDS ?? '1';
  const rounds = Number(raw);
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 100)
    throw new Error(`HW_KERNEL_CAPTURE_ROUNDS must be a whole number from 1 to 100, got ${JSON.stringify(raw)}`);
  return rounds;
}

export interface InitramfsOptions {
  arch: KernelArch;
  /** The pinned arm64 userland (arm64 guests only). */
  arm64Userland?: Arm64Userland;
  /** Only these Go versions in the capture checks (all of the arch's when empty). */
  go?: string[];
  /** pnpm test's run (--ci): of the transport checks `transport proxy` (5 of the 6 kinds of request of the first three) and `transport xnet`. */
  ci?: boolean;
  /** Modules a kernel of the run needs loaded (kernelModules), under /hw-modules/<release>/. */
  kernelModules?: Array<{ release: string; files: Array<{ path: string; host: string }> }>;
}

/**
 * One initramfs for every kernel of an architecture: busybox, node and its libraries (amd64: the
 * host's; arm64: Debian's arm64 packages, pinned in kernels.lock.json), the packed packages
 * installed with npm, the guest runner and its plan, verifier-report and the Go fixtures. Kept
 * uncompressed: under emulation the kernel unpacks a gzip'd archive slower than qemu loads a
 * plain one.
 */
export function buildGuestInitramfs(o: InitramfsOptions): GuestInitramfs {
  const arch = guestArchs[o.arch];
  const runner = join(kernelsDir, 'dist', 'guest.cjs');
  if (!existsSync(runner)) throw new Error(`${runner} is missing: build @httpwatcher/kernels (tsup) first`);
  const manifest = join(repoRoot, 'test-fixtures', 'out', 'manifest.json');
  if (!existsSync(manifest))
    throw new Error('test-fixtures/out/manifest.json is missing: run bash test-fixtures/build.sh');
  const rows = JSON.parse(readFileSync(manifest, 'utf8')) as ManifestRow[];

  const goVersions = o.go && o.go.length > 0 ? o.go : arch.captureGo;
  const cells: [string, string][] = [
    ...goVersions.flatMap((go) => arch.captureVariants.map((v): [string, string] => [go, v])),
    ...arch.extraCaptures.filter(([go]) => goVersions.includes(go)),
  ];
  const captures = cells.map(([go, v]) => fixture(rows, 'client', go, v));
  const imageStrings = arch.imageStringVariants.map((v) => fixture(rows, 'client', '1.24', v));
  const transport = arch.transportGo
    .filter((go) => goVersions.includes(go))
    .map((go) => ({
      go,
      client: fixture(rows, 'client', go, arch.clientVariant),
      transportClient: fixture(rows, 'transport-client', go, arch.clientVariant),
      transportOnly: fixture(rows, 'transport-only', go, arch.clientVariant),
      xnetClient: fixture(rows, 'xnet-client', go, arch.clientVariant),
    }));
  const client = fixture(rows, 'client', '1.24', arch.clientVariant);
  const responseClient = fixture(rows, 'response-client', '1.24', arch.clientVariant);
  const nodeModules = installPackedPackages(join(outDir, 'packages'));
  const objectsDir = join(nodeModules, '@httpwatcher', 'bpf-native', 'bpf-objects');
  const guestModules = `${GUEST_ROOT}/node_modules`;
  const plan: GuestPlan = {
    captures: captures.map((c) => c.guest),
    client: client.guest,
    imageStrings: imageStrings.map((c) => c.guest),
    transportChecks: o.ci ? ['proxy', 'xnet'] : ['capture', 'proxy', 'only', 'xnet'],
    transport: transport.map(
      (t): TransportFixtures => ({
        go: t.go,
        client: t.client.guest,
        transportClient: t.transportClient.guest,
        transportOnly: t.transportOnly.guest,
        xnetClient: t.xnetClient.guest,
      }),
    ),
    responseClient: responseClient.guest,
    bulkRequests: BULK_REQUESTS,
    captureRounds: captureRounds(),
    bpfBuild: bpfBuild(),
    cliBin: `${guestModules}/@httpwatcher/cli/bin/httpwatcher.js`,
    bpfObjects: readdirSync(objectsDir)
      .filter((f) => f.startsWith(`httpwatcher.${arch.bpfObject}.`) && f.endsWith('.bpf.o'))
      .map((f) => `${guestModules}/@httpwatcher/bpf-native/bpf-objects/${f}`),
    verifierReport: `${GUEST_ROOT}/verifier-report`,
    checkTimeoutMs: CHECK_TIMEOUT_MS,
  };

  const t = new InitramfsTree();
  for (const d of ['/proc', '/sys', '/dev', '/tmp']) t.dir(d);
  t.bytes('/init', init(arch.resultsDevice), 0o755);
  for (const { release, files } of o.kernelModules ?? []) {
    for (const f of files) t.file(`/hw-modules/${release}/${f.path}`, f.host, 0o644);
    t.bytes(`/hw-modules/${release}/load`, `${files.map((f) => f.path).join('\n')}\n`);
  }
  const native = `${guestModules}/@httpwatcher/bpf-native`;
  if (o.arch === 'arm64') {
    if (!o.arm64Userland) throw new Error('kernels.lock.json has no arm64Userland');
    // npm ran the package's install script on this x86-64 host, which made the x64 guardian
    // executable; an arm64 install makes the arm64 one executable (scripts/install.mjs).
    t.file(
      `${native}/prebuilds/linux-arm64/hold-guardian`,
      join(nodeModules, '@httpwatcher/bpf-native/prebuilds/linux-arm64/hold-guardian'),
      0o755,
    );
    // Debian's arm64 root: busybox and node with every library they load; /bin is a link to usr/bin.
    t.symlink('/usr/bin/sh', 'busybox');
    t.tree('/', arm64UserlandRoot(o.arm64Userland));
  } else {
    t.file('/bin/busybox', '/bin/busybox', 0o755);
    t.symlink('/bin/sh', 'busybox');
    t.elf('/usr/bin/node', process.execPath);
  }
  t.tree(guestModules, nodeModules);
  // The addon is already in the tree; this brings the libraries it loads (libelf, zlib).
  if (o.arch === 'amd64') {
    const addon = '@httpwatcher/bpf-native/build/Release/httpwatcher_native.node';
    t.elf(`${guestModules}/${addon}`, join(nodeModules, addon));
  }
  t.file(`${GUEST_ROOT}/guest.cjs`, runner);
  t.bytes(PLAN_PATH, `${JSON.stringify(plan, null, 2)}\n`);
  t.elf(plan.verifierReport, buildVerifierReport(o.arch), 0o755);
  const transportFiles = transport.flatMap((t) => [t.client, t.transportClient, t.transportOnly, t.xnetClient]);
  for (const { row, guest } of [...captures, ...imageStrings, ...transportFiles, client, responseClient])
    t.elf(guest.path, join(repoRoot, row.path));

  const path = join(outDir, `initramfs-${o.arch}.cpio`);
  const { files, bytes } = writeCpio(path, t.entries);
  return { path, files, bytes };
}
