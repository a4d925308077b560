import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bpfObjectPath, defaultTracerOptions, loadAddon, type NativeBinding } from '@httpwatcher/bpf-native';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { compareClientDoTime } from './client-do-time.js';
import { benchOut } from './paths.js';

/**
 * The one-slot program client_do had before its scratch slots and preemption guard: the shipped
 * source built with HW_SCRATCH_SLOTS=1 and HW_NO_PREEMPT_GUARD, flags as scripts/build-bpf.sh.
 */
function buildOneSlotObject(): string {
  const native = join(repoRoot, 'packages', 'bpf-native');
  const clang = execFileSync('sh', ['-c', 'command -v clang-19 || command -v clang'], { encoding: 'utf8' }).trim();
  const multiarch = execFileSync('sh', ['-c', 'gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu'], {
    encoding: 'utf8',
  }).trim();
  mkdirSync(benchOut, { recursive: true });
  const out = join(benchOut, 'httpwatcher-one-slot.x86.bpf.o');
  execFileSync(clang, [
    ...['-target', 'bpf', '-O2', '-g', '-Wall', '-Werror', '-D__TARGET_ARCH_x86'],
    ...['-DHW_SCRATCH_SLOTS=1', '-DHW_NO_PREEMPT_GUARD'],
    ...['-I', join(native, 'deps', 'libbpf', 'install', 'include'), '-I', `/usr/include/${multiarch}`],
    ...['-I', join(repoRoot, 'bpf'), '-c', join(repoRoot, 'bpf', 'httpwatcher.bpf.c'), '-o', out],
  ]);
  return out;
}

/** A binding that loads `objectPath` instead of the shipped object. */
function bindingFor(objectPath: string): NativeBinding {
  const addon = loadAddon();
  return {
    openTracer: (options = {}) => new addon.Tracer(objectPath, { ...defaultTracerOptions, ...options }),
    libbpfVersion: addon.libbpfVersion,
  };
}

export interface ScratchSlotsResult {
  calls: number;
  /** client_do's BPF run time per hit, one figure per round. */
  slotsNs: number[];
  oneSlotNs: number[];
}

/**
 * client_do's own cost per hit with the shipped program (scratch slots, preemption guard) against
 * the one-slot program (see compareClientDoTime).
 */
export async function measureScratchSlots(binary: string, rounds: number, calls: number): Promise<ScratchSlotsResult> {
  const r = await compareClientDoTime(binary, rounds, calls, {
    slots: { binding: bindingFor(bpfObjectPath()) },
    oneSlot: { binding: bindingFor(buildOneSlotObject()) },
  });
  return { calls, slotsNs: r.slots, oneSlotNs: r.oneSlot };
}
