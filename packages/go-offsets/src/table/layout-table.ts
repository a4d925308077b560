import type { GoArch } from '../layout.js';
import type { MapKind } from '../map-kind.js';
import { committedDataFiles } from './committed-data.js';
import type { OffsetsDataFile } from './data-file.js';
import { documentedEntries } from './documented-layouts.js';
import type { LayoutTable, LayoutTableEntry } from './layout-table-entry.js';

export function tableFromDataFiles(files: readonly OffsetsDataFile[]): LayoutTableEntry[] {
  return files.flatMap((file) =>
    file.entries.map((e) => ({
      minor: file.minor,
      arch: e.arch,
      maps: e.maps,
      source: 'generated' as const,
      toolchains: file.toolchains,
      layout: e.layout,
    })),
  );
}

/** Generated data for every toolchain we have, plus documented entries for the minors we have none for. */
export const defaultLayoutTable: LayoutTable = [...tableFromDataFiles(committedDataFiles), ...documentedEntries].sort(
  (a, b) => minorNumber(a.minor) - minorNumber(b.minor) || ordinal(a.arch, b.arch) || ordinal(a.maps, b.maps),
);

// Not localeCompare: these are ASCII names, and a collator at module load pages in megabytes of
// Node.js's ICU data that every process importing the package would then keep resident.
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minorNumber(minor: string): number {
  return Number(/^go1\.(\d+)$/.exec(minor)?.[1] ?? NaN);
}

export interface SupportedGoVersion {
  /** `go1.24` */
  readonly minor: string;
  readonly arches: GoArch[];
  readonly maps: MapKind[];
  readonly source: 'generated' | 'documented';
}

export function supportedVersionsOf(table: LayoutTable): SupportedGoVersion[] {
  const byMinor = new Map<string, SupportedGoVersion>();
  for (const e of table) {
    const row = byMinor.get(e.minor) ?? { minor: e.minor, arches: [], maps: [], source: e.source };
    if (!row.arches.includes(e.arch)) row.arches.push(e.arch);
    if (!row.maps.includes(e.maps)) row.maps.push(e.maps);
    byMinor.set(e.minor, row);
  }
  return [...byMinor.values()].sort((a, b) => minorNumber(a.minor) - minorNumber(b.minor));
}

/** What the table covers, oldest first; for README generation. */
export const supportedGoVersions: readonly SupportedGoVersion[] = supportedVersionsOf(defaultLayoutTable);
