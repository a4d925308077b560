import type { AttachedProcess, HttpRequestEvent, SnooperStats } from 'httpwatcher';

export function fakeProcess(pid: number, exe = '/srv/bin/orders', mainModule = 'example.test/orders'): AttachedProcess {
  return {
    pid,
    nsPid: pid,
    exe,
    goVersion: 'go1.24.0',
    mainModule,
    layoutEntry: 'go1.24 amd64 swiss',
    layoutSource: 'table',
    probeAddress: 0x401000,
    probeFileOffset: 0x1000,
    warnings: [],
    via: 'all',
  };
}

export function fakeRequest(
  fields: Partial<HttpRequestEvent> & Pick<HttpRequestEvent, 'pid' | 'url'>,
): HttpRequestEvent {
  return {
    kind: 'request',
    nsPid: fields.pid,
    tid: fields.pid,
    goid: 1,
    method: 'GET',
    host: undefined,
    headers: {},
    headerCount: 0,
    userinfo: false,
    truncated: { fields: [], headers: false, headerKeys: [], headerValues: [] },
    incomplete: false,
    monotonicNs: 1_000_000n,
    time: new Date('2026-01-02T03:04:05.678Z'),
    ...fields,
  };
}

export function fakeStats(fields: Partial<SnooperStats> = {}): SnooperStats {
  return {
    events: 0,
    kernelDrops: 0,
    scratchDrops: 0,
    queueDrops: 0,
    readErrors: 0,
    decodeErrors: 0,
    hits: 0,
    processes: 0,
    links: 0,
    responsesNotAwaited: 0,
    holdsSkipped: 0,
    holdsExpired: 0,
    binaries: 0,
    binariesRefused: 0,
    untraceableEvicted: 0,
    transportCallsReleased: 0,
    transportEndsUnmatched: 0,
    responsesUnmatched: 0,
    spillPeakBytes: 0,
    exitsSwept: 0,
    ...fields,
  };
}
