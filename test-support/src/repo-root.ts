import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest directory above `from` that holds pnpm-workspace.yaml. Found by looking, not by
 * counting `..`, so it holds wherever the importing code runs from: a test file, or a bundle in
 * some package's dist/ (the benchmarks).
 */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

/** The repository's root directory. */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
