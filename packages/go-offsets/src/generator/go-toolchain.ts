import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { paths } from './package-paths.js';

const run = promisify(execFile);

export function cacheRoot(): string {
  return process.env.HTTPWATCHER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'httpwatcher');
}

/** Minors (`1.24`) whose toolchain debian-archive.sh has already unpacked, so fetching them is instant. */
export function cachedToolchainMinors(): string[] {
  const dir = join(cacheRoot(), 'go');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((m) => /^1\.\d+$/.test(m) && existsSync(join(dir, m, '.complete')))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/** The GOROOT of Go `1.NN`, fetched the same way the fixtures get it. */
export async function goroot(minor: string): Promise<string> {
  const { stdout } = await run(paths.debianArchive(), ['go', minor], { maxBuffer: 1 << 20 });
  return stdout.trim().split('\n').at(-1)!;
}

export interface GoBuild {
  readonly goroot: string;
  readonly minor: string;
  readonly goarch: string;
  readonly goexperiment: string;
}

/** A hermetic `go build`: this toolchain only, no network, a per-version build cache shared with the fixtures. */
export async function goBuild(build: GoBuild, sourceDir: string, output: string): Promise<void> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: homedir(),
    GOROOT: build.goroot,
    GOPATH: join(cacheRoot(), 'gopath'),
    GOCACHE: join(cacheRoot(), 'gocache', build.minor),
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOFLAGS: '-mod=mod',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
    GOOS: 'linux',
    GOARCH: build.goarch,
    GOEXPERIMENT: build.goexperiment,
  };
  try {
    await run(join(build.goroot, 'bin', 'go'), ['build', '-o', output, '.'], {
      cwd: sourceDir,
      env,
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `go build (${build.minor} ${build.goarch} ${build.goexperiment || 'default'}) in ${sourceDir} failed:\n${stderr}`,
    );
  }
}

export async function runHelper(helper: string, args: string[]): Promise<string> {
  const { stdout } = await run(helper, args, { maxBuffer: 16 << 20 });
  return stdout;
}
