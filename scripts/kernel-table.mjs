#!/usr/bin/env node
// Prints the README's "kernels the matrix proved" table from the kernel matrix's last results
// (kernels/results.json for amd64, kernels/results-arm64.json for arm64, written by
// `pnpm test:kernels`). `--write` replaces the table in README.md between its markers; a test
// fails when the two differ.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const markers = ['<!-- kernel-matrix:start -->', '<!-- kernel-matrix:end -->'];

/** Debian's name for each series the lock pins. */
const series = {
  '5.10': 'Debian 11',
  6.1: 'Debian 12',
  6.12: 'Debian 13',
  newest: 'Debian 13 backports',
  '5.10-arm64': 'Debian 11 arm64',
  '6.12-arm64': 'Debian 13 arm64',
  'newest-arm64': 'Debian 13 backports arm64',
};

const inForce = (preempt) => /\((\w+)\)/.exec(preempt ?? '')?.[1] ?? '-';

/** What the kernel's run showed: every check passed, the expected refusal, or what failed. */
function outcome(k) {
  const load = k.checks.find((c) => c.name === 'load');
  if (k.ok && load?.facts?.code === 'UNSUPPORTED_KERNEL')
    return `refused: UNSUPPORTED_KERNEL, lacks ${load.facts.missing.map((m) => m.replace(/ \(Linux .*\)$/, '')).join(', ')}`;
  const failed = k.checks.filter((c) => !c.ok).map((c) => c.name);
  if (k.ok) return `all ${k.checks.length} checks pass${load?.facts?.build === 'compat' ? ' (compat build)' : ''}`;
  if (k.failure) return 'did not finish';
  const named =
    failed.length > 3 ? `${failed.slice(0, 3).join(', ')} and ${failed.length - 3} more` : failed.join(', ');
  return `${k.checks.length - failed.length} of ${k.checks.length} checks pass; failed: ${named}`;
}

export function kernelTable(results) {
  const rows = results.kernels.map((k) => {
    const clientDo = (build) =>
      k.verifier.find(
        (p) => p.program === 'client_do' && /\.compat\.bpf\.o$/.test(p.object ?? '') === (build === 'compat'),
      );
    const insns = (p) => (p ? (p.ok ? String(p.insns) : 'refused') : 'not run');
    return [
      `${series[k.name] ?? k.name}`,
      k.release ?? k.version,
      inForce(k.preempt),
      outcome(k),
      insns(clientDo('default')),
      insns(clientDo('compat')),
    ];
  });
  return markdownTable(
    ['Debian', 'kernel', 'preemption', 'result', '`client_do` verifier insns', 'compat build'],
    rows,
  );
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

/** Both architectures' last results: kernels/results.json (amd64), then kernels/results-arm64.json. */
function lastResults() {
  const read = (name) => {
    const path = join(repoRoot, 'kernels', name);
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).kernels : [];
  };
  return { kernels: [...read('results.json'), ...read('results-arm64.json')] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const table = kernelTable(lastResults());
  if (process.argv.includes('--write')) {
    const path = join(repoRoot, 'README.md');
    writeFileSync(path, withTable(readFileSync(path, 'utf8'), table));
  } else {
    console.log(table);
  }
}
