import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoBinary } from '@httpwatcher/go-elf';
import { defaultLayoutTable } from '@httpwatcher/go-offsets';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { inCi } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { readBinaryIdentity } from './binary-identity.js';
import {
  type ProbeConfig,
  type ResolveOptions,
  resolveBinary,
  resolveProcessBinary,
  ProbeConfigCache,
} from './resolve-process-binary.js';
import { startFixture } from './test-support/fixtures.js';
import { toSnooperError } from './to-snooper-error.js';
import { codeOf } from './test-support/snooper-results.js';

const client = (go: string, variant: string): Fixture | undefined =>
  builtFixtures((f) => f.program === 'client' && f.go === go && f.variant === variant)[0];
const cells = {
  go124: client('1.24', 'default'),
  go124Stripped: client('1.24', 'stripped'),
  go124Pie: client('1.24', 'pie'),
  go124Arm64: client('1.24', 'arm64-default'),
  go115: client('1.15', 'default'),
  go126Stripped: client('1.26', 'stripped'),
};
const built = Object.values(cells).every((cell) => cell !== undefined);

/** The fixture's path; the fixtures are built whenever these tests run (they fail under CI=true otherwise). */
function pathOf(cell: Fixture | undefined): string {
  if (!cell) throw new Error('a fixture is missing: run bash test-fixtures/build.sh');
  return cell.absolutePath;
}

/** The program headers readelf reports: each PT_LOAD's file offset, address, file size and flags. */
function loads(path: string): Array<{ offset: number; vaddr: number; fileSize: number; flags: string }> {
  return execFileSync('readelf', ['-lW', path], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s+LOAD\s+(0x\S+) (0x\S+) 0x\S+ (0x\S+) 0x\S+ (.{3})/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ offset: Number(m[1]), vaddr: Number(m[2]), fileSize: Number(m[3]), flags: m[4]!.trim() }));
}

/** The entry of net/http.(*Client).do, as the fixture's own toolchain lists it. */
function clientDoEntry(cell: Fixture): number {
  const nm = execFileSync(join(cell.goroot, 'bin', 'go'), ['tool', 'nm', cell.absolutePath], {
    encoding: 'utf8',
    env: { ...process.env, GOROOT: cell.goroot, GOTOOLCHAIN: 'local', GOFLAGS: '' },
    maxBuffer: 64 << 20,
  });
  const line = nm.split('\n').find((l) => l.endsWith(' T net/http.(*Client).do'));
  return Number.parseInt(line!.trim().split(' ')[0]!, 16);
}

async function resolved(path: string, options: ResolveOptions = {}): Promise<ProbeConfig> {
  await using binary = await GoBinary.open(path);
  return await resolveBinary(binary, options);
}

describe.runIf(built || inCi)('resolveBinary on the fixtures', () => {
  it('resolves a register-ABI swiss-map binary from the table, probing just after the stack check', async () => {
    const cell = cells.go124!;
    const config = await resolved(pathOf(cell));
    expect([config.goVersion, config.arch, config.layoutEntry, config.layoutSource, config.warnings]).toEqual([
      cell.goVersion,
      'amd64',
      'go1.24 amd64 swiss',
      'table',
      [],
    ]);
    const entry = clientDoEntry(cell);
    expect(config.probe.afterStackCheck).toBe(true);
    expect(config.probe.address).toBeGreaterThan(entry);
    expect(config.probe.address).toBeLessThan(entry + 32);
    expect(config.response).toMatchObject({ gTlsOffset: undefined, returns: expect.any(Array) });
  });

  it('finds the read-only data and the code start where readelf shows them, for fixed and PIE binaries', async () => {
    for (const cell of [cells.go124!, cells.go124Pie!]) {
      const config = await resolved(pathOf(cell));
      const segments = loads(cell.absolutePath);
      const readOnly = segments.find((s) => s.flags === 'R')!;
      const code = segments.find((s) => s.flags === 'R E')!;
      expect(config.readOnlyData).toEqual({
        vaddr: readOnly.vaddr,
        sizeBytes: readOnly.fileSize,
        fileOffset: readOnly.offset,
      });
      expect([config.pie, config.executableStart]).toEqual([cell.variant === 'pie', code.vaddr]);
      expect(config.probe.address - config.probe.fileOffset).toBe(code.vaddr - code.offset);
    }
  });

  it('probes a stripped binary where it probes the same build with symbols', async () => {
    const stripped = await resolved(pathOf(cells.go124Stripped));
    const withSymbols = await resolved(pathOf(cells.go124));
    expect(stripped.probe).toEqual(withSymbols.probe);
  });

  it('finds g in TLS for the stack ABI (go1.15: at fs_base - 8)', async () => {
    const config = await resolved(pathOf(cells.go115));
    expect([config.layoutEntry, config.response]).toMatchObject(['go1.15 amd64 hmap', { gTlsOffset: -8 }]);
  });

  it('uses the layout of an assumed Go version, keeps the binary own version and warns', async () => {
    const cell = cells.go124!;
    const config = await resolved(pathOf(cell), { assumeGoVersion: 'go1.23.0' });
    expect([config.goVersion, config.layoutEntry, config.warnings]).toEqual([
      cell.goVersion,
      'go1.23 amd64 hmap',
      [`using the layout of go1.23.0 as asked, although the binary says ${cell.goVersion}`],
    ]);
  });

  it('falls back to DWARF for a version missing from the table, and fails without DWARF', async () => {
    const layoutTable = defaultLayoutTable.filter((e) => e.minor !== 'go1.24' && e.minor !== 'go1.26');
    const config = await resolved(pathOf(cells.go124), { layoutTable });
    const fromTable = await resolved(pathOf(cells.go124));
    expect([config.layoutSource, config.layoutEntry]).toEqual([
      'dwarf',
      `${cells.go124!.goVersion} amd64 swiss (DWARF)`,
    ]);
    expect(config.layout).toEqual(fromTable.layout);
    await expect(resolved(pathOf(cells.go126Stripped), { layoutTable })).rejects.toMatchObject({
      name: 'OffsetsError',
      code: 'UNSUPPORTED_GO_VERSION',
    });
  });

  it('refuses a binary for another architecture with UNSUPPORTED_ARCH', async () => {
    const path = pathOf(cells.go124Arm64);
    const refused = resolved(path).catch((error: unknown) => Promise.reject(toSnooperError(error)));
    expect(await codeOf(refused)).toBe('UNSUPPORTED_ARCH');
    await expect(refused).rejects.toThrow(`${path}: expected an amd64 binary for this machine, found arm64`);
  });
});

