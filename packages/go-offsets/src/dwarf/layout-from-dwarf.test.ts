import { describe, expect } from 'vitest';
import { resolveLayout } from '../resolve-layout.js';
import { fixtureRows, itWhen } from '../test-support/fixtures.js';
import { readElfDwarfSections } from '../test-support/elf-dwarf-sections.js';
import { layoutFromDwarf } from './layout-from-dwarf.js';

const rows = fixtureRows();
const withDwarf = rows.filter((r) => !r.variant.includes('stripped'));
const itFixtures = itWhen(
  withDwarf.length > 0,
  'test-fixtures/out/manifest.json lists no fixture binaries; run `pnpm fixtures`',
);

describe('layoutFromDwarf on the fixture matrix', () => {
  itFixtures('agrees with the table field by field for every fixture with DWARF', () => {
    const checked: string[] = [];
    for (const row of withDwarf) {
      const sections = readElfDwarfSections(row.absolutePath);
      expect(sections, `${row.path} should have DWARF`).toBeDefined();
      const fromDwarf = layoutFromDwarf(sections!, row.goarch, row.goVersion, row.goexperiment);
      const fromTable = resolveLayout({ goVersion: row.goVersion, arch: row.goarch, goexperiment: row.goexperiment });
      expect(fromTable.source).toBe('table');
      expect({ fixture: row.path, layout: fromDwarf }).toEqual({ fixture: row.path, layout: fromTable.layout });
      checked.push(`${row.go}/${row.variant}`);
    }
    // Every toolchain of the matrix took part, with both arches.
    expect(new Set(withDwarf.map((r) => r.go)).size).toBeGreaterThanOrEqual(9);
    expect(new Set(withDwarf.map((r) => r.goarch))).toEqual(new Set(['amd64', 'arm64']));
    expect(checked.length).toBe(withDwarf.length);
  });

  itFixtures('reads the bucket map from noswissmap binaries', () => {
    const noswiss = rows.filter((r) => r.goexperiment.includes('noswissmap'));
    expect(noswiss.map((r) => `${r.go} ${r.goarch}`).sort()).toEqual([
      '1.24 amd64',
      '1.24 arm64',
      '1.25 amd64',
      '1.25 arm64',
    ]);
    for (const row of noswiss) {
      const layout = layoutFromDwarf(readElfDwarfSections(row.absolutePath)!, row.goarch, row.goVersion);
      expect(layout.headerMap).toMatchObject({
        kind: 'hmap',
        count: 0,
        B: 9,
        buckets: 16,
        oldbuckets: 24,
        bucketSize: 336,
      });
    }
  });

  itFixtures('finds no DWARF in stripped fixtures', () => {
    const stripped = rows.filter((r) => r.variant.includes('stripped'));
    expect(stripped.length).toBeGreaterThan(0);
    for (const row of stripped) expect(readElfDwarfSections(row.absolutePath), row.path).toBeUndefined();
  });
});
