import type { GoBinary } from '@httpwatcher/go-elf';
import type { DwarfSections } from '../dwarf/dwarf-sections.js';

/** The binary's DWARF sections, inflated (SHF_COMPRESSED or `.zdebug_*`); undefined without info and abbrev. */
export async function readDwarfSections(binary: GoBinary): Promise<DwarfSections | undefined> {
  const info = await binary.section('.debug_info');
  const abbrev = await binary.section('.debug_abbrev');
  if (!info || !abbrev) return undefined;
  const str = await binary.section('.debug_str');
  const lineStr = await binary.section('.debug_line_str');
  const strOffsets = await binary.section('.debug_str_offsets');
  const addr = await binary.section('.debug_addr');
  return {
    info,
    abbrev,
    ...(str && { str }),
    ...(lineStr && { lineStr }),
    ...(strOffsets && { strOffsets }),
    ...(addr && { addr }),
  };
}
