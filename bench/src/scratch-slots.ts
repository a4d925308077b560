import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bpfObjectPath, defaultTracerOptions, loadAddon, type NativeBinding } from '@httpwatcher/bpf-native';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { Snooper } from 'httpwatcher';
import { bpfRunTime } from './bpf-run-time.js';
import { EventCounter } from './event-counter.js';
import { GoProgram } from './go-program.js';
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
 * client_do's own cost per hit (kernel.bpf_stats_enabled) with the shipped program (scratch slots,
 * preemption guard) against the one-slot program, in rounds that alternate which goes first, on
 * one client process making `calls` in-process calls per round.
 */
export async function measureScratchSlots(binary: string, rounds: number, calls: number): Promise<ScratchSlotsResult> {
  const variants = { slots: bindingFor(bpfObjectPath()), oneSlot: bindingFor(buildOneSlotObject()) };
  const program = await GoProgram.start(binary, ['-transport', 'inproc']);
  const result: ScratchSlotsResult = { calls, slotsNs: [], oneSlotNs: [] };
  try {
    await program.run(calls); // warm the program up untraced
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['slots', 'oneSlot'] as const) : (['oneSlot', 'slots'] as const);
      for (const variant of order) {
        const snoop = await Snooper.init({ binding: variants[variant] });
        const consumer = new EventCounter(snoop);
        try {
          const ran = await bpfRunTime(async (sample) => {
            await snoop.attach(program.pid);
            await program.run(calls);
            sample();
            await snoop.detach(program.pid);
          }, calls / 2);
          // This tracer's client_do ran once per call; other tracers' programs on the machine did not.
          const clientDo = ran.find((p) => p.name === 'client_do' && p.runs === calls);
          if (!clientDo) throw new Error(`scratch slots: no client_do ran exactly ${calls} times (${variant})`);
          (variant === 'slots' ? result.slotsNs : result.oneSlotNs).push(clientDo.nsPerRun);
        } finally {
          await snoop.close();
          await consumer.done;
        }
      }
    }
  } finally {
    await program.stop();
  }
  return result;
}
