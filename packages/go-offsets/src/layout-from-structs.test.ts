import { describe, expect, it } from 'vitest';
import { layoutFromStructs } from './layout-from-structs.js';
import type { StructLayout } from './struct-layouts.js';
import { resolveLayout } from './resolve-layout.js';

// The struct layouts of a go1.21 binary, as dwarf-layouts prints them.
const go121: Record<string, StructLayout> = {
  'runtime.g': { size: 408, members: { goid: 152 } },
  'net/http.Request': { size: 248, members: { Method: 0, URL: 16, Header: 56, Host: 128 } },
  'net/http.Response': { size: 136, members: { Status: 0, StatusCode: 16 } },
  'net/url.URL': {
    size: 144,
    members: {
      Scheme: 0,
      Opaque: 16,
      User: 32,
      Host: 40,
      Path: 56,
      RawPath: 72,
      OmitHost: 88,
      ForceQuery: 89,
      RawQuery: 96,
      Fragment: 112,
      RawFragment: 128,
    },
  },
  'net/url.Userinfo': { size: 40, members: { username: 0, password: 16, passwordSet: 32 } },
  'runtime.hmap': {
    size: 48,
    members: {
      count: 0,
      flags: 8,
      B: 9,
      noverflow: 10,
      hash0: 12,
      buckets: 16,
      oldbuckets: 24,
      nevacuate: 32,
      extra: 40,
    },
  },
  'bucket<string,[]string>': { size: 336, members: { tophash: 0, keys: 8, values: 136, overflow: 328 } },
};
const build = (structs: Record<string, StructLayout>) =>
  layoutFromStructs(new Map(Object.entries(structs)), 'amd64', { minor: 21 }, [], 'go1.21.13');

describe('layoutFromStructs', () => {
  it('maps DWARF structs to the same layout as the generated go1.21 entry', () => {
    expect(build(go121)).toEqual(resolveLayout({ goVersion: 'go1.21.13', arch: 'amd64' }).layout);
  });

  it('names the missing member when Go renames a field', () => {
    const { RawQuery: _, ...members } = go121['net/url.URL']!.members;
    expect(() => build({ ...go121, 'net/url.URL': { size: 144, members } })).toThrow(
      expect.objectContaining({
        code: 'DWARF_INCOMPLETE',
        message: expect.stringContaining('member RawQuery in struct net/url.URL'),
      }) as Error,
    );
  });

  it('refuses a bucket that is not 8 slots of string keys and []string values', () => {
    expect(() =>
      build({
        ...go121,
        'bucket<string,[]string>': { size: 344, members: { tophash: 0, keys: 8, values: 136, overflow: 336 } },
      }),
    ).toThrow(/not the 8-slot layout/);
  });
});
