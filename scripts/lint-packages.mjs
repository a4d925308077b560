#!/usr/bin/env node
// `pnpm lint:packages`: publint and `attw --pack` (are the types wrong) for every published
// workspace package, on what `pnpm pack` would ship. Run `pnpm build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);
const packages = JSON.parse(
  execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
).filter((p) => !p.private);

const failed = [];
for (const { path, name } of packages) {
  for (const [tool, args] of [
    ['publint', ['--strict', '--pack', 'pnpm']],
    // The CLI is a command without types: attw says so and passes.
    ['attw', ['--pack', '.', '--profile', 'strict', '--format', 'table-flipped']],
  ]) {
    process.stdout.write(`\n== ${tool} ${name}\n`);
    if (spawnSync(bin(tool), args, { cwd: path, stdio: 'inherit' }).status !== 0) failed.push(`${tool} ${name}`);
  }
}
if (failed.length > 0) {
  console.error(`\nlint:packages failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nlint:packages: ${packages.map((p) => p.name).join(', ')} pass publint and attw`);
