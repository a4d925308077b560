import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

interface WorkspacePackage {
  name: string;
  path: string;
  private: boolean;
}

/** The environment without pnpm's npm_config_* settings, which plain npm warns about. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_config_')) delete env[key];
  return env;
}

/**
 * Packs every published package of the workspace (`pnpm pack` turns workspace:* into versions)
 * and installs the tarballs with plain npm into `dir`: the guest runs exactly what a user would
 * install. Dependencies come from npm's cache, or from the registry when the cache lacks them (a
 * fresh machine). Returns the project's node_modules.
 */
export function installPackedPackages(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  const tarballs = join(dir, 'tarballs');
  const project = join(dir, 'project');
  mkdirSync(tarballs, { recursive: true });
  mkdirSync(project);
  const published = (
    JSON.parse(
      execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
    ) as WorkspacePackage[]
  ).filter((p) => !p.private);
  for (const p of published)
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.path, stdio: 'ignore' });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'hw-guest', version: '1.0.0', private: true }));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...files], {
    cwd: project,
    stdio: 'pipe',
    env: plainEnv(),
  });
  return join(project, 'node_modules');
}
