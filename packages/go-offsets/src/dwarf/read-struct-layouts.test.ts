import { describe, expect, it } from 'vitest';
import { OffsetsError } from '../offsets-error.js';
import { fixtureRows } from '../test-support/fixtures.js';
import { readElfDwarfSections } from '../test-support/elf-dwarf-sections.js';
import { hasCompleteLayout, wantedTypes } from '../struct-layouts.js';
import { attr, form, tag } from './dwarf-constants.js';
import type { DwarfSections } from './dwarf-sections.js';
import { readStructLayouts } from './read-struct-layouts.js';

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const cstr = (s: string) => [...Buffer.from(s), 0];
const subprogram = 0x2e;
const variable = 0x34;

// A DWARF 5 unit as Go 1.25+ or GCC would write it: strx names through .debug_str_offsets, an implicit_const
// byte size, and a function with DW_AT_sibling whose subtree hides a decoy struct of the same name.
function dwarf5Fixture(): DwarfSections {
  const str = Buffer.from([...cstr('runtime.hmap'), ...cstr('count'), ...cstr('B')]);
  const strOffsets = Buffer.from([...u32(16), 5, 0, 0, 0, ...u32(0), ...u32(13), ...u32(19)]);
  const abbrev = Buffer.from([
    ...uleb(1),
    tag.compileUnit,
    1,
    attr.name,
    form.string,
    attr.strOffsetsBase,
    form.secOffset,
    0,
    0,
    ...uleb(2),
    tag.structureType,
    1,
    attr.name,
    form.strx1,
    attr.byteSize,
    form.implicitConst,
    ...uleb(48),
    0,
    0,
    ...uleb(3),
    tag.member,
    0,
    attr.name,
    form.strx1,
    attr.dataMemberLocation,
    form.udata,
    0,
    0,
    ...uleb(4),
    subprogram,
    1,
    attr.sibling,
    form.ref4,
    attr.name,
    form.string,
    0,
    0,
    ...uleb(5),
    tag.structureType,
    1,
    attr.name,
    form.string,
    attr.byteSize,
    form.data2,
    0,
    0,
    ...uleb(6),
    variable,
    0,
    attr.name,
    form.string,
    0,
    0,
    0,
  ]);
  const headerSize = 12;
  const cu = [1, ...cstr('runtime'), ...u32(8)];
  const decoy = [5, ...cstr('runtime.hmap'), 0xe7, 0x03, 3, 1, ...uleb(1), 0];
  const fnBody = [...cstr('runtime.f'), 6, ...cstr('x'), ...decoy, 0];
  const fnStart = headerSize + cu.length;
  const fn = [4, ...u32(fnStart + 1 + 4 + fnBody.length), ...fnBody];
  const struct = [2, 0, 3, 1, ...uleb(0), 3, 2, ...uleb(9), 0];
  const dies = [...cu, ...fn, ...struct, 0];
  const info = Buffer.from([...u32(8 + dies.length), 5, 0, 1, 8, ...u32(0), ...dies]);
  return { info, abbrev, str, strOffsets };
}

describe('readStructLayouts', () => {
  it('reads DWARF 5 strx names and implicit_const sizes, skipping subtrees via DW_AT_sibling', () => {
    const found = readStructLayouts(dwarf5Fixture(), new Set(['runtime.hmap']));
    expect(found.get('runtime.hmap')).toEqual({ size: 48, members: { count: 0, B: 9 } });
  });

  it('turns every truncation of a unit into DWARF_CORRUPT or a partial result, never another error', () => {
    const sections = dwarf5Fixture();
    for (let length = 0; length < sections.info.length; length++) {
      const info = Buffer.from(sections.info.subarray(0, length));
      try {
        readStructLayouts({ ...sections, info }, new Set(['runtime.hmap']));
      } catch (error) {
        expect(error).toBeInstanceOf(OffsetsError);
        expect((error as OffsetsError).code).toBe('DWARF_CORRUPT');
      }
    }
  });

  it('survives random corruption of a real binary quickly, failing only with DWARF_CORRUPT', () => {
    const row = fixtureRows().find((r) => r.go === '1.26' && r.variant === 'default');
    const base = row ? readElfDwarfSections(row.absolutePath) : dwarf5Fixture();
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const started = performance.now();
    for (let round = 0; round < 40; round++) {
      const info = Buffer.from(base!.info);
      const abbrev = Buffer.from(base!.abbrev);
      for (let i = 0; i < 20; i++) info[Math.floor(random() * info.length)] = Math.floor(random() * 256);
      if (round % 4 === 0) abbrev[Math.floor(random() * abbrev.length)] = Math.floor(random() * 256);
      try {
        readStructLayouts({ ...base!, info, abbrev }, new Set(wantedTypes), hasCompleteLayout);
      } catch (error) {
        expect(error).toBeInstanceOf(OffsetsError);
        expect((error as OffsetsError).code).toBe('DWARF_CORRUPT');
      }
    }
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('rejects an unknown DWARF version and a unit longer than its section', () => {
    const sections = dwarf5Fixture();
    const v9 = Buffer.from(sections.info);
    v9.writeUInt16LE(9, 4);
    expect(() => readStructLayouts({ ...sections, info: v9 }, new Set(['x']))).toThrow(/unsupported DWARF version 9/);
    const long = Buffer.from(sections.info);
    long.writeUInt32LE(0xffff, 0);
    expect(() => readStructLayouts({ ...sections, info: long }, new Set(['x']))).toThrow(/runs past the end/);
  });
});
