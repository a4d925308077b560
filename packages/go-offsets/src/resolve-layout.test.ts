import { describe, expect, it } from 'vitest';
import { OffsetsError } from './offsets-error.js';
import { resolveLayout } from './resolve-layout.js';
import { defaultLayoutTable, supportedGoVersions } from './table/layout-table.js';

const rejectsWith = (code: string) => expect.objectContaining({ code }) as OffsetsError;

describe('resolveLayout from the table', () => {
  it('uses the minor entry for any patch release', () => {
    const a = resolveLayout({ goVersion: 'go1.24.4', arch: 'amd64' });
    const b = resolveLayout({ goVersion: 'go1.24.99', arch: 'amd64' });
    expect(a).toMatchObject({ source: 'table', entry: 'go1.24 amd64 swiss' });
    expect(b.layout).toBe(a.layout);
  });

  it('selects the bucket map for GOEXPERIMENT=noswissmap on 1.24 and 1.25', () => {
    expect(resolveLayout({ goVersion: 'go1.24.4', arch: 'arm64', goexperiment: 'noswissmap' })).toMatchObject({
      entry: 'go1.24 arm64 hmap',
    });
    expect(resolveLayout({ goVersion: 'go1.25.5 X:noswissmap', arch: 'amd64' }).layout.headerMap.kind).toBe('hmap');
    expect(
      resolveLayout({ goVersion: 'go1.25.5', arch: 'amd64', goexperiment: 'nodwarf5,noswissmap' }).layout.headerMap,
    ).toMatchObject({ kind: 'hmap', bucketSize: 336 });
  });

  it('ignores other experiments such as nodwarf5', () => {
    expect(resolveLayout({ goVersion: 'go1.25.5 X:nodwarf5', arch: 'amd64' }).entry).toBe('go1.25 amd64 swiss');
  });

  it('does not offer noswissmap from 1.26 on, where the toolchain rejects it', () => {
    expect(() => resolveLayout({ goVersion: 'go1.26.1', arch: 'amd64', goexperiment: 'noswissmap' })).toThrow(
      rejectsWith('UNSUPPORTED_GO_VERSION'),
    );
  });

  it('has RawQuery at 96 for 1.15–1.25 and at 88 from 1.26 (never the old wrong 88 before 1.26)', () => {
    for (const e of defaultLayoutTable) {
      const minor = Number(e.minor.split('.')[1]);
      expect([e.minor, e.layout.url.rawQuery]).toEqual([e.minor, minor >= 26 ? 88 : 96]);
    }
  });

  it('applies the register ABI from 1.17 on amd64 and 1.18 on arm64', () => {
    const abi = (goVersion: string, arch: 'amd64' | 'arm64') => resolveLayout({ goVersion, arch }).layout.abi;
    expect(abi('go1.16.15', 'amd64')).toMatchObject({
      kind: 'stack',
      requestArg: { stackOffset: 16 },
      goroutineRegister: null,
    });
    expect(abi('go1.17.13', 'amd64')).toMatchObject({
      kind: 'register',
      requestArg: { register: 'RBX' },
      goroutineRegister: 'R14',
    });
    expect(abi('go1.17.13', 'arm64')).toMatchObject({ kind: 'stack', requestArg: { stackOffset: 16 } });
    expect(abi('go1.18.10', 'arm64')).toMatchObject({
      kind: 'register',
      requestArg: { register: 'X1' },
      goroutineRegister: 'X28',
    });
  });

  it('honours GOEXPERIMENT=noregabi on 1.17', () => {
    const resolved = resolveLayout({ goVersion: 'go1.17.2', arch: 'amd64', goexperiment: 'noregabi' });
    expect(resolved).toMatchObject({
      entry: 'go1.17 amd64 hmap stack ABI',
      layout: { abi: { kind: 'stack', goroutineRegister: null, goidOffset: 152 } },
    });
  });
});

describe('resolveLayout without a table entry', () => {
  it('throws UNSUPPORTED_GO_VERSION for go1.99 without DWARF, naming the nearest supported minor', () => {
    let error: unknown;
    try {
      resolveLayout({ goVersion: 'go1.99.0', arch: 'amd64' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OffsetsError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_GO_VERSION', goVersion: 'go1.99.0', nearest: ['go1.27'] });
    expect((error as Error).message).toContain('go1.99.0');
    expect((error as Error).message).toContain('go1.27');
  });

  it('names the neighbours of a gap and of versions older than the table', () => {
    const table = defaultLayoutTable.filter((e) => e.minor !== 'go1.20');
    expect(() => resolveLayout({ goVersion: 'go1.20.3', arch: 'amd64' }, table)).toThrow(
      expect.objectContaining({ nearest: ['go1.19', 'go1.21'] }) as Error,
    );
    expect(() => resolveLayout({ goVersion: 'go1.14.1', arch: 'amd64' })).toThrow(
      expect.objectContaining({ nearest: ['go1.15'] }) as Error,
    );
  });

  it('does not take devel builds or release candidates from the table', () => {
    expect(() => resolveLayout({ goVersion: 'devel go1.26-3c9e1a3b Mon Jul 1 2025', arch: 'amd64' })).toThrow(
      rejectsWith('UNSUPPORTED_GO_VERSION'),
    );
    expect(() => resolveLayout({ goVersion: 'go1.26rc1', arch: 'amd64' })).toThrow(/pre-releases are not in the table/);
  });

  it('rejects other architectures and malformed versions with their own codes', () => {
    expect(() => resolveLayout({ goVersion: 'go1.24.4', arch: 'riscv64' as 'amd64' })).toThrow(
      rejectsWith('UNSUPPORTED_ARCH'),
    );
    expect(() => resolveLayout({ goVersion: 'gopher', arch: 'amd64' })).toThrow(rejectsWith('INVALID_GO_VERSION'));
  });
});

describe('supportedGoVersions', () => {
  it('lists every minor with both arches, generated or documented', () => {
    expect(supportedGoVersions.map((v) => `${v.minor}:${v.arches.join('+')}:${v.maps.join('+')}:${v.source}`)).toEqual([
      'go1.15:amd64+arm64:hmap:generated',
      'go1.16:amd64+arm64:hmap:documented',
      'go1.17:amd64+arm64:hmap:documented',
      'go1.18:amd64+arm64:hmap:documented',
      'go1.19:amd64+arm64:hmap:generated',
      'go1.20:amd64+arm64:hmap:documented',
      'go1.21:amd64+arm64:hmap:generated',
      'go1.22:amd64+arm64:hmap:generated',
      'go1.23:amd64+arm64:hmap:generated',
      'go1.24:amd64+arm64:hmap+swiss:generated',
      'go1.25:amd64+arm64:hmap+swiss:generated',
      'go1.26:amd64+arm64:swiss:generated',
      'go1.27:amd64+arm64:swiss:generated',
    ]);
  });
});
