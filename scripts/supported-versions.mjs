#!/usr/bin/env node
// Prints the README's "supported Go versions × architectures" table from the offsets package's
// own table (@httpwatcher/go-offsets `supportedGoVersions`; build it first), each cell saying how
// far it is proven: "run end to end" where real programs of that Go version and architecture were
// traced and compared with their ground truth, "parsed only" where the layouts exist but no
// program ran. amd64: the fixture matrix (test-fixtures/build.sh), which capture.e2e traces on
// the x86-64 host; arm64: the capture checks that passed in the arm64 guests of the kernel matrix
// (kernels/results-arm64.json). `--write` replaces the table in README.md between its markers; a
// test fails when the two differ.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const markers = ['<!-- supported-versions:start -->', '<!-- supported-versions:end -->'];

/** The Go versions of the fixture matrix, from test-fixtures/build.sh's all_versions. */
function fixtureGoVersions() {
  const script = readFileSync(join(repoRoot, 'test-fixtures', 'build.sh'), 'utf8');
  return /^all_versions=\(([^)]*)\)/m.exec(script)[1].split(/\s+/);
}

/** Go versions whose arm64 capture checks passed in some arm64 guest ("capture go1.24 arm64-default"). */
function arm64Proven() {
  const path = join(repoRoot, 'kernels', 'results-arm64.json');
  if (!existsSync(path)) return new Set();
  const { kernels } = JSON.parse(readFileSync(path, 'utf8'));
  const proven = new Set();
  for (const k of kernels)
    for (const c of k.checks) {
      const m = /^capture go(1\.\d+) arm64-default$/.exec(c.name);
      if (m && c.ok) proven.add(m[1]);
    }
  return proven;
}

export async function supportedVersionsTable() {
  const offsets = await import(pathToFileURL(join(repoRoot, 'packages', 'go-offsets', 'dist', 'index.js')).href);
  const arches = ['amd64', 'arm64'];
  const source = { generated: 'generated from the toolchain', documented: 'written from Go source facts' };
  const ran = { amd64: new Set(fixtureGoVersions()), arm64: arm64Proven() };
  const cell = (v, arch) => {
    if (!v.arches.includes(arch)) return 'no';
    return ran[arch].has(v.minor.replace(/^go/, '')) ? 'run end to end' : 'parsed only';
  };
  const rows = offsets.supportedGoVersions.map((v) => [
    v.minor.replace(/^go/, ''),
    ...arches.map((a) => cell(v, a)),
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
