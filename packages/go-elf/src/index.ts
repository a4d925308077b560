export { GoBinary } from './go-binary.js';
export { GoElfError, type GoElfErrorCode } from './go-elf-error.js';
export type { BuildInfo, BuildSetting, Module } from './build-info.js';
export type { GoFunction, ProbeLocation, ReadOnlyData } from './go-function.js';
export type { GoArch } from './elf-header.js';
export { inspectGoBinary, clientDoName, type Inspection } from './inspect.js';
export { goMinorVersion } from './go-version.js';
export type { ByteSource } from './file-reader.js';
export { unprovenProbeOffsets } from './probe-sites.js';
