import type { BpfBuild, NativeBinding, NativeTracer, TracerOptions } from '@httpwatcher/bpf-native';
import type { StartGuardian } from './held-processes.js';
import { SnooperError } from './snooper-error.js';
import type { SnooperOptions } from './snooper-types.js';
import { assertMayTrace, capabilitiesToCheck, loadRefusedMessage } from './permission-advice.js';
import { chooseBpfBuild, missingKernelFeatures, unsupportedKernel, verifierLogOf } from './kernel-support.js';

/** Largest capacity a map option may ask for: each entry is kernel memory, charged to this process. */
const maxMapCapacity = 1 << 20;

/** A BPF map capacity option, checked before anything loads (the kernel would refuse 0 only at load). */
function mapCapacity(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > maxMapCapacity)
    throw new SnooperError('INVALID_ARGUMENT', `${name} must be an integer from 1 to ${maxMapCapacity}, got ${value}`);
  return value;
}

async function loadDefaultBinding(): Promise<NativeBinding> {
  const native = await import('@httpwatcher/bpf-native');
  return {
    openTracer: native.openTracer,
    kernelFeatures: native.kernelFeatures,
    startHoldGuardian: native.startHoldGuardian,
    get libbpfVersion() {
      return native.loadAddon().libbpfVersion;
    },
  };
}

/**
 * The BPF side wakes the drain thread each time this much more is pending: 256 KiB (a batch), or
 * an eighth of a smaller ring, so that the thread is woken well before the ring is full.
 */
const wakeupBytesFor = (ringBytes: number): number => Math.max(8, Math.min(256 << 10, Math.floor(ringBytes / 8)));

/**
 * Loads the BPF program through the native binding (the addon unless `options.binding` says
 * otherwise). Rejects with PERMISSION_DENIED, naming the missing capabilities, when this process
 * cannot load it or create uprobes (docs/privileges.md); with UNSUPPORTED_KERNEL, naming what the
 * kernel lacks, when its features (probed first) or its verifier refuse the program; with
 * NATIVE_ADDON_MISSING or BPF_LOAD_FAILED when loading fails otherwise. Loads the build the kernel
 * supports (chooseBpfBuild) unless `options.bpfBuild` names one.
 */
export async function openNativeTracer(options: SnooperOptions): Promise<{ tracer: NativeTracer; build: BpfBuild }> {
  const choice = options.bpfBuild ?? 'auto';
  if (choice !== 'auto' && choice !== 'default' && choice !== 'compat')
    throw new SnooperError('INVALID_ARGUMENT', `bpfBuild must be 'auto', 'default' or 'compat', got ${String(choice)}`);
  assertMayTrace(capabilitiesToCheck(options));
  let binding: NativeBinding;
  try {
    binding = options.binding ?? (await loadDefaultBinding());
  } catch (cause) {
    throw new SnooperError('NATIVE_ADDON_MISSING', (cause as Error).message, { cause });
  }
  const tracerOptions: Partial<TracerOptions> = {
    ...(options.ringBufferBytes !== undefined && {
      ringBytes: options.ringBufferBytes,
      wakeupBytes: wakeupBytesFor(options.ringBufferBytes),
    }),
    ...(options.spillBufferBytes !== undefined && { spillBytes: options.spillBufferBytes }),
    ...(options.flushIntervalMs !== undefined && { flushIntervalMs: options.flushIntervalMs }),
    ...(options.maxProcesses !== undefined && { maxProcesses: mapCapacity('maxProcesses', options.maxProcesses) }),
    ...(options.maxBinaries !== undefined && { maxBinaries: mapCapacity('maxBinaries', options.maxBinaries) }),
    ...(options.maxUntraceable !== undefined && {
      maxUntraceable: mapCapacity('maxUntraceable', options.maxUntraceable),
    }),
  };
  const kernel = binding.kernelFeatures?.();
  if (kernel) {
    const missing = missingKernelFeatures(kernel);
    if (missing.length > 0) throw unsupportedKernel(kernel.release, missing);
  }
  const build = chooseBpfBuild(kernel, choice);
  try {
    return { tracer: binding.openTracer(tracerOptions, build), build };
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const verifierLog = verifierLogOf(cause);
    if (verifierLog !== undefined) throw unsupportedKernel(kernel?.release ?? 'unknown', [], verifierLog, cause);
    if (code === 'EPERM' || code === 'EACCES') {
      throw new SnooperError('PERMISSION_DENIED', loadRefusedMessage(code), { cause });
    }
    if (code === 'NATIVE_ADDON_MISSING')
      throw new SnooperError('NATIVE_ADDON_MISSING', (cause as Error).message, { cause });
    throw new SnooperError('BPF_LOAD_FAILED', `loading the BPF program failed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** How the Snooper starts its hold guardian: the binding's way, if it has one. */
export async function guardianStarter(
  options: SnooperOptions,
  tracer: NativeTracer,
): Promise<StartGuardian | undefined> {
  const binding = options.binding ?? (await loadDefaultBinding());
  const start = binding.startHoldGuardian?.bind(binding);
  return start && ((timeoutMs) => start(tracer, timeoutMs));
}
