import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/ or src/ of this package. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const kernelsDir = join(repoRoot, 'kernels');
export const lockPath = join(kernelsDir, 'kernels.lock.json');
export const resultsPath = join(kernelsDir, 'results.json');
/** Each architecture's results: amd64 in results.json (the README's kernel table), arm64 beside it. */
export const resultsPathOf = (arch: 'amd64' | 'arm64'): string =>
  arch === 'amd64' ? resultsPath : join(kernelsDir, `results-${arch}.json`);
/** Build products and per-kernel logs (git-ignored). */
export const outDir = join(kernelsDir, 'out');
