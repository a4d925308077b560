export type {
  BpfBuild,
  HeldResume,
  KernelFeatureReport,
  NativeAddon,
  NativeTracer,
  ObjectNames,
  SharedMapName,
  TracerOptions,
  UprobeProgram,
} from './native-surface.js';
export { sharedMapNames, uprobePrograms } from './native-surface.js';
export { loadAddon, NativeLoadError, packageRoot } from './load-addon.js';
export { bpfObjectPath } from './bpf-object.js';
export { openTracer, defaultTracerOptions, kernelFeatures } from './open-tracer.js';
export type { NativeBinding } from './open-tracer.js';
export { holdGuardianPath, holdTimeoutRangeMs, startHoldGuardian } from './hold-guardian.js';
export type { GuardianCgroupEscape, HoldGuardian } from './hold-guardian.js';
