import { ByteReader, stringAt } from './byte-reader.js';
import { form, opPlusUconst } from './dwarf-constants.js';
import type { DwarfBudget } from './dwarf-budget.js';
import type { DwarfSections } from './dwarf-sections.js';

/** What decoding an attribute value needs to know about the unit it is in. */
export interface UnitContext {
  readonly sections: DwarfSections;
  readonly version: number;
  readonly addressSize: number;
  readonly offsetSize: 4 | 8;
  /** Section offset of the unit header: CU-relative references (ref1…ref_udata) are relative to it. */
  readonly unitOffset: number;
  /** DW_AT_str_offsets_base of the unit's DIE, for strx forms. */
  strOffsetsBase: number;
  /** The limits this read of the DWARF counts against. */
  readonly budget: DwarfBudget;
}

/** Size of a fixed-size form, or undefined when it has a variable size (LEB128, blocks, strings). */
export function fixedFormSize(f: number, addressSize: number, offsetSize: 4 | 8, version: number): number | undefined {
  switch (f) {
    case form.flagPresent:
    case form.implicitConst:
      return 0;
    case form.data1:
    case form.ref1:
    case form.flag:
    case form.strx1:
    case form.addrx1:
      return 1;
    case form.data2:
    case form.ref2:
    case form.strx2:
    case form.addrx2:
      return 2;
    case form.strx3:
    case form.addrx3:
      return 3;
    case form.data4:
    case form.ref4:
    case form.refSup4:
    case form.strx4:
    case form.addrx4:
      return 4;
    case form.data8:
    case form.ref8:
    case form.refSig8:
    case form.refSup8:
      return 8;
    case form.data16:
      return 16;
    case form.addr:
      return addressSize;
    case form.refAddr:
      return version <= 2 ? addressSize : offsetSize;
    case form.strp:
    case form.lineStrp:
    case form.secOffset:
    case form.strpSup:
    case form.gnuRefAlt:
    case form.gnuStrpAlt:
      return offsetSize;
    default:
      return undefined;
  }
}

// DW_FORM_indirect names the real form inline; a chain of them is legal but never useful, so it is bounded.
const maxIndirections = 4;

/** Skips one attribute value of form `f`. */
export function skipForm(r: ByteReader, f: number, ctx: UnitContext, indirections = 0): void {
  const size = fixedFormSize(f, ctx.addressSize, ctx.offsetSize, ctx.version);
  if (size !== undefined) {
    r.skip(size);
    return;
  }
  switch (f) {
    case form.string:
      r.skipCstring(ctx.budget.limits);
      return;
    case form.udata:
    case form.sdata:
    case form.refUdata:
    case form.strx:
    case form.addrx:
    case form.loclistx:
    case form.rnglistx:
    case form.gnuAddrIndex:
    case form.gnuStrIndex:
      r.skipLeb();
      return;
    case form.block1:
      r.skip(r.u8());
      return;
    case form.block2:
      r.skip(r.u16());
      return;
    case form.block4:
      r.skip(r.u32());
      return;
    case form.block:
    case form.exprloc:
      r.skip(r.uleb());
      return;
    case form.indirect:
      if (indirections >= maxIndirections) throw r.corrupt('DW_FORM_indirect chain too long');
      skipForm(r, r.uleb(), ctx, indirections + 1);
      return;
    default:
      throw r.corrupt(`unknown attribute form 0x${f.toString(16)}`);
  }
}

/**
 * Reads a constant (DW_AT_byte_size, DW_AT_data_member_location). Member offsets written as a location
 * expression `DW_OP_plus_uconst n` (DWARF 2 style) are accepted too; any other form is skipped → undefined.
 */
export function readConstant(
  r: ByteReader,
  f: number,
  ctx: UnitContext,
  implicitConst: number | undefined,
): number | undefined {
  switch (f) {
    case form.data1:
      return r.u8();
    case form.data2:
      return r.u16();
    case form.data4:
      return r.u32();
    case form.data8:
      return r.u64();
    case form.udata:
      return r.uleb();
    case form.sdata:
      return r.sleb();
    case form.implicitConst:
      return implicitConst;
    case form.exprloc:
    case form.block:
    case form.block1: {
      const length = f === form.block1 ? r.u8() : r.uleb();
      const end = r.pos + length;
      let value: number | undefined;
      if (length > 0 && r.u8() === opPlusUconst) value = r.uleb();
      if (r.pos > end || end > r.end) throw r.corrupt('location expression overruns its block');
      r.pos = end;
      return value;
    }
    default:
      skipForm(r, f, ctx);
      return undefined;
  }
}

/** Reads a string attribute (DW_AT_name) in any DWARF 4/5 string form; undefined for non-string forms. */
export function readString(r: ByteReader, f: number, ctx: UnitContext): string | undefined {
  const { sections, offsetSize, budget } = ctx;
  switch (f) {
    case form.string:
      return r.cstring(budget);
    case form.strp:
      return stringAt(sections.str, r.offset(offsetSize), '.debug_str', budget);
    case form.lineStrp:
      return stringAt(sections.lineStr, r.offset(offsetSize), '.debug_line_str', budget);
    case form.strx:
    case form.gnuStrIndex:
      return indexedString(r.uleb(), ctx);
    case form.strx1:
      return indexedString(r.u8(), ctx);
    case form.strx2:
      return indexedString(r.u16(), ctx);
    case form.strx3:
      return indexedString(r.u24(), ctx);
    case form.strx4:
      return indexedString(r.u32(), ctx);
    default:
      skipForm(r, f, ctx);
      return undefined;
  }
}

function indexedString(index: number, ctx: UnitContext): string {
  const table = ctx.sections.strOffsets;
  const r = new ByteReader(table ?? Buffer.alloc(0), 0, table?.length ?? 0, '.debug_str_offsets');
  r.pos = ctx.strOffsetsBase + index * ctx.offsetSize;
  return stringAt(ctx.sections.str, r.offset(ctx.offsetSize), '.debug_str', ctx.budget);
}

/** Reads a reference (DW_AT_sibling) as a .debug_info offset; undefined for forms that leave the section. */
export function readReference(r: ByteReader, f: number, ctx: UnitContext): number | undefined {
  switch (f) {
    case form.ref1:
      return ctx.unitOffset + r.u8();
    case form.ref2:
      return ctx.unitOffset + r.u16();
    case form.ref4:
      return ctx.unitOffset + r.u32();
    case form.ref8:
      return ctx.unitOffset + r.u64();
    case form.refUdata:
      return ctx.unitOffset + r.uleb();
    case form.refAddr:
      if (ctx.version > 2) return r.offset(ctx.offsetSize);
      return ctx.addressSize === 4 ? r.u32() : r.u64(); // DWARF 2 wrote ref_addr with the address size
    default:
      skipForm(r, f, ctx);
      return undefined;
  }
}
