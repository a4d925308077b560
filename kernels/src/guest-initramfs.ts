import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeCpio } from './cpio-newc.js';
import { GUEST_ROOT, PLAN_PATH, type GuestFixture, type GuestPlan } from './guest-plan.js';
import { InitramfsTree } from './initramfs-tree.js';
import { installPackedPackages } from './installed-packages.js';
import { kernelsDir, outDir, repoRoot } from './paths.js';

/** The fixtures each guest traces: the oldest, two middle and the newest Go, as built and stripped. */
const CAPTURE_GO = ['1.15', '1.21', '1.24', '1.27'];
const CAPTURE_VARIANTS = ['default', 'stripped'];
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
const INIT = `#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up
echo "hw-init: at $(cut -d' ' -f1 /proc/uptime) s"
cd ${GUEST_ROOT} && /usr/bin/node ${GUEST_ROOT}/guest.cjs /dev/ttyS1
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

/** verifier-report, linked with the vendored libbpf (and libelf, zlib) statically: it needs only libc. */
function buildVerifierReport(): string {
  const libbpf = join(repoRoot, 'packages', 'bpf-native', 'deps', 'libbpf', 'install');
  const out = join(outDir, 'verifier-report');
  execFileSync('cc', [
    '-O2',
    '-Wall',
    '-I',
    join(libbpf, 'include'),
    '-o',
    out,
    join(kernelsDir, 'src', 'verifier-report.c'),
    join(libbpf, 'lib', 'libbpf.a'),
    '-Wl,-Bstatic',
    '-lelf',
    '-lz',
    '-Wl,-Bdynamic',
  ]);
  return out;
}

function captureRounds(): number {
  const raw = process.env.HW_KERNEL_CAPTURE_ROUNDS ?? '1';
  const rounds = Number(raw);
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 100)
    throw new Error(`HW_KERNEL_CAPTURE_ROUNDS must be a whole number from 1 to 100, got ${JSON.stringify(raw)}`);
  return rounds;
}

/**
 * One initramfs for every kernel: busybox, the host's node and its libraries, the packed packages
 * installed with npm, the guest runner and its plan, verifier-report and the Go fixtures. Kept
 * uncompressed: under emulation the kernel unpacks a gzip'd archive slower than qemu loads a
 * plain one.
 */
export function buildGuestInitramfs(): GuestInitramfs {
  const runner = join(kernelsDir, 'dist', 'guest.cjs');
  if (!existsSync(runner)) throw new Error(`${runner} is missing: build @httpwatcher/kernels (tsup) first`);
  const manifest = join(repoRoot, 'test-fixtures', 'out', 'manifest.json');
  if (!existsSync(manifest))
    throw new Error('test-fixtures/out/manifest.json is missing: run bash test-fixtures/build.sh');
  const rows = JSON.parse(readFileSync(manifest, 'utf8')) as ManifestRow[];

  const captures = CAPTURE_GO.flatMap((go) => CAPTURE_VARIANTS.map((v) => fixture(rows, 'client', go, v)));
  const client = fixture(rows, 'client', '1.24', 'default');
  const responseClient = fixture(rows, 'response-client', '1.24', 'default');
  const nodeModules = installPackedPackages(join(outDir, 'packages'));
  const objectsDir = join(nodeModules, '@httpwatcher', 'bpf-native', 'bpf-objects');
  const guestModules = `${GUEST_ROOT}/node_modules`;
  const plan: GuestPlan = {
    captures: captures.map((c) => c.guest),
    client: client.guest,
    responseClient: responseClient.guest,
    bulkRequests: BULK_REQUESTS,
    captureRounds: captureRounds(),
    cliBin: `${guestModules}/@httpwatcher/cli/bin/httpwatcher.js`,
    bpfObjects: readdirSync(objectsDir)
      .filter((f) => f.endsWith('.x86.bpf.o'))
      .map((f) => `${guestModules}/@httpwatcher/bpf-native/bpf-objects/${f}`),
    verifierReport: `${GUEST_ROOT}/verifier-report`,
    checkTimeoutMs: CHECK_TIMEOUT_MS,
  };

  const t = new InitramfsTree();
  for (const d of ['/proc', '/sys', '/dev', '/tmp']) t.dir(d);
  t.bytes('/init', INIT, 0o755);
  t.file('/bin/busybox', '/bin/busybox', 0o755);
  t.symlink('/bin/sh', 'busybox');
  t.elf('/usr/bin/node', process.execPath);
  t.tree(guestModules, nodeModules);
  // The addon is already in the tree; this brings the libraries it loads (libelf, zlib).
  const addon = '@httpwatcher/bpf-native/build/Release/httpwatcher_native.node';
  t.elf(`${guestModules}/${addon}`, join(nodeModules, addon));
  t.file(`${GUEST_ROOT}/guest.cjs`, runner);
  t.bytes(PLAN_PATH, `${JSON.stringify(plan, null, 2)}\n`);
  t.elf(plan.verifierReport, buildVerifierReport());
  for (const { row, guest } of [...captures, client, responseClient]) t.elf(guest.path, join(repoRoot, row.path));

  const path = join(outDir, 'initramfs.cpio');
  const { files, bytes } = writeCpio(path, t.entries);
  return { path, files, bytes };
}
