export {
  Snooper,
  type SnooperOptions,
  type SnooperStats,
  type AttachedProcess,
  type AttachSource,
  type AttachedBinary,
  type AttachAllOptions,
  type TracedChild,
  type TracedSpawnOptions,
} from './snooper.js';
export type { LifecycleEvent, AttachNotice, ExitNotice, ErrorNotice } from './lifecycle-event.js';
export type { ExitStatus } from './exit-status.js';
export type { ProcessSource, ProcessSnapshot } from './process-source.js';
export type { BinaryIdentity } from './binary-identity.js';
export { SnooperError, type SnooperErrorCode, type KernelRefusal } from './snooper-error.js';
export type { HttpRequestEvent } from './http-event.js';
export type { HttpRequestShape, HttpRequestView } from './http-request-view.js';
export {
  resolveProcessBinary,
  type ProbeConfig,
  type ProcessBinary,
  type ResolveOptions,
  type ProcessBinaryResolver,
} from './resolve-process-binary.js';
export { goUrlString, type UrlParts } from './go-url.js';
export type { NativeBinding } from '@httpwatcher/bpf-native';
export { inspectBinary, type BinaryInspection } from './inspect.js';
export { limitMallocRetention } from './malloc-retention.js';
export { growPipe } from './pipe-capacity.js';
export { clientDoName, transportRoundTripName } from '@httpwatcher/go-elf';
export {
  redactHeaders,
  redactUrl,
  redactValue,
  isSecretHeader,
  isSecretQueryParameter,
  SecretRedactor,
  type RedactNames,
} from './redact.js';
