import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type Fixture as BuiltFixture,
  type FixtureRow,
  manifestPath,
  manifestRows,
} from '@httpwatcher/test-support/fixtures';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

const run = promisify(execFile);

export interface Fixture extends BuiltFixture {
  /** The unstripped build of the same toolchain and arch, whose `go tool nm` gives ground truth. */
  twin: BuiltFixture;
}

export const expectedVariants = [
  'default',
  'stripped',
  'pie',
  'cgo-external',
  'nocgo',
  'arm64-default',
  'arm64-stripped',
  'arm64-pie',
  'noswissmap',
];
export const expectedGoVersions = ['1.15', '1.19', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27'];

/**
 * The fixture matrix from test-fixtures/out/manifest.json. Missing manifest or cells fail in CI and
 * are reported (the caller skips) elsewhere, with the command that builds them.
 */
export function loadFixtures(): { fixtures: Fixture[]; missing: string[] } {
  const missing: string[] = [];
  if (!existsSync(manifestPath))
    return { fixtures: [], missing: [`${manifestPath} (run: bash test-fixtures/build.sh)`] };
  const rows = manifestRows();
  const withPath = (row: FixtureRow): BuiltFixture => ({ ...row, absolutePath: resolve(repoRoot, row.path) });
  const find = (go: string, variant: string) =>
    rows.find((r) => r.go === go && r.variant === variant && r.program === 'client');
  for (const go of expectedGoVersions) {
    for (const variant of expectedVariants) {
      if (variant === 'noswissmap' && go !== '1.24' && go !== '1.25') continue;
      const row = find(go, variant);
      if (!row) missing.push(`go${go}/${variant} (not in manifest)`);
      else if (!existsSync(resolve(repoRoot, row.path))) missing.push(`${row.path} (file missing)`);
    }
  }
  const fixtures: Fixture[] = [];
  // Every test here is about net/http.(*Client).do; other programs (no client, benchmarks) are for other packages.
  for (const row of rows.filter((r) => r.program === 'client')) {
    const twinVariant =
      row.variant === 'stripped' ? 'default' : row.variant === 'arm64-stripped' ? 'arm64-default' : row.variant;
    const twin = find(row.go, twinVariant);
    if (!twin || !existsSync(resolve(repoRoot, row.path)) || !existsSync(resolve(repoRoot, twin.path))) continue;
    fixtures.push({ ...withPath(row), twin: withPath(twin) });
  }
  return { fixtures, missing };
}

const toolCache = new Map<string, Promise<string>>();

/** Runs a tool once per argument list per test run (cached in memory, never on disk). */
export function toolOutput(file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const key = JSON.stringify([file, args, env]);
  let output = toolCache.get(key);
  if (!output) {
    output = run(file, args, { maxBuffer: 256 << 20, env: { ...process.env, ...env } }).then((r) => r.stdout);
    toolCache.set(key, output);
  }
  return output;
}

export function goTool(goroot: string, args: string[]): Promise<string> {
  return toolOutput(resolve(goroot, 'bin/go'), args, { GOROOT: goroot, GOTOOLCHAIN: 'local', GOFLAGS: '' });
}

/** Address of a text symbol from `go tool nm` (T or t: external linking makes Go symbols local). */
export async function nmAddress(goroot: string, binary: string, name: string): Promise<number | undefined> {
  const out = await goTool(goroot, ['tool', 'nm', binary]);
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+) [Tt] (.*)$/.exec(line);
    if (m && m[2] === name) return parseInt(m[1]!, 16);
  }
  return undefined;
}

export interface DisassembledInstruction {
  address: number;
  bytes: Buffer;
  text: string;
}

/** objdump's disassembly of [start, stop), one entry per instruction (continuation byte lines merged, zero runs not elided). */
export async function objdump(
  arch: 'amd64' | 'arm64',
  binary: string,
  start: number,
  stop: number,
): Promise<DisassembledInstruction[]> {
  const tool = arch === 'amd64' ? 'objdump' : 'aarch64-linux-gnu-objdump';
  const out = await toolOutput(tool, [
    '-d',
    '-w',
    '-z',
    `--start-address=0x${start.toString(16)}`,
    `--stop-address=0x${stop.toString(16)}`,
    binary,
  ]);
  const result: DisassembledInstruction[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s+([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/.exec(line);
    if (!m) continue;
    const hex = m[2]!.replace(/\s+/g, '');
    // arm64 objdump prints each 32-bit word as one big-endian hex number.
    const bytes = arch === 'arm64' ? Buffer.from(hex.match(/../g)!.reverse().join(''), 'hex') : Buffer.from(hex, 'hex');
    result.push({ address: parseInt(m[1]!, 16), bytes, text: m[3]!.trim() });
  }
  return result;
}
