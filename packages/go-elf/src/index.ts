export { GoBinary, type GoBinaryOptions } from './go-binary.js';
export { defaultGoElfLimits, type GoElfLimits } from './input-limits.js';
export { GoElfError, type GoElfErrorCode } from './go-elf-error.js';
export type { BuildInfo, BuildSetting, Module } from './build-info.js';
export type { GoFunction, ProbeLocation, ReadOnlyData } from './go-function.js';
export type { GoArch } from './elf-header.js';
export { inspectGoBinary, type Inspection, type RequestCoverage } from './inspect.js';
export {
  clientDoName,
  findProbedFunction,
  transportRoundTripName,
  xNetTransportNames,
  type ProbedFunction,
} from './http-probe-functions.js';
export { goMinorVersion } from './go-version.js';
export type { ByteSource } from './file-reader.js';
export { unprovenProbeOffsets } from './probe-sites.js';
