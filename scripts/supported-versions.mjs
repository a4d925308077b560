#!/usr/bin/env node
// Prints the README's "supported Go versions × architectures" table from the offsets package's
// own table (@httpwatcher/go-offsets `supportedGoVersions`; build it first). `--write` replaces
// the table in README.md between its markers; a test fails when the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const markers = ['<!-- supported-versions:start -->', '<!-- supported-versions:end -->'];

export async function supportedVersionsTable() {
  const offsets = await import(pathToFileURL(join(repoRoot, 'packages', 'go-offsets', 'dist', 'index.js')).href);
  const arches = ['amd64', 'arm64'];
  const source = { generated: 'generated from the toolchain', documented: 'written from Go source facts' };
  const rows = offsets.supportedGoVersions.map((v) => [
    v.minor.replace(/^go/, ''),
    ...arches.map((a) => (v.arches.includes(a) ? 'yes' : 'no')),
    v.maps.join(', '),
    source[v.source],
  ]);
  return markdownTable(['Go', 'amd64', 'arm64', 'map layout', 'offsets'], rows);
}

/** A Markdown table with every column padded to its widest cell, as Biome formats README.md. */
function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The README with its table section replaced by `table`. */
export function withTable(readme, table) {
  const [start, end] = markers.map((m) => readme.indexOf(m));
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${markers.join(' … ')}`);
  return `${readme.slice(0, start + markers[0].length)}\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const table = await supportedVersionsTable();
  if (process.argv.includes('--write')) {
    const path = join(repoRoot, 'README.md');
    writeFileSync(path, withTable(readFileSync(path, 'utf8'), table));
  } else {
    console.log(table);
  }
}
