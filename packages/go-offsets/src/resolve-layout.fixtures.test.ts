import { describe, expect } from 'vitest';
import type { OffsetsError } from './offsets-error.js';
import { resolveLayout } from './resolve-layout.js';
import { defaultLayoutTable } from './table/layout-table.js';
import { readElfDwarfSections } from './test-support/elf-dwarf-sections.js';
import { fixtureRows, itWhen } from './test-support/fixtures.js';

const rows = fixtureRows();
const find = (go: string, variant: string) => rows.find((r) => r.go === go && r.variant === variant);
const cells = [
  find('1.26', 'default'),
  find('1.26', 'arm64-pie'),
  find('1.24', 'noswissmap'),
  find('1.19', 'default'),
  find('1.15', 'arm64-default'),
];
const itFixtures = itWhen(
  cells.every((c) => c !== undefined),
  'fixtures for go1.15/1.19/1.24/1.26 are missing; run `pnpm fixtures`',
);

describe('resolveLayout falls back to DWARF when the table lacks the version', () => {
  itFixtures('reads each fixture whose minor was removed from the table from its own DWARF, identically', () => {
    for (const row of cells.map((c) => c!)) {
      const minor = `go${row.go}`;
      const table = defaultLayoutTable.filter((e) => e.minor !== minor);
      const dwarf = readElfDwarfSections(row.absolutePath)!;
      const input = { goVersion: row.goVersion, arch: row.goarch, goexperiment: row.goexperiment };
      const fallback = resolveLayout({ ...input, dwarf }, table);
      expect(fallback.source).toBe('dwarf');
      expect(fallback.entry).toBe(`${row.goVersion} ${row.goarch} ${fallback.layout.headerMap.kind} (DWARF)`);
      expect(fallback.layout).toEqual(resolveLayout(input).layout);
    }
  });

  itFixtures('prefers the table when both are available', () => {
    const row = cells[0]!;
    const resolved = resolveLayout({
      goVersion: row.goVersion,
      arch: row.goarch,
      dwarf: readElfDwarfSections(row.absolutePath)!,
    });
    expect(resolved).toMatchObject({ source: 'table', entry: 'go1.26 amd64 swiss' });
  });

  itFixtures('reports a stripped binary of a removed version as unsupported', () => {
    const row = find('1.26', 'stripped')!;
    expect(readElfDwarfSections(row.absolutePath)).toBeUndefined();
    const table = defaultLayoutTable.filter((e) => e.minor !== 'go1.26');
    expect(() => resolveLayout({ goVersion: row.goVersion, arch: row.goarch }, table)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_GO_VERSION', nearest: ['go1.25', 'go1.27'] }) as OffsetsError,
    );
  });
});
