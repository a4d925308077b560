import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageDir } from './generator/package-paths.js';

const builtEntry = join(packageDir(), 'dist', 'index.js');

/** The README's example (the js block after the marker comment) and the output block below it. */
function readmeExample(): { code: string; output: string } {
  const readme = readFileSync(join(packageDir(), 'README.md'), 'utf8');
  const match = /<!-- readme\.test\.ts[^>]*-->\s*```js\n([\s\S]*?)```\s*```text\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no example marked for readme.test.ts');
  return { code: match[1]!, output: match[2]! };
}

describe('README', () => {
  it('example prints what the README shows, run against the built package', () => {
    if (!existsSync(builtEntry)) throw new Error(`${builtEntry} is missing; run pnpm build first`);
    const { code, output } = readmeExample();
    const dir = mkdtempSync(join(tmpdir(), 'go-offsets-readme-'));
    try {
      const script = join(dir, 'example.mjs');
      writeFileSync(script, code.replaceAll("'@httpwatcher/go-offsets'", `'${pathToFileURL(builtEntry).href}'`));
      expect(execFileSync(process.execPath, [script], { encoding: 'utf8' })).toBe(output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
