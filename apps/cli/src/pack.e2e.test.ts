import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { startClient } from './test-support/fixture-client.js';
import { plainEnv } from './test-support/run-cli.js';

// In CI the tracing part must run (and fail if BPF cannot load); elsewhere it needs root.

interface WorkspacePackage {
  name: string;
  version: string;
  path: string;
  private: boolean;
}

const published = (
  JSON.parse(
    execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
  ) as WorkspacePackage[]
).filter((p) => !p.private);
const ourNames = new Set(published.map((p) => p.name));
/**
 * The agent's exporters depend on prom-client and the OpenTelemetry SDK: the CLI takes that package
 * as an optional peer, and it is not installed here. The others need each other and `thirdParty`.
 */
const exportersName = '@httpwatcher/exporters';
const selfContained = published.filter((p) => p.name !== exportersName);

/**
 * Third-party packages a published package may depend on at run time, each pinned exactly in its
 * manifest: terminal-kit draws `httpwatcher top`. npm fetches these (and theirs) from the registry,
 * as it would for a user; our own packages come from the tarballs.
 */
const thirdParty: Readonly<Record<string, string>> = { 'terminal-kit': '3.1.4' };

/**
 * Packs every published package with `pnpm pack` (which turns workspace:* into versions),
 * installs the tarballs into an empty project outside the repository with plain npm, and uses them
 * from there as a user would.
 */
