import { abiConvention } from './abi-convention.js';
import type { DwarfLimits } from './dwarf/dwarf-budget.js';
import type { DwarfSections } from './dwarf/dwarf-sections.js';
import { layoutFromDwarf } from './dwarf/layout-from-dwarf.js';
import { goExperiments, minorName, parseGoVersion, type GoVersion } from './go-version.js';
import type { GoArch, GoLayout } from './layout.js';
import { mapKindFor } from './map-kind.js';
import { OffsetsError } from './offsets-error.js';
import { defaultLayoutTable, minorNumber } from './table/layout-table.js';
import type { LayoutTable, LayoutTableEntry } from './table/layout-table-entry.js';

export interface ResolveLayoutInput {
  /** As found in buildinfo or `runtime.Version()` (`go1.24.4`, `go1.25.5 X:nodwarf5`), or given by --assume-go. */
  goVersion: string;
  arch: GoArch;
  /** The binary's `GOEXPERIMENT` build setting, a comma-separated list (`noswissmap`). */
  goexperiment?: string;
  /** The binary's DWARF, if it has any: used only when the table has no entry. */
  dwarf?: DwarfSections;
  /** Raise (or lower) the ceilings on reading that DWARF; the defaults fit every real Go binary. */
  dwarfLimits?: Partial<DwarfLimits>;
}

export interface ResolvedLayout {
  layout: GoLayout;
  source: 'table' | 'dwarf';
  /** What was used, e.g. `go1.24 amd64 swiss` or `go1.28.1 amd64 swiss (DWARF)`. */
  entry: string;
}

const arches: readonly string[] = ['amd64', 'arm64'];

/**
 * The layout for one binary: a table entry when its minor is known (any patch release of it), else the
 * binary's own DWARF, else UNSUPPORTED_GO_VERSION. Never guesses from a neighbouring version.
 * Pre-releases and devel builds never use the table: their runtime internals can sit anywhere between two
 * releases (the 1.26 URL reorder and the 1.24 swiss map landed mid-cycle).
 */
export function resolveLayout(input: ResolveLayoutInput, table: LayoutTable = defaultLayoutTable): ResolvedLayout {
  const { goVersion, arch } = input;
  const version = parseGoVersion(goVersion);
  if (!arches.includes(arch)) {
    throw new OffsetsError(
      'UNSUPPORTED_ARCH',
      `GOARCH ${String(arch)} is not supported: only amd64 and arm64 layouts exist.`,
      { goVersion },
    );
  }
  const experiments = goExperiments(version, input.goexperiment);
  const maps = mapKindFor(version, experiments);
  const isRelease = version.major === 1 && !version.devel && version.pre === undefined;
  const entry = isRelease
    ? table.find((e) => e.minor === minorName(version) && e.arch === arch && e.maps === maps)
    : undefined;
  if (entry) return fromTable(entry, version, experiments);
  if (input.dwarf) {
    const layout = layoutFromDwarf(input.dwarf, arch, goVersion, input.goexperiment, input.dwarfLimits);
    return { layout, source: 'dwarf', entry: `${goVersion.trim()} ${arch} ${layout.headerMap.kind} (DWARF)` };
  }
  throw unsupported(goVersion, version, arch, maps, isRelease, table);
}

// The table's ABI assumes regabi; 1.17/1.18 could still be built with GOEXPERIMENT=noregabi.
function fromTable(entry: LayoutTableEntry, version: GoVersion, experiments: string[]): ResolvedLayout {
  const name = `${entry.minor} ${entry.arch} ${entry.maps}`;
  const abi = abiConvention(version, entry.arch, experiments);
  if (abi.kind === entry.layout.abi.kind) return { layout: entry.layout, source: 'table', entry: name };
  return {
    layout: { ...entry.layout, abi: { ...abi, goidOffset: entry.layout.abi.goidOffset } },
    source: 'table',
    entry: `${name} ${abi.kind} ABI`,
  };
}

function unsupported(
  goVersion: string,
  version: GoVersion,
  arch: GoArch,
  maps: string,
  isRelease: boolean,
  table: LayoutTable,
): OffsetsError {
  const minors = [...new Set(table.map((e) => e.minor))].sort((a, b) => minorNumber(a) - minorNumber(b));
  const wanted = version.major === 1 ? version.minor : Infinity;
  const below = minors.filter((m) => minorNumber(m) <= wanted).at(-1);
  const above = minors.find((m) => minorNumber(m) >= wanted);
  const nearest = [...new Set([below, above].filter((m): m is string => m !== undefined))];
  const known = minors.includes(minorName(version)) && version.major === 1;
  const why = !isRelease
    ? `${version.devel ? 'development builds' : 'pre-releases'} are not in the table`
    : known
      ? `the table has ${minorName(version)} but not for ${arch} with the ${maps} map`
      : `the table covers ${minors[0] ?? 'nothing'}–${minors.at(-1) ?? 'nothing'}`;
  return new OffsetsError(
    'UNSUPPORTED_GO_VERSION',
    `No memory layout for Go "${goVersion}" (${arch}, ${maps} map): ${why}, and the binary has no DWARF to read it from. ` +
      `Nearest supported: ${nearest.join(', ') || 'none'}. Add the version with \`pnpm offsets:generate --go ${version.major}.${version.minor}\`, ` +
      `or, if you know the binary matches a supported release, pass --assume-go <version>.`,
    { goVersion, nearest },
  );
}
