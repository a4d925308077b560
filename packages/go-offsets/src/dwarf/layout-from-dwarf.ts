import { goExperiments, parseGoVersion } from '../go-version.js';
import type { GoArch, GoLayout } from '../layout.js';
import { layoutFromStructs } from '../layout-from-structs.js';
import { OffsetsError } from '../offsets-error.js';
import { hasCompleteLayout, wantedTypes } from '../struct-layouts.js';
import { defaultDwarfLimits, type DwarfLimits } from './dwarf-budget.js';
import type { DwarfSections } from './dwarf-sections.js';
import { readStructLayouts } from './read-struct-layouts.js';

/**
 * Reads the layout from a binary's own DWARF: the fallback for Go versions the table does not know.
 * `goVersion` (and `goexperiment`) only decide the calling convention, which DWARF does not describe;
 * the map implementation is read from the DWARF itself.
 */
export function layoutFromDwarf(
  sections: DwarfSections,
  arch: GoArch,
  goVersion: string,
  goexperiment?: string,
  limits?: Partial<DwarfLimits>,
): GoLayout {
  const version = parseGoVersion(goVersion);
  if (!sections.info?.length || !sections.abbrev?.length) {
    throw new OffsetsError(
      'DWARF_INCOMPLETE',
      `The ${goVersion} binary has no .debug_info/.debug_abbrev to read layouts from.`,
      { goVersion },
    );
  }
  const structs = readStructLayouts(sections, new Set(wantedTypes), hasCompleteLayout, {
    ...defaultDwarfLimits,
    ...limits,
  });
  return layoutFromStructs(structs, arch, version, goExperiments(version, goexperiment), goVersion);
}
