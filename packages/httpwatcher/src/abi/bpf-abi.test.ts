import { describe, expect, it } from 'vitest';
import { dumpHeader } from '../test-support/header-dump.js';
import * as abi from './bpf-abi.js';

/** The event record and probe configuration of bpf/httpwatcher.h, as the host compiler sees them. */
function cLayout(): Record<string, number> {
  return dumpHeader([
    ...abi.probeConfigFields.map(
      ([name]) =>
        `printf("\\"probe_config.${name}\\": [%zu, %zu],\\n", offsetof(struct hw_probe_config, ${name}), sizeof(((struct hw_probe_config *)0)->${name}));`,
    ),
    'OFF(hw_event, ktime_ns); OFF(hw_event, goid); OFF(hw_event, request_ptr); OFF(hw_event, tgid);',
    'OFF(hw_event, tid); OFF(hw_event, ns_tgid); OFF(hw_event, flags); OFF(hw_event, truncated);',
    'OFF(hw_event, nheaders_total); OFF(hw_event, nheaders); OFF(hw_event, kind); OFF(hw_event, str_len); OFF(hw_event, binary_id);',
    'OFF(hw_event, via); OFF(hw_event, g);',
    'OFF(hw_call_end, ktime_ns); OFF(hw_call_end, goid); OFF(hw_call_end, g); OFF(hw_call_end, tgid);',
    'OFF(hw_call_end, tid); OFF(hw_call_end, ns_tgid); OFF(hw_call_end, kind);',
    'OFF(hw_header_entry, key_len); OFF(hw_header_entry, value_len); OFF(hw_header_entry, nvalues); OFF(hw_header_entry, flags);',
    ...[
      ['sizeof.hw_event', 'sizeof(struct hw_event)'],
      ['sizeof.hw_header_entry', 'sizeof(struct hw_header_entry)'],
      ['sizeof.hw_call_end', 'sizeof(struct hw_call_end)'],
      ['sizeof.hw_probe_config', 'sizeof(struct hw_probe_config)'],
      ['sizeof.ro_lo', 'sizeof(((struct hw_probe_config *)0)->ro_lo)'],
    ].map(([name, expr]) => `printf("\\"${name}\\": %zu,\\n", ${expr});`),
    ...[
      'HW_MAX_STR',
      'HW_MAX_HEADERS',
      'HW_MAX_KEY',
      'HW_MAX_VALUE',
      'HW_MAX_VALUES',
      'HW_NSTR',
      'HW_STR_REQUEST_HOST',
      'HW_STR_RAW_QUERY',
      'HW_KIND_REQUEST',
      'HW_KIND_CALL_END',
      'HW_VIA_CLIENT',
      'HW_VIA_TRANSPORT',
      'HW_F_USERINFO',
      'HW_F_FORCE_QUERY',
      'HW_F_HEADERS_TRUNCATED',
      'HW_F_HEADERS_INCOMPLETE',
      'HW_F_READ_ERROR',
      'HW_F_NO_URL',
      'HW_HF_KEY_TRUNCATED',
      'HW_HF_VALUE_TRUNCATED',
      'HW_HF_KEY_IN_IMAGE',
      'HW_HF_VALUE_IN_IMAGE',
      'HW_ABI_STACK',
      'HW_MAP_SWISS',
      'HW_CNT_EVENTS',
      'HW_CNT_RING_DROPS',
      'HW_CNT_READ_ERRORS',
      'HW_CNT_HITS',
      'HW_CNT_HOLDS_SKIPPED',
      'HW_CNT_SCRATCH_DROPS',
      'HW_NCOUNTERS',
    ].map((name) => `printf("\\"${name}\\": %d,\\n", (int)${name});`),
  ]);
}

