import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/dist/main.js → ../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchOut = join(repoRoot, 'bench', 'out');
export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'httpwatcher.js');