describe('packed tarballs installed with npm into an empty project', () => {
  const work = mkdtempSync(join(tmpdir(), 'hw-pack-'));
  const tarballs = join(work, 'tarballs');
  const project = join(work, 'project');
  const installed = (name: string): string => join(project, 'node_modules', ...name.split('/'));
  const run = (file: string, args: string[]) =>
    spawnSync(file, args, { cwd: project, encoding: 'utf8', env: plainEnv() });

  beforeAll(() => {
    mkdirSync(tarballs);
    mkdirSync(project);
    for (const p of published)
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.path, stdio: 'ignore' });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'try-httpwatcher', version: '1.0.0', private: true }),
    );
    const files = readdirSync(tarballs)
      .filter((f) => !f.startsWith('httpwatcher-exporters-'))
      .map((f) => join(tarballs, f));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...files], {
      cwd: project,
      stdio: 'pipe',
      env: plainEnv(),
    });
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs every package but the exporters, whose runtime dependencies are our own packages at their versions or pinned listed ones', () => {
    expect(readdirSync(tarballs).filter((f) => f.startsWith('httpwatcher-exporters-'))).toHaveLength(1);
    expect(existsSync(installed(exportersName))).toBe(false);
    for (const p of selfContained) {
      const manifest = JSON.parse(readFileSync(join(installed(p.name), 'package.json'), 'utf8')) as {
        version: string;
        dependencies?: Record<string, string>;
      };
      expect(manifest.version).toBe(p.version);
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dep in thirdParty) {
          expect(range).toBe(thirdParty[dep]);
          continue;
        }
        expect(ourNames).toContain(dep);
        expect(range).toBe(published.find((q) => q.name === dep)!.version);
      }
    }
  });

  it('ships the prebuilt native addon, the hold guardian and the BPF program, both builds, for both architectures', () => {
    const native = installed('@httpwatcher/bpf-native');
    for (const file of [
      'build/Release/httpwatcher_native.node',
      'build/Release/hold-guardian',
      'bpf-objects/httpwatcher.x86.bpf.o',
      'bpf-objects/httpwatcher.arm64.bpf.o',
      'bpf-objects/httpwatcher.x86.compat.bpf.o',
      'bpf-objects/httpwatcher.arm64.compat.bpf.o',
      'scripts/install.mjs',
    ]) {
      expect(existsSync(join(native, file)), file).toBe(true);
    }
    expect(existsSync(join(native, 'src'))).toBe(false);
    expect(statSync(join(native, 'build/Release/hold-guardian')).mode & 0o111).toBe(0o111); // executable
  });

  it('ships the addon and the hold guardian for linux-x64 and linux-arm64, each built for its machine', () => {
    const native = installed('@httpwatcher/bpf-native');
    const machine = (file: string): string =>
      execFileSync('file', ['-b', join(native, file)], { encoding: 'utf8' })
        .split(',')[1]!
        .trim();
    expect(machine('build/Release/httpwatcher_native.node')).toBe('x86-64');
    expect(machine('build/Release/hold-guardian')).toBe('x86-64');
    expect(machine('prebuilds/linux-arm64/httpwatcher_native.node')).toBe('ARM aarch64');
    expect(machine('prebuilds/linux-arm64/hold-guardian')).toBe('ARM aarch64');
    const manifest = JSON.parse(readFileSync(join(native, 'package.json'), 'utf8')) as { cpu: string[] };
    expect(manifest.cpu).toEqual(['x64', 'arm64']);
  });

  it('passes publint (as installed) and attw (on the tarball) for every package', async () => {
    for (const p of selfContained) {
      const { messages } = await publint({ pkgDir: installed(p.name), pack: false, strict: true });
      expect(messages.filter((m) => m.type !== 'suggestion').map((m) => `${p.name}: ${m.code}`)).toEqual([]);
    }
    for (const tarball of readdirSync(tarballs)) {
      const attw = spawnSync(
        join(repoRoot, 'node_modules', '.bin', 'attw'),
        [join(tarballs, tarball), '--profile', 'strict', '--format', 'json'],
        { encoding: 'utf8' },
      );
      expect(attw.status, `${tarball}: ${attw.stdout}${attw.stderr}`).toBe(0);
    }
  }, 60_000);

  it('npx httpwatcher --version runs the installed command', () => {
    const r = run('npx', ['--offline', 'httpwatcher', '--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`httpwatcher ${published.find((p) => p.name === '@httpwatcher/cli')!.version}\n`);
    expect(r.status).toBe(0);
  });

  it('npx httpwatcher top loads its terminal library, then asks for a terminal (exit 2)', () => {
    const r = run('npx', ['--offline', 'httpwatcher', 'top', '-p', '1']);
    expect(r.stderr).toBe(
      'httpwatcher: top needs a terminal on stdin and stdout; for a pipe or a file, trace without "top"\n',
    );
    expect(r.status).toBe(2);
  });

  it('--metrics without @httpwatcher/exporters installed exits 1 naming the package, before tracing anything', () => {
    const r = run(join(project, 'node_modules', '.bin', 'httpwatcher'), ['-p', '1', '--metrics', '127.0.0.1:0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--metrics and --otlp need the package @httpwatcher/exporters');
    expect(r.stdout).toBe('');
  });

  it('the library loads from CommonJS and from ES modules, resolved inside the project', () => {
    const cjs = run(process.execPath, [
      '-e',
      'const h = require("httpwatcher"); console.log(typeof h.Snooper.init, require.resolve("httpwatcher"))',
    ]);
    expect(cjs.stdout).toBe(`function ${join(installed('httpwatcher'), 'dist', 'index.cjs')}\n`);
    const esm = run(process.execPath, [
      '--input-type=module',
      '-e',
      'const h = await import("httpwatcher"); console.log(typeof h.Snooper.init, import.meta.resolve("httpwatcher"))',
    ]);
    expect(esm.stdout).toBe(`function file://${join(installed('httpwatcher'), 'dist', 'index.js')}\n`);
  });

  it.runIf(runBpfTests)('traces a Go program from the installed command', async () => {
    const client = await startClient('basic');
    try {
      const { spawn } = await import('node:child_process');
      const cli = spawn(
        join(project, 'node_modules', '.bin', 'httpwatcher'),
        ['-p', String(client.pid), '--json', '--show-secrets'],
        { cwd: project, env: plainEnv() },
      );
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exit = new Promise<number | null>((resolve) => cli.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        cli.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('tracing pid')) resolve();
        });
        void exit.then(() => reject(new Error(`the installed CLI exited before tracing:\n${stderr}`)));
      });
      client.release();
      expect(await exit).toBe(0);
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { method: string; url: string; headers: Record<string, string> });
      expect(events.map((e) => ({ method: e.method, url: e.url, headers: e.headers }))).toEqual(
        client.sent.map((s) => ({ method: s.method, url: s.url, headers: s.headers })),
      );
    } finally {
      client.kill();
    }
  });
});
