import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..', '..');
export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'httpwatcher.js');
export const fixture = (go: string, variant: string): string => join(repoRoot, 'test-fixtures', 'out', `go${go}`, variant, 'client');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function requireFixture(path: string): string {
  if (!existsSync(path)) throw new Error(`fixture ${path} is missing: run test-fixtures/build.sh`);
  return path;
}
