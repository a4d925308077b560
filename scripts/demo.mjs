#!/usr/bin/env node
// `pnpm demo`: starts the bundled demo Go client, traces it with the httpwatcher CLI, and lets
// it make its requests. What you see on stdout is the CLI's own output.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(repo, 'test-fixtures', 'out', 'go1.24', 'default', 'client');
if (!existsSync(demo)) {
  const built = spawnSync('bash', [join(repo, 'test-fixtures', 'build.sh'), '--go', '1.24', '--variant', 'default'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const client = spawn(demo, ['-wait', '-scenario', 'demo'], { stdio: ['pipe', 'pipe', 'inherit'] });
const pid = await new Promise((resolve, reject) => {
  createInterface({ input: client.stdout }).once('line', (line) => resolve(JSON.parse(line).pid));
  client.once('exit', (code) => reject(new Error(`the demo client exited early (${code})`)));
});
client.stdout.resume();

const cli = spawn(process.execPath, [join(repo, 'apps', 'cli', 'bin', 'httpwatcher.js'), '--pid', String(pid)], {
  stdio: ['ignore', 'inherit', 'pipe'],
});
// The CLI's diagnostics are forwarded line by line, and the client is released only after the
// "tracing pid" line was written, so it comes before the requests on the terminal.
const diagnostics = createInterface({ input: cli.stderr });
const closed = new Promise((resolve) => diagnostics.once('close', resolve));
await new Promise((resolve, reject) => {
  diagnostics.on('line', (line) => {
    process.stderr.write(`${line}\n`);
    if (line.includes('tracing pid')) resolve();
  });
  cli.once('exit', (code) => reject(new Error(`httpwatcher exited before tracing (${code})`)));
});
client.stdin.end('go\n');
const [code] = await Promise.all([new Promise((resolve) => cli.once('exit', resolve)), closed]);
process.stderr.write(
  `\nA live view of the same: pnpm exec httpwatcher top -- ${demo.slice(repo.length + 1)} -scenario basic -repeat 100000 (q quits)\n`,
);
process.exit(code ?? 1);
