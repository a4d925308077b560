import { abiConvention } from '../abi-convention.js';
import type { GoArch, GoLayout, HmapLayout, UrlLayout } from '../layout.js';
import type { LayoutTableEntry } from './layout-table-entry.js';

// Hand-written entries for the minors we have no toolchain for (1.16, 1.17, 1.18, 1.20). Every fact is either
// written up from the Go sources in docs/go-layouts.md or pinned by identical generated neighbours (1.15 and
// 1.19 for 1.16–1.18; 1.19 and 1.21 for 1.20); documented-layouts.test.ts checks them against those neighbours.

// net/http.Request: Method 0, URL 16, Header 56, Host 128 in every release 1.15–1.27 (docs/go-layouts.md).
const request = { method: 0, url: 16, header: 56, host: 128 };

// net/url.URL before OmitHost (added in 1.19, api/go1.19.txt): ForceQuery right after RawPath at 88.
const urlBeforeOmitHost: UrlLayout = {
  scheme: 0,
  opaque: 16,
  user: 32,
  host: 40,
  path: 56,
  rawPath: 72,
  forceQuery: 88,
  rawQuery: 96,
  fragment: 112,
  rawFragment: 128,
};
// 1.19–1.25: OmitHost takes the padding byte at 88, so ForceQuery moves to 89 and nothing else moves.
const urlWithOmitHost: UrlLayout = { ...urlBeforeOmitHost, forceQuery: 89 };

const userinfo = { username: 0, password: 16, passwordSet: 32 };

// runtime/map.go 1.16–1.23: hmap{count, flags, B, noverflow, hash0, buckets, oldbuckets, nevacuate, extra};
// bmap for map[string][]string: tophash[8], 8 string keys, 8 []string values, overflow pointer (docs/go-maps.md).
const hmap: HmapLayout = {
  kind: 'hmap',
  count: 0,
  flags: 8,
  B: 9,
  buckets: 16,
  oldbuckets: 24,
  bucketSize: 336,
  bucketKeys: 8,
  bucketValues: 136,
  bucketOverflow: 328,
  keySize: 16,
  valueSize: 24,
};

// net/http.Response: Status string at 0, StatusCode int at 16, unchanged since Go 1.0.
const response = { statusCode: 16 };

// runtime.g: goid is 152 in the generated 1.15, 1.19, 1.21 and 1.22 data. The fields before it (stack,
// stackguard0/1, _panic, _defer, m, sched gobuf of 7 words, syscallsp, syscallpc, stktopsp, param,
// atomicstatus, stackLock) sum to 152 bytes in runtime/runtime2.go of both 1.15 and 1.19; it first moved in
// 1.23 (syscallbp added, 160) and moved back in 1.25 (gobuf.ret removed, 152).
const goidOffset = 152;

function documented(minor: number, url: UrlLayout): LayoutTableEntry[] {
  return (['amd64', 'arm64'] as const).map((arch: GoArch) => {
    const layout: GoLayout = {
      arch,
      abi: { ...abiConvention({ minor }, arch, []), goidOffset },
      request,
      url,
      userinfo,
      headerMap: hmap,
      response,
    };
    return { minor: `go1.${minor}`, arch, maps: 'hmap', source: 'documented', toolchains: [], layout };
  });
}

export const documentedEntries: readonly LayoutTableEntry[] = [
  ...documented(16, urlBeforeOmitHost),
  ...documented(17, urlBeforeOmitHost),
  ...documented(18, urlBeforeOmitHost),
  ...documented(20, urlWithOmitHost),
];