describe('bpf-abi mirrors bpf/httpwatcher.h', () => {
  const c = cLayout();

  it('has the same limits and string fields', () => {
    expect([abi.MAX_STR, abi.MAX_HEADERS, abi.MAX_KEY, abi.MAX_VALUE, abi.MAX_VALUES]).toEqual([
      c.HW_MAX_STR,
      c.HW_MAX_HEADERS,
      c.HW_MAX_KEY,
      c.HW_MAX_VALUE,
      c.HW_MAX_VALUES,
    ]);
    expect(abi.stringFields.length).toBe(c.HW_NSTR);
    expect(abi.stringFields.indexOf('requestHost')).toBe(c.HW_STR_REQUEST_HOST);
    expect(abi.stringFields.indexOf('rawQuery')).toBe(c.HW_STR_RAW_QUERY);
  });

  it('has the same event record layout', () => {
    const e = abi.eventLayout;
    expect({
      size: e.size,
      ktimeNs: e.ktimeNs,
      goid: e.goid,
      requestPtr: e.requestPtr,
      tgid: e.tgid,
      tid: e.tid,
      nsTgid: e.nsTgid,
      flags: e.flags,
      truncated: e.truncated,
      nheadersTotal: e.nheadersTotal,
      nheaders: e.nheaders,
      kind: e.kind,
      strLen: e.strLen,
      via: e.via,
      binaryId: e.binaryId,
      g: e.g,
    }).toEqual({
      size: c['sizeof.hw_event'],
      ktimeNs: c['hw_event.ktime_ns'],
      goid: c['hw_event.goid'],
      requestPtr: c['hw_event.request_ptr'],
      tgid: c['hw_event.tgid'],
      tid: c['hw_event.tid'],
      nsTgid: c['hw_event.ns_tgid'],
      flags: c['hw_event.flags'],
      truncated: c['hw_event.truncated'],
      nheadersTotal: c['hw_event.nheaders_total'],
      nheaders: c['hw_event.nheaders'],
      kind: c['hw_event.kind'],
      strLen: c['hw_event.str_len'],
      via: c['hw_event.via'],
      binaryId: c['hw_event.binary_id'],
      g: c['hw_event.g'],
    });
    expect(abi.headerEntryLayout).toEqual({
      size: c['sizeof.hw_header_entry'],
      keyLen: c['hw_header_entry.key_len'],
      valueLen: c['hw_header_entry.value_len'],
      nvalues: c['hw_header_entry.nvalues'],
      flags: c['hw_header_entry.flags'],
    });
  });

  it('has the same flag, kind, ABI, map and counter values', () => {
    expect(abi.EventFlag).toEqual({
      userinfo: c.HW_F_USERINFO,
      forceQuery: c.HW_F_FORCE_QUERY,
      headersTruncated: c.HW_F_HEADERS_TRUNCATED,
      headersIncomplete: c.HW_F_HEADERS_INCOMPLETE,
      readError: c.HW_F_READ_ERROR,
      noUrl: c.HW_F_NO_URL,
    });
    expect(abi.HeaderFlag).toEqual({
      keyTruncated: c.HW_HF_KEY_TRUNCATED,
      valueTruncated: c.HW_HF_VALUE_TRUNCATED,
      keyInImage: c.HW_HF_KEY_IN_IMAGE,
      valueInImage: c.HW_HF_VALUE_IN_IMAGE,
    });
    expect(abi.IMAGE_OFFSET_BYTES).toBe(c['sizeof.ro_lo']);
    expect(abi.EventKind.request).toBe(c.HW_KIND_REQUEST);
    expect(abi.Via).toEqual({ client: c.HW_VIA_CLIENT, transport: c.HW_VIA_TRANSPORT });
    expect(abi.Abi.stack).toBe(c.HW_ABI_STACK);
    expect(abi.MapKindCode.swiss).toBe(c.HW_MAP_SWISS);
    expect(abi.counterIndex).toEqual({
      events: c.HW_CNT_EVENTS,
      ringDrops: c.HW_CNT_RING_DROPS,
      readErrors: c.HW_CNT_READ_ERRORS,
      hits: c.HW_CNT_HITS,
      holdsSkipped: c.HW_CNT_HOLDS_SKIPPED,
      scratchDrops: c.HW_CNT_SCRATCH_DROPS,
    });
    expect(Object.keys(abi.counterIndex).length).toBe(c.HW_NCOUNTERS);
  });

  it('has the same client-call end record layout', () => {
    expect(abi.CallEndKind).toBe(c.HW_KIND_CALL_END);
    expect(abi.callEndLayout).toEqual({
      size: c['sizeof.hw_call_end'],
      ktimeNs: c['hw_call_end.ktime_ns'],
      goid: c['hw_call_end.goid'],
      g: c['hw_call_end.g'],
      tgid: c['hw_call_end.tgid'],
      tid: c['hw_call_end.tid'],
      nsTgid: c['hw_call_end.ns_tgid'],
      kind: c['hw_call_end.kind'],
    });
  });

  it('has the same probe configuration layout', () => {
    expect(abi.probeConfigSize).toBe(c['sizeof.hw_probe_config']);
    for (const [name, offset, size] of abi.probeConfigFields) {
      expect([name, offset, size]).toEqual([name, ...(c[`probe_config.${name}`] as unknown as number[])]);
    }
  });
});
