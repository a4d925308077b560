import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

export const benchOut = join(repoRoot, 'bench', 'out');
export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'httpwatcher.js');
