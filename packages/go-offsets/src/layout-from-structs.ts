import { abiConvention } from './abi-convention.js';
import type { GoVersion } from './go-version.js';
import type { GoArch, GoLayout, HmapLayout, MapLayout, SwissLayout } from './layout.js';
import { OffsetsError } from './offsets-error.js';
import { hmapTypes, swissTypes, type StructLayout, type StructLayouts } from './struct-layouts.js';

// Slots per bucket (runtime bucketCnt) and per group (abi.SwissMapGroupSlots / abi.MapGroupSlots): 8 in every
// version so far; the key and value sizes below are derived from it.
const slotsPerGroup = 8;

/**
 * Turns the struct layouts found in a binary's DWARF into the fields the BPF program reads. Shared by the
 * generator (layouts from Go's debug/dwarf) and the runtime fallback (our reader), so both apply one mapping.
 * The ABI part is not in DWARF and follows the documented rules in abi-convention.ts.
 */
export function layoutFromStructs(
  structs: StructLayouts,
  arch: GoArch,
  version: Pick<GoVersion, 'minor'>,
  experiments: readonly string[],
  goVersion: string,
): GoLayout {
  const field = fieldReader(structs, goVersion);
  return {
    arch,
    abi: { ...abiConvention(version, arch, experiments), goidOffset: field('runtime.g', 'goid') },
    request: {
      method: field('net/http.Request', 'Method'),
      url: field('net/http.Request', 'URL'),
      header: field('net/http.Request', 'Header'),
      host: field('net/http.Request', 'Host'),
    },
    url: {
      scheme: field('net/url.URL', 'Scheme'),
      opaque: field('net/url.URL', 'Opaque'),
      user: field('net/url.URL', 'User'),
      host: field('net/url.URL', 'Host'),
      path: field('net/url.URL', 'Path'),
      rawPath: field('net/url.URL', 'RawPath'),
      forceQuery: field('net/url.URL', 'ForceQuery'),
      rawQuery: field('net/url.URL', 'RawQuery'),
      fragment: field('net/url.URL', 'Fragment'),
      rawFragment: field('net/url.URL', 'RawFragment'),
    },
    userinfo: {
      username: field('net/url.Userinfo', 'username'),
      password: field('net/url.Userinfo', 'password'),
      passwordSet: field('net/url.Userinfo', 'passwordSet'),
    },
    headerMap: headerMapLayout(structs, field, goVersion),
    response: { statusCode: field('net/http.Response', 'StatusCode') },
  };
}

type FieldReader = (type: string, member?: string) => number;

function fieldReader(structs: StructLayouts, goVersion: string): FieldReader {
  return (type, member) => {
    const layout: StructLayout | undefined = structs.get(type);
    const value = layout && (member === undefined ? layout.size : layout.members[member]);
    if (value === undefined) {
      throw new OffsetsError(
        'DWARF_INCOMPLETE',
        `DWARF of this ${goVersion} binary has no ${member === undefined ? 'size for' : `member ${member} in`} ` +
          `struct ${type}; this Go version may have renamed it. Add the version with the generator, or pass --assume-go.`,
        { goVersion },
      );
    }
    return value;
  };
}

// The synthesized map[string][]string type says which implementation the binary uses: a 1.24/1.25 binary built
// with noswissmap carries runtime.hmap and bucket<…>, a swiss one carries the group type (verified on 1.24/1.25).
function headerMapLayout(structs: StructLayouts, field: FieldReader, goVersion: string): MapLayout {
  const isSwiss = structs.has('noalg.map.group[string][]string');
  const isHmap = structs.has('bucket<string,[]string>');
  if (isSwiss && isHmap) {
    throw new OffsetsError(
      'DWARF_CORRUPT',
      `DWARF of this ${goVersion} binary describes both a swiss and a bucket map[string][]string.`,
      { goVersion },
    );
  }
  const layout = isSwiss ? swissLayout(field) : isHmap ? hmapLayout(field) : undefined;
  if (layout) return checkSlotCount(layout, goVersion);
  throw new OffsetsError(
    'DWARF_INCOMPLETE',
    `DWARF of this ${goVersion} binary has neither ${hmapTypes.join(' + ')} nor ${swissTypes.join(' + ')}; ` +
      `cannot tell how http.Header is laid out.`,
    { goVersion },
  );
}

// The BPF walker assumes 8 slots of fixed size per bucket/group; a DWARF-only version that changed this must be
// refused rather than walked with the wrong stride.
function checkSlotCount(layout: MapLayout, goVersion: string): MapLayout {
  const fits =
    layout.kind === 'swiss'
      ? layout.groupSlots + slotsPerGroup * layout.slotSize === layout.groupSize
      : layout.bucketOverflow + 8 === layout.bucketSize && layout.keySize === 16 && layout.valueSize === 24;
  if (fits) return layout;
  throw new OffsetsError(
    'DWARF_INCOMPLETE',
    `The ${goVersion} ${layout.kind} map for http.Header is not the ${slotsPerGroup}-slot layout the BPF walker knows: ${JSON.stringify(layout)}.`,
    { goVersion },
  );
}

function hmapLayout(field: FieldReader): HmapLayout {
  const bucket = 'bucket<string,[]string>';
  const keys = field(bucket, 'keys');
  const values = field(bucket, 'values');
  const overflow = field(bucket, 'overflow');
  return {
    kind: 'hmap',
    count: field('runtime.hmap', 'count'),
    flags: field('runtime.hmap', 'flags'),
    B: field('runtime.hmap', 'B'),
    buckets: field('runtime.hmap', 'buckets'),
    oldbuckets: field('runtime.hmap', 'oldbuckets'),
    bucketSize: field(bucket),
    bucketKeys: keys,
    bucketValues: values,
    bucketOverflow: overflow,
    keySize: (values - keys) / slotsPerGroup,
    valueSize: (overflow - values) / slotsPerGroup,
  };
}

function swissLayout(field: FieldReader): SwissLayout {
  const group = 'noalg.map.group[string][]string';
  const slot = 'noalg.struct { key string; elem []string }';
  const groupsInTable = field('internal/runtime/maps.table', 'groups');
  return {
    kind: 'swiss',
    used: field('internal/runtime/maps.Map', 'used'),
    dirPtr: field('internal/runtime/maps.Map', 'dirPtr'),
    dirLen: field('internal/runtime/maps.Map', 'dirLen'),
    globalDepth: field('internal/runtime/maps.Map', 'globalDepth'),
    writing: field('internal/runtime/maps.Map', 'writing'),
    tableLocalDepth: field('internal/runtime/maps.table', 'localDepth'),
    tableGroupsData: groupsInTable + field('internal/runtime/maps.groupsReference', 'data'),
    tableGroupsLengthMask: groupsInTable + field('internal/runtime/maps.groupsReference', 'lengthMask'),
    groupSize: field(group),
    groupCtrl: field(group, 'ctrl'),
    groupSlots: field(group, 'slots'),
    slotSize: field(slot),
    slotKey: field(slot, 'key'),
    slotElem: field(slot, 'elem'),
  };
}
