import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

/** The CLI and every package it loads at run time. */
const runtimePackages = [
  'apps/cli',
  'packages/httpwatcher',
  'packages/bpf-native',
  'packages/go-elf',
  'packages/go-offsets',
];

/**
 * Copies the built CLI and its packages into `dir`/node_modules as npm would install them (each
 * package.json with its `files`), so a user who cannot read the checkout (a CI clone under /root)
 * can run it. Returns the path of the CLI's bin script.
 */
export function copyRuntime(dir: string): string {
  for (const relative of runtimePackages) {
    const from = join(repoRoot, relative);
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { name: string; files: string[] };
    const to = join(dir, 'node_modules', ...manifest.name.split('/'));
    mkdirSync(to, { recursive: true, mode: 0o755 });
    cpSync(join(from, 'package.json'), join(to, 'package.json'));
    for (const entry of manifest.files) cpSync(join(from, entry), join(to, entry), { recursive: true });
  }
  return join(dir, 'node_modules', '@httpwatcher', 'cli', 'bin', 'httpwatcher.js');
}
