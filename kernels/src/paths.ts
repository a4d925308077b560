import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/ or src/ of this package. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const kernelsDir = join(repoRoot, 'kernels');
export const lockPath = join(kernelsDir, 'kernels.lock.json');
export const resultsPath = join(kernelsDir, 'results.json');
/** Build products and per-kernel logs (git-ignored). */
export const outDir = join(kernelsDir, 'out');
