import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestPlan } from '../guest-plan.js';
import type { Findings } from './findings.js';
import { startCli } from './guest-cli.js';

/** What test-fixtures/client prints for each request it sent. */
interface Sent {
  kind: string;
  method: string;
  url: string;
  host?: string;
  headers: Record<string, string>;
}

/** One --json line of the CLI. */
interface Printed {
  pid: number;
  method: string;
  url: string;
  host: string | null;
  headers: Record<string, string>;
  incomplete: boolean;
}

const sentIn = (text: string): Sent[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Sent)
    .filter((m) => m.kind === 'request');

const printedIn = (text: string): Printed[] =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Printed);

/** The fields both sides have, so that a request and its printed line compare whole. */
const asSent = (s: Sent) => ({ method: s.method, url: s.url, host: s.host ?? null, headers: s.headers });
const asPrinted = (p: Printed) => ({ method: p.method, url: p.url, host: p.host, headers: p.headers });

/**
 * `httpwatcher --json --show-secrets -- client -scenario basic`: the probe is in place before
 * the program runs, so its first request is captured; every request is printed as sent, and the
 * CLI exits with the program.
 */
export async function checkCommand(plan: GuestPlan, f: Findings): Promise<Record<string, unknown>> {
  const r = await startCli(plan.cliBin, ['--json', '--show-secrets', '--', plan.client.path, '-scenario', 'basic'])
    .exit;
  if (!f.same('CLI exit code', r.code, 0)) f.add(`CLI stderr: ${r.stderr.slice(0, 1000)}`);
  // With requests on a piped stdout, the program's own stdout goes to the CLI's stderr.
  const sent = sentIn(r.stderr);
  f.same('requests the program sent', sent.length, 5);
  const printed = printedIn(r.stdout);
  f.same('first request', printed.slice(0, 1).map(asPrinted), sent.slice(0, 1).map(asSent));
  f.same('every request, in order', printed.map(asPrinted), sent.map(asSent));
  f.same('no read failed', printed.filter((p) => p.incomplete).length, 0);
  f.same('stops when the program exits', /stopping: pid \d+ exited \(exit code 0\)/.test(r.stderr), true);
  return { printed: printed.length };
}

/** Runs a private copy of the client to its end; resolves with its pid and what it sent. */
function runClient(path: string): Promise<{ pid: number; sent: Sent[] }> {
  const child = spawn(path, ['-scenario', 'basic'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', () => resolve({ pid: child.pid!, sent: sentIn(out) })));
}

/**
 * `httpwatcher --json --binary FILE`: processes of the file started after the CLI, two at once,
 * are traced from their first request until the CLI is interrupted.
 */
export async function checkBinary(plan: GuestPlan, f: Findings): Promise<Record<string, unknown>> {
  const path = join(mkdtempSync('/tmp/hw-binary-'), 'client');
  copyFileSync(plan.client.path, path);
  const cli = startCli(plan.cliBin, ['--json', '--show-secrets', '--binary', path]);
  try {
    await cli.stderrContains(`tracing binary ${path}`);
    const runs = await Promise.all([runClient(path), runClient(path)]);
    await cli.stdoutLines(10);
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    if (!f.same('CLI exit code after SIGINT', r.code, 0)) f.add(`CLI stderr: ${r.stderr.slice(0, 1000)}`);
    const printed = printedIn(r.stdout);
    for (const run of runs) {
      f.same(`pid ${run.pid} sent`, run.sent.length, 5);
      f.same(`pid ${run.pid} requests`, printed.filter((p) => p.pid === run.pid).map(asPrinted), run.sent.map(asSent));
      f.same(`pid ${run.pid} summary`, r.stderr.includes(`pid ${run.pid} (client): 5 captured, 5 printed`), true);
    }
    return { printed: printed.length };
  } finally {
    cli.child.kill('SIGKILL');
  }
}
