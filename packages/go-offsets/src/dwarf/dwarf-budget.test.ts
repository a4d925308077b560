import { describe, expect, it } from 'vitest';
import { OffsetsError } from '../offsets-error.js';
import { hasCompleteLayout, wantedTypes } from '../struct-layouts.js';
import {
  longStrings,
  manyAbbrevs,
  manyDies,
  manyUnits,
  overlappingAbbrevTables,
  unterminatedInlineName,
} from '../test-support/hostile-dwarf.js';
import { defaultDwarfLimits, type DwarfLimits } from './dwarf-budget.js';
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
    const error = failure(unterminatedInlineName());
    expect([error.code, error.message]).toEqual(['DWARF_CORRUPT', expect.stringContaining('unterminated string')]);
  });

  it('has defaults that name every limit', () => {
    expect(Object.keys(defaultDwarfLimits).sort()).toEqual(
      ['maxAbbrevAttributes', 'maxAbbrevs', 'maxDies', 'maxStringBytes', 'maxStringBytesTotal', 'maxUnits'].sort(),
    );
  });
});
