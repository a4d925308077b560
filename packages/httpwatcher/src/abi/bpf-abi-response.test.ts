import { describe, expect, it } from 'vitest';
import { dumpHeader } from '../test-support/header-dump.js';
import * as abi from './bpf-abi.js';

/** The response part of bpf/httpwatcher.h, dumped by the host compiler. */
function cResponseLayout(): Record<string, number> {
  const fields = [
    'ktime_ns',
    'goid',
    'request_ptr',
    'tgid',
    'tid',
    'ns_tgid',
    'flags',
    'status',
    'via',
    'kind',
    'start_ktime_ns',
  ];
  const constants = ['HW_KIND_RESPONSE', 'HW_RF_ERROR', 'HW_RF_NO_RESPONSE', 'HW_RF_READ_ERROR'];
  return dumpHeader([
    ...fields.map((f) => `printf("\\"${f}\\": %zu,\\n", offsetof(struct hw_response, ${f}));`),
    `printf("\\"size\\": %zu,\\n", sizeof(struct hw_response));`,
    ...constants.map((c) => `printf("\\"${c}\\": %d,\\n", (int)${c});`),
  ]);
}

describe('bpf-abi mirrors the response part of bpf/httpwatcher.h', () => {
  const c = cResponseLayout();

  it('has the same response record layout, with kind, tgid and ns_tgid where the request record has them', () => {
    const r = abi.responseLayout;
    expect(r).toEqual({
      size: c.size,
      ktimeNs: c.ktime_ns,
      goid: c.goid,
      requestPtr: c.request_ptr,
      tgid: c.tgid,
      tid: c.tid,
      nsTgid: c.ns_tgid,
      flags: c.flags,
      status: c.status,
      via: c.via,
      kind: c.kind,
      startKtimeNs: c.start_ktime_ns,
    });
    expect([r.kind, r.tgid, r.nsTgid]).toEqual([abi.eventLayout.kind, abi.eventLayout.tgid, abi.eventLayout.nsTgid]);
  });

  it('has the same kind and flag values, and a kind no other record uses', () => {
    expect(abi.ResponseKind).toBe(c.HW_KIND_RESPONSE);
    expect(abi.ResponseFlag).toEqual({
      error: c.HW_RF_ERROR,
      noResponse: c.HW_RF_NO_RESPONSE,
      readError: c.HW_RF_READ_ERROR,
    });
    expect([abi.EventKind.request, ...Object.values(abi.LifecycleKind)]).not.toContain(abi.ResponseKind);
  });
});
