export { Snooper, type SnooperOptions, type SnooperStats, type AttachedProcess } from './snooper.js';
export { SnooperError, type SnooperErrorCode } from './snooper-error.js';
export type { HttpRequestEvent } from './http-event.js';
export { resolveTarget, type ResolvedTarget, type ResolveOptions, type TargetResolver } from './resolve-target.js';
export { goUrlString, type UrlParts } from './go-url.js';
export type { NativeBinding } from '@httpwatcher/bpf-native';
export { inspectTarget, type TargetInspection } from './inspect.js';
