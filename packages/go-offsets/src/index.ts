export type * from './layout.js';
export { resolveLayout, type ResolveLayoutInput, type ResolvedLayout } from './resolve-layout.js';
export { layoutFromDwarf } from './dwarf/layout-from-dwarf.js';
export type { DwarfSections } from './dwarf/dwarf-sections.js';
export { defaultDwarfLimits, type DwarfLimits } from './dwarf/dwarf-budget.js';
export { OffsetsError, type OffsetsErrorCode, type OffsetsErrorDetails } from './offsets-error.js';
export { parseGoVersion, type GoVersion } from './go-version.js';
export { supportedGoVersions, defaultLayoutTable, type SupportedGoVersion } from './table/layout-table.js';
export type { LayoutTable, LayoutTableEntry } from './table/layout-table-entry.js';
export type { MapKind } from './map-kind.js';
export {
  BinaryAnalyzer,
  type BinaryAnalyzerOptions,
} from './analysis/binary-analyzer.js';
export {
  analyzeBinary,
  analyzeRequest,
  type BinaryAnalysis,
  type BinaryAnalysisRequest,
  type TransportAnalysis,
} from './analysis/binary-analysis.js';
export { readDwarfSections } from './analysis/read-dwarf-sections.js';
