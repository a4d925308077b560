import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands', () => {
    expect(readme.split('\n').slice(2, 6)).toEqual(['```sh', './setup.sh && pnpm demo', 'pnpm test', '```']);
  });

  it('lists exactly the Go versions × architectures @httpwatcher/go-offsets supports (scripts/supported-versions.mjs --write)', () => {
    const generated = execFileSync(process.execPath, [join(repoRoot, 'scripts', 'supported-versions.mjs')], {
      encoding: 'utf8',
    }).trim();
    const section = /<!-- supported-versions:start -->\n([\s\S]*?)\n<!-- supported-versions:end -->/.exec(readme)?.[1];
    expect(generated.split('\n').length).toBeGreaterThan(2);
    expect(section).toBe(generated);
  });

  it("shows the kernel matrix's last results (scripts/kernel-table.mjs --write)", () => {
    const generated = execFileSync(process.execPath, [join(repoRoot, 'scripts', 'kernel-table.mjs')], {
      encoding: 'utf8',
    }).trim();
    const section = /<!-- kernel-matrix:start -->\n([\s\S]*?)\n<!-- kernel-matrix:end -->/.exec(readme)?.[1];
    expect(generated.split('\n').length).toBeGreaterThan(2);
    expect(section).toBe(generated);
  });
});
