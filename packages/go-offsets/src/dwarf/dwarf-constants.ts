// DWARF 4/5 constants used by the reader (DWARF 5 standard §7.5; GNU extensions from binutils' dwarf2.h).

export const tag = {
  compileUnit: 0x11,
  structureType: 0x13,
  member: 0x0d,
} as const;

export const attr = {
  sibling: 0x01,
  name: 0x03,
  byteSize: 0x0b,
  dataMemberLocation: 0x38,
  strOffsetsBase: 0x72,
} as const;

export const form = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  refAddr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  refUdata: 0x15,
  indirect: 0x16,
  secOffset: 0x17,
  exprloc: 0x18,
  flagPresent: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  refSup4: 0x1c,
  strpSup: 0x1d,
  data16: 0x1e,
  lineStrp: 0x1f,
  refSig8: 0x20,
  implicitConst: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  refSup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  gnuAddrIndex: 0x1f01,
  gnuStrIndex: 0x1f02,
  gnuRefAlt: 0x1f20,
  gnuStrpAlt: 0x1f21,
} as const;

/** DW_OP_plus_uconst: how DWARF 2-style producers write a member offset as a location expression. */
export const opPlusUconst = 0x23;

/** DWARF 5 unit types (§7.5.1). */
export const unitType = {
  compile: 0x01,
  type: 0x02,
  partial: 0x03,
  skeleton: 0x04,
  splitCompile: 0x05,
  splitType: 0x06,
} as const;
