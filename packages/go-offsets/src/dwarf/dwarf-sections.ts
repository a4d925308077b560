/** DWARF sections of one binary, already decompressed (SHF_COMPRESSED / .zdebug_*) by the ELF reader. */
export interface DwarfSections {
  info: Buffer;
  abbrev: Buffer;
  str?: Buffer;
  /** `.debug_line_str`: DW_FORM_line_strp (DWARF 5). */
  lineStr?: Buffer;
  /** `.debug_str_offsets`: DW_FORM_strx* (DWARF 5). */
  strOffsets?: Buffer;
  addr?: Buffer;
}
