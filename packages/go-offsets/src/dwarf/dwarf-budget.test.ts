import { describe, expect, it } from 'vitest';
import { OffsetsError } from '../offsets-error.js';
import { hasCompleteLayout, wantedTypes } from '../struct-layouts.js';
import {
  longStrings,
  manyAbbrevs,
  manyDies,
  manyUnits,
  overlappingAbbrevTables,
  uleb,
} from '../test-support/hostile-dwarf.js';
import { defaultDwarfLimits, type DwarfLimits } from './dwarf-budget.js';
import { attr, form, tag } from './dwarf-constants.js';
import type { DwarfSections } from './dwarf-sections.js';
import { readStructLayouts } from './read-struct-layouts.js';

function failure(sections: DwarfSections, limits: Partial<DwarfLimits> = {}): OffsetsError {
  try {
    readStructLayouts(sections, new Set(wantedTypes), hasCompleteLayout, { ...defaultDwarfLimits, ...limits });
  } catch (error) {
    if (error instanceof OffsetsError) return error;
    throw error;
  }
  throw new Error('expected the read to fail');
}

describe('limits on reading DWARF', () => {
  // Before: 2,000 units took 8.7 s and 670 MB, decoding 2 million abbreviations (docs/input-limits.md).
  it('refuses units whose abbreviation tables overlap, after decoding the section about once', () => {
    const error = failure(overlappingAbbrevTables(2000));
    expect(error.code).toBe('DWARF_CORRUPT');
    expect(error.message).toMatch(/abbreviation table at 7 overlaps another/);
  });

  it('still decodes a table shared by many units only once', () => {
    // 100,000 units of one shared table stay far below maxAbbrevs (1 per decode).
    expect(readStructLayouts(manyUnits(100_000), new Set(wantedTypes), hasCompleteLayout).size).toBe(0);
  });

  it.each([
    ['maxUnits', manyUnits(1_000_001), {}],
    ['maxDies', manyDies(1001), { maxDies: 1000 }],
    ['maxAbbrevs', manyAbbrevs(200_001, 1), {}],
    ['maxAbbrevAttributes', manyAbbrevs(5, 250_000), {}],
    ['maxStringBytes', longStrings(1, 2 << 20), {}],
    ['maxStringBytesTotal', longStrings(20, 512 << 10), { maxStringBytesTotal: 8 << 20 }],
  ] as const)('refuses DWARF needing more than %s with INPUT_TOO_LARGE', (limit, sections, limits) => {
    const error = failure(sections, limits);
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toContain(`raise dwarfLimits.${limit}`);
  });

  it('looks for the end of an inline string only inside its unit', () => {
    // The unit's last bytes are an unterminated DW_AT_name; the next unit holds a NUL.
    const abbrev = Buffer.from([1, tag.compileUnit, 0, attr.name, form.string, 0, 0, 0]);
    const body = Buffer.from([1, 0x41, 0x41, 0x41]);
    const unit = (bytes: Buffer) => {
      const header = Buffer.alloc(11);
      header.writeUInt32LE(7 + bytes.length, 0);
      header.writeUInt16LE(4, 4);
      header[10] = 8;
      return Buffer.concat([header, bytes]);
    };
    const info = Buffer.concat([unit(body), unit(Buffer.from([1, 0x42, 0]))]);
    const error = failure({ info, abbrev });
    expect([error.code, error.message]).toEqual(['DWARF_CORRUPT', expect.stringContaining('unterminated string')]);
  });

  it('has defaults that name every limit', () => {
    expect(Object.keys(defaultDwarfLimits).sort()).toEqual(
      ['maxAbbrevAttributes', 'maxAbbrevs', 'maxDies', 'maxStringBytes', 'maxStringBytesTotal', 'maxUnits'].sort(),
    );
    expect(uleb(300)).toEqual([0xac, 0x02]);
  });
});
