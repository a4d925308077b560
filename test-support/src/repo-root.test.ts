import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot, repoRoot } from './repo-root.js';

describe('repoRoot', () => {
  it('is the directory of the monorepo package and its pnpm-workspace.yaml', () => {
    expect((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string }).name).toBe(
      'httpwatcher-monorepo',
    );
    expect(readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')).toContain('test-support');
  });

  it('is found from any directory below it, and nowhere else', () => {
    expect(findRepoRoot(join(repoRoot, 'packages', 'httpwatcher', 'src', 'abi'))).toBe(repoRoot);
    expect(findRepoRoot(join(repoRoot, 'bench', 'dist'))).toBe(repoRoot);
    expect(() => findRepoRoot('/proc/self')).toThrow('no pnpm-workspace.yaml above /proc/self');
  });
});
