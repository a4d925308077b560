import type { StructLayout } from '../struct-layouts.js';
import { AbbrevTables, type Abbrev, type AbbrevTable } from './abbrev-table.js';
import { readConstant, readReference, readString, skipForm, type UnitContext } from './attribute-forms.js';
import { ByteReader } from './byte-reader.js';
import { attr, form, tag, unitType } from './dwarf-constants.js';
import { DwarfBudget, type DwarfLimits } from './dwarf-budget.js';
import type { DwarfSections } from './dwarf-sections.js';

// A DWARF 5 unit without DW_AT_str_offsets_base starts at the first table, after its 8-byte header (§7.26).
const defaultStrOffsetsBase = 8;

interface DieAttributes {
  name?: string;
  byteSize?: number;
  memberLocation?: number;
  sibling?: number;
  strOffsetsBase?: number;
}

interface OpenStruct {
  readonly name: string;
  readonly size: number;
  readonly depth: number;
  readonly members: Record<string, number>;
}

/**
 * Finds the named struct types in .debug_info and returns their byte size and direct member offsets.
 * One forward pass; DIEs that are not structs are skipped without decoding (in one step when their
 * abbreviation has only fixed-size forms, or over their subtree via DW_AT_sibling when present).
 * Stops as soon as `isDone` says enough was found. Every loop consumes input, so corrupt data ends in
 * DWARF_CORRUPT rather than a hang.
 */
export function readStructLayouts(
  sections: DwarfSections,
  wanted: ReadonlySet<string>,
  isDone: (found: ReadonlyMap<string, StructLayout>) => boolean = (found) => found.size === wanted.size,
  limits?: DwarfLimits,
): Map<string, StructLayout> {
  const found = new Map<string, StructLayout>();
  const budget = new DwarfBudget(limits);
  const abbrevTables = new AbbrevTables(sections.abbrev, budget);
  const info = sections.info;
  let unitOffset = 0;
  while (unitOffset < info.length && !isDone(found)) {
    budget.unit();
    const r = new ByteReader(info, unitOffset);
    let length = r.u32();
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = r.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      throw r.corrupt(`reserved unit length 0x${length.toString(16)}`);
    }
    const unitEnd = r.pos + length;
    if (unitEnd > info.length) throw r.corrupt(`unit of ${length} bytes runs past the end of the section`);
    const version = r.u16();
    if (version < 2 || version > 5) throw r.corrupt(`unsupported DWARF version ${version}`);
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      const type = r.u8();
      addressSize = r.u8();
      abbrevOffset = r.offset(offsetSize);
      if (type === unitType.skeleton || type === unitType.splitCompile) r.skip(8); // dwo_id
      if (type === unitType.type || type === unitType.splitType) r.skip(8 + offsetSize); // signature, type_offset
    } else {
      abbrevOffset = r.offset(offsetSize);
      addressSize = r.u8();
    }
    const abbrevs = abbrevTables.get(abbrevOffset, addressSize, offsetSize, version);
    const ctx: UnitContext = {
      sections,
      version,
      addressSize,
      offsetSize,
      unitOffset,
      strOffsetsBase: defaultStrOffsetsBase,
      budget,
    };
    scanUnit(new ByteReader(info, r.pos, unitEnd), abbrevs, ctx, wanted, found, isDone);
    unitOffset = unitEnd;
  }
  return found;
}

function scanUnit(
  r: ByteReader,
  abbrevs: AbbrevTable,
  ctx: UnitContext,
  wanted: ReadonlySet<string>,
  found: Map<string, StructLayout>,
  isDone: (found: ReadonlyMap<string, StructLayout>) => boolean,
): void {
  let depth = 0;
  let open: OpenStruct | undefined;
  while (r.pos < r.end) {
    ctx.budget.die();
    const code = r.uleb();
    if (code === 0) {
      // End of a sibling chain; producers may also pad the end of a unit with zeros (depth stays 0).
      if (depth > 0) depth--;
      if (open && depth === open.depth) {
        found.set(open.name, { size: open.size, members: open.members });
        open = undefined;
        if (isDone(found)) return;
      }
      continue;
    }
    const abbrev = abbrevs.get(code);
    if (!abbrev) throw r.corrupt(`DIE uses undefined abbreviation ${code}`);
    const isMemberOfOpen = open !== undefined && abbrev.tag === tag.member && depth === open.depth + 1;
    const decode =
      abbrev.tag === tag.structureType || abbrev.tag === tag.compileUnit || isMemberOfOpen || abbrev.hasSibling;
    if (!decode) {
      if (abbrev.fixedSize !== undefined) r.skip(abbrev.fixedSize);
      else for (const a of abbrev.attributes) skipForm(r, a.form, ctx);
      if (abbrev.hasChildren) depth++;
      continue;
    }
    const values = readAttributes(r, abbrev, ctx);
    if (abbrev.tag === tag.compileUnit && values.strOffsetsBase !== undefined)
      ctx.strOffsetsBase = values.strOffsetsBase;
    if (isMemberOfOpen && open && values.name !== undefined && values.memberLocation !== undefined) {
      open.members[values.name] = values.memberLocation;
    }
    const isWanted =
      abbrev.tag === tag.structureType &&
      values.name !== undefined &&
      values.byteSize !== undefined &&
      wanted.has(values.name) &&
      !found.has(values.name) &&
      open === undefined;
    if (isWanted) {
      const layout = { name: values.name!, size: values.byteSize!, depth, members: {} };
      if (!abbrev.hasChildren) {
        found.set(layout.name, { size: layout.size, members: layout.members });
        if (isDone(found)) return;
        continue;
      }
      open = layout;
    }
    if (!abbrev.hasChildren) continue;
    const sibling = values.sibling;
    if (!isWanted && abbrev.tag !== tag.compileUnit && sibling !== undefined && sibling > r.pos && sibling <= r.end) {
      r.pos = sibling; // skip the whole subtree
    } else {
      depth++;
    }
  }
  if (open) throw r.corrupt(`struct ${open.name} is not terminated before the end of its unit`);
}

function readAttributes(r: ByteReader, abbrev: Abbrev, ctx: UnitContext): DieAttributes {
  const values: DieAttributes = {};
  for (const a of abbrev.attributes) {
    switch (a.name) {
      case attr.name:
        values.name = readString(r, a.form, ctx);
        break;
      case attr.byteSize:
        values.byteSize = readConstant(r, a.form, ctx, a.implicitConst);
        break;
      case attr.dataMemberLocation:
        values.memberLocation = readConstant(r, a.form, ctx, a.implicitConst);
        break;
      case attr.sibling:
        values.sibling = readReference(r, a.form, ctx);
        break;
      case attr.strOffsetsBase:
        // Normally DW_FORM_sec_offset, which readConstant does not treat as a constant.
        values.strOffsetsBase =
          a.form === form.secOffset ? r.offset(ctx.offsetSize) : readConstant(r, a.form, ctx, a.implicitConst);
        break;
      default:
        skipForm(r, a.form, ctx);
    }
  }
  return values;
}
