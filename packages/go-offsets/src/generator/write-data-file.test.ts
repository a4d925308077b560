import { describe, expect, it } from 'vitest';
import type { OffsetsDataFile } from '../table/data-file.js';
import { readDataFile } from './write-data-file.js';
import { mergeDataFile } from './write-data-file.js';

const committed = readDataFile('go1.24')!;

describe('mergeDataFile', () => {
  it('records a new patch release whose layouts are unchanged', () => {
    const fresh: OffsetsDataFile = { ...committed, toolchains: ['go1.24.10'] };
    expect(mergeDataFile(committed, fresh).toolchains).toEqual([...committed.toolchains, 'go1.24.10']);
  });

  it('refuses a patch release that moved a field, unless told to replace', () => {
    const [first, ...rest] = committed.entries;
    const moved = { ...first!, layout: { ...first!.layout, url: { ...first!.layout.url, rawQuery: 88 } } };
    const fresh: OffsetsDataFile = { ...committed, toolchains: ['go1.24.10'], entries: [moved, ...rest] };
    expect(() => mergeDataFile(committed, fresh)).toThrow(/differ from data\/go1\.24\.json/);
    expect(mergeDataFile(committed, fresh, true)).toBe(fresh);
  });

  it('takes a new minor as is', () => {
    expect(mergeDataFile(undefined, committed)).toBe(committed);
  });
});
