import { bpfObjectPath } from './bpf-object.js';
import { loadAddon } from './load-addon.js';
import type { HoldGuardian } from './hold-guardian.js';
import type { BpfBuild, KernelFeatureReport, NativeTracer, TracerOptions } from './native-surface.js';

export const defaultTracerOptions: TracerOptions = {
  ringBytes: 8 << 20,
  wakeupBytes: 256 << 10,
  spillBytes: 64 << 20,
  maxProcesses: 1024,
  maxBinaries: 1024,
  maxUntraceable: 8192,
  flushIntervalMs: 50,
};

/** What the facade needs from the native side; tests substitute a fake with the same shape. */
export interface NativeBinding {
  /** Loads the given build of the BPF program (default: `default`). */
  openTracer(options?: Partial<TracerOptions>, build?: BpfBuild): NativeTracer;
  /**
   * Starts the process that resumes what `tracer` holds past `timeoutMs`, or once the tracer is
   * gone. Without it, attachAll({ hold }) is refused.
   */
  startHoldGuardian?(tracer: NativeTracer, timeoutMs: number): Promise<HoldGuardian>;
  readonly libbpfVersion: string;
  /** What the running kernel offers; a binding without it (a test's fake) is not probed. */
  kernelFeatures?(): KernelFeatureReport;
}

/** Probes the running kernel's BPF features (see NativeAddon.kernelFeatures). */
export function kernelFeatures(): KernelFeatureReport {
  return loadAddon().kernelFeatures();
}

/** Loads the BPF program into the kernel. Throws the native error (with `code` such as EPERM). */
export function openTracer(options: Partial<TracerOptions> = {}, build: BpfBuild = 'default'): NativeTracer {
  const addon = loadAddon();
  return new addon.Tracer(bpfObjectPath(process.arch, build), { ...defaultTracerOptions, ...options });
}