describe.runIf(built || inCi)('ProbeConfigCache', () => {
  it('reads a file once per content: again only when it changed, or when the caller brings its own table', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'hw-cache-')), 'client');
    copyFileSync(pathOf(cells.go124), copy);
    const cache = new ProbeConfigCache();
    const first = await cache.forFile(copy);
    const second = await cache.forFile(copy);
    expect(second.probeConfig).toBe(first.probeConfig);
    expect(first.file.identity).toEqual(await readBinaryIdentity(copy));
    utimesSync(copy, new Date(1_000_000), new Date(1_000_000));
    const changed = await cache.forFile(copy);
    expect(changed.probeConfig).not.toBe(first.probeConfig);
    expect(changed.probeConfig).toEqual(first.probeConfig);
    const layoutTable = defaultLayoutTable;
    const own = await cache.forFile(copy, { layoutTable });
    const ownAgain = await cache.forFile(copy, { layoutTable });
    expect(ownAgain.probeConfig).not.toBe(own.probeConfig);
    for (const r of [first, second, changed, own, ownAgain]) await r.file.close();
  });

  it('remembers that a file is not a Go program, and names a file it cannot read', async () => {
    const cache = new ProbeConfigCache();
    const failure = await cache.forFile('/bin/true').catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'GoElfError' });
    expect(await cache.forFile('/bin/true').catch((e: unknown) => e)).toBe(failure);
    const missing = join(tmpdir(), 'hw-no-such-binary');
    const refused = cache.forFile(missing);
    expect(await codeOf(refused)).toBe('INVALID_ARGUMENT');
    await expect(refused).rejects.toThrow(`${missing}: cannot read the executable (ENOENT)`);
  });

  it('resolves a running process: its /proc facts, the file it runs, and the shared binary facts', async () => {
    const path = pathOf(cells.go124);
    const [a, b] = [await startFixture(path), await startFixture(path)];
    try {
      const cache = new ProbeConfigCache();
      const config = await cache.forPid(a.pid);
      const stat = readFileSync(`/proc/${a.pid}/stat`, 'utf8');
      const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      expect([config.pid, config.nsPid, config.startTime, config.exe, config.file.attachPath]).toEqual([
        a.pid,
        a.pid,
        startTime,
        readlinkSync(`/proc/${a.pid}/exe`),
        expect.stringMatching(new RegExp(`^/proc/${process.pid}/fd/\\d+$`)),
      ]);
      expect(await readBinaryIdentity(config.file.attachPath)).toEqual(await readBinaryIdentity(path));
      await config.file.close();
      expect(config.binary).toEqual(await readBinaryIdentity(path));
      const other = await cache.forPid(b.pid);
      expect(other.layout).toBe(config.layout); // one read of the file for both processes
      const fresh = await resolveProcessBinary(b.pid);
      expect(fresh.probe).toEqual(config.probe);
      await Promise.all([other.file.close(), fresh.file.close()]);
    } finally {
      await Promise.all([a.go(), b.go()]);
    }
  });

  it('rejects a PID that names no process with NO_SUCH_PROCESS', async () => {
    const beyondPidMax = 4_194_305; // above the kernel's largest PID (2^22)
    const refused = new ProbeConfigCache().forPid(beyondPidMax);
    expect(await codeOf(refused)).toBe('NO_SUCH_PROCESS');
    await expect(refused).rejects.toThrow(`pid ${beyondPidMax}: no such process`);
    expect(await codeOf(resolveProcessBinary(beyondPidMax))).toBe('NO_SUCH_PROCESS');
  });
});
