/**
 * Hostile DWARF shapes for budget tests and the benchmark: small sections that claim or imply far more
 * work than any real Go binary's DWARF needs.
 */
import { attr, form, tag } from '../dwarf/dwarf-constants.js';
import type { DwarfSections } from '../dwarf/dwarf-sections.js';
import { uleb } from '../../../go-elf/src/test-support/hostile-elf.js';

const variable = 0x34;
const unitHeaderBytes = 11; // DWARF 4: unit_length, version, debug_abbrev_offset, address_size

/** A DWARF 4 unit header for `bodyBytes` of DIEs using the abbreviation table at `abbrevOffset`. */
function unitHeader(bodyBytes: number, abbrevOffset: number): Buffer {
  const header = Buffer.alloc(unitHeaderBytes);
  header.writeUInt32LE(unitHeaderBytes - 4 + bodyBytes, 0);
  header.writeUInt16LE(4, 4);
  header.writeUInt32LE(abbrevOffset, 6);
  header[10] = 8;
  return header;
}

/**
 * `units` units, each pointing at its own offset inside one long run of abbreviations, so every unit's
 * table is the tail of the previous one (the shape of issue 13's 2,000-unit input).
 */
export function overlappingAbbrevTables(units: number): DwarfSections {
  const entries: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < units; i++) {
    offsets.push(entries.length);
    entries.push(...uleb(i + 1), variable, 0, attr.name, form.string, 0, 0);
  }
  entries.push(0);
  const info = offsets.map((offset, i) => {
    const body = Buffer.from([...uleb(i + 1), 0x41, 0, 0]);
    return Buffer.concat([unitHeader(body.length, offset), body]);
  });
  return { info: Buffer.concat(info), abbrev: Buffer.from(entries) };
}

const emptyAbbrev = Buffer.from([1, variable, 0, 0, 0, 0]);

/** `units` empty units sharing one abbreviation table: 12 bytes of .debug_info each. */
export function manyUnits(units: number): DwarfSections {
  const unit = Buffer.concat([unitHeader(1, 0), Buffer.from([0])]);
  return { info: Buffer.alloc(unit.length * units).fill(unit), abbrev: emptyAbbrev };
}

/** One unit of `dies` one-byte DIEs (an abbreviation with no attributes and no children). */
export function manyDies(dies: number): DwarfSections {
  const info = Buffer.alloc(unitHeaderBytes + dies, 1);
  unitHeader(dies, 0).copy(info);
  return { info, abbrev: emptyAbbrev };
}

const endOfAttributes = Buffer.from([0, 0]);

/** One table of `abbrevs` abbreviations of `attributes` attributes each, and a unit that uses the first. */
export function manyAbbrevs(abbrevs: number, attributes: number): DwarfSections {
  const attributeList = Buffer.alloc(attributes * 2);
  for (let i = 0; i < attributes; i++) attributeList.set([attr.name, form.flagPresent], i * 2);
  const parts: Buffer[] = [];
  for (let code = 1; code <= abbrevs; code++)
    parts.push(Buffer.from([...uleb(code), variable, 0]), attributeList, endOfAttributes);
  const abbrev = Buffer.concat([...parts, Buffer.from([0])]);
  const info = Buffer.concat([unitHeader(2, 0), Buffer.from([1, 0])]);
  return { info, abbrev };
}

/**
 * `structs` struct DIEs whose DW_AT_name (DW_FORM_strp) points at one `stringBytes`-byte run in
 * .debug_str that ends in its only NUL: an unbounded NUL search re-reads the whole run for each.
 */
export function longStrings(structs: number, stringBytes: number): DwarfSections {
  const abbrev = Buffer.from([1, tag.structureType, 0, attr.name, form.strp, 0, 0, 0]);
  const body = Buffer.alloc(structs * 5);
  for (let i = 0; i < structs; i++) body[i * 5] = 1;
  const str = Buffer.alloc(stringBytes, 0x41);
  str[stringBytes - 1] = 0;
  return { info: Buffer.concat([unitHeader(body.length, 0), body]), abbrev, str };
}

/** A unit whose last bytes are a DW_AT_name without its NUL, followed by a unit that holds a NUL. */
export function unterminatedInlineName(): DwarfSections {
  const abbrev = Buffer.from([1, tag.compileUnit, 0, attr.name, form.string, 0, 0, 0]);
  const unit = (body: number[]) => Buffer.concat([unitHeader(body.length, 0), Buffer.from(body)]);
  return { info: Buffer.concat([unit([1, 0x41, 0x41, 0x41]), unit([1, 0x42, 0])]), abbrev };
}
