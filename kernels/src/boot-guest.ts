import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelArch } from './kernel-lock.js';
import type { GuestLine } from './results.js';

export interface GuestRun {
  lines: GuestLine[];
  /** Everything the guest printed on its console (the kernel's messages, the runner's progress). */
  console: string;
  /** Uptime at which /init started, from the console. */
  initS: number | null;
  wallS: number;
  qemuCpuS: number | null;
  timedOut: boolean;
  exitCode: number | null;
}

export interface BootOptions {
  arch: KernelArch;
  kernel: string;
  initramfs: string;
  /** Where this kernel's console log and results go. */
  dir: string;
  timeoutMs: number;
  /** Console lines as they come (progress). */
  onConsoleLine?: (line: string) => void;
}

const CLOCK_TICKS = 100; // USER_HZ of the host (x86-64 Linux), where qemu runs

/** user + system CPU seconds of a live process, from /proc/PID/stat (fields 14 and 15). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** A result line; one cut short by a guest that died mid-write is left out (the check then has no result). */
function parseLine(line: string): GuestLine[] {
  if (!line.startsWith('{')) return [];
  try {
    return [JSON.parse(line) as GuestLine];
  } catch {
    return [];
  }
}

/**
 * The qemu command for each architecture. amd64: the console on the first serial port, results on
 * the second (the guest's /dev/ttyS1). arm64: qemu's `virt` machine has one PL011 UART, the
 * console; results go to a virtio console (the guest's /dev/hvc0; Debian's cloud-arm64 kernel has
 * VIRTIO_PCI and VIRTIO_CONSOLE built in). cortex-a72: `-cpu max` emulates pointer authentication,
 * several times slower under TCG.
 */
export function qemuCommand(o: BootOptions, resultsFile: string): { binary: string; args: string[] } {
  const common = ['-accel', 'tcg', '-smp', '2', '-m', '2048', '-nodefaults', '-display', 'none', '-no-reboot'];
  const boot = (console: string) => [
    '-kernel',
    o.kernel,
    '-initrd',
    o.initramfs,
    '-append',
    `console=${console} quiet loglevel=4 panic=-1`,
    '-serial',
    'stdio',
  ];
  if (o.arch === 'arm64')
    return {
      binary: 'qemu-system-aarch64',
      args: [
        '-M',
        'virt',
        '-cpu',
        'cortex-a72',
        ...common,
        ...boot('ttyAMA0'),
        '-device',
        'virtio-serial-pci',
        '-chardev',
        `file,id=hwresults,path=${resultsFile}`,
        '-device',
        'virtconsole,chardev=hwresults',
      ],
    };
  return {
    binary: 'qemu-system-x86_64',
    args: ['-cpu', 'max', ...common, ...boot('ttyS0'), '-serial', `file:${resultsFile}`],
  };
}

/**
 * Boots a kernel under qemu's TCG emulation (no /dev/kvm here) with 2 CPUs, the initramfs as its
 * only root, the console on one port and the results on another, so kernel messages never
 * corrupt a result line. The guest powers off when its checks are done.
 */
export async function bootGuest(o: BootOptions): Promise<GuestRun> {
  const resultsFile = join(o.dir, 'results.jsonl');
  rmSync(resultsFile, { force: true });
  const { binary, args } = qemuCommand(o, resultsFile);
  const started = Date.now();
  const qemu = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let consoleText = '';
  let pending = '';
  const onData = (d: Buffer): void => {
    const text = d.toString().replace(/\r/g, '');
    consoleText += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) o.onConsoleLine?.(line);
  };
  qemu.stdout.on('data', onData);
  qemu.stderr.on('data', onData);
  let cpu: number | null = null;
  const sampler = setInterval(() => (cpu = cpuSeconds(qemu.pid!) ?? cpu), 1000);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    qemu.kill('SIGKILL');
  }, o.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => qemu.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  clearInterval(sampler);
  const wallS = (Date.now() - started) / 1000;
  writeFileSync(join(o.dir, 'console.log'), consoleText);
  const lines = existsSync(resultsFile)
    ? readFileSync(resultsFile, 'utf8').replace(/\r/g, '').split('\n').flatMap(parseLine)
    : [];
  const init = /hw-init: at ([\d.]+) s/.exec(consoleText);
  return {
    lines,
    console: consoleText,
    initS: init ? Number(init[1]) : null,
    wallS,
    qemuCpuS: cpu,
    timedOut,
    exitCode,
  };
}
