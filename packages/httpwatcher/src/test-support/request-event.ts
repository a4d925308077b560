import type { HttpRequestEvent } from '../http-event.js';

/** A decoded request event of process `pid` at `monotonicNs`: nothing cut, no headers unless given. */
export function requestEvent(
  pid: number,
  monotonicNs: bigint,
  url: string,
  headers: Record<string, string> = {},
): HttpRequestEvent {
  return {
    kind: 'request',
    pid,
    nsPid: pid,
    tid: pid,
    goid: 1,
    method: 'GET',
    url,
    host: undefined,
    headers,
    headerCount: Object.keys(headers).length,
    userinfo: false,
    truncated: { fields: [], headers: false, headerKeys: [], headerValues: [] },
    incomplete: false,
    monotonicNs,
    time: new Date(0),
  };
}
