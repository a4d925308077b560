import type { HttpRequestEvent } from 'httpwatcher';

/** A request event for formatter tests: GET http://h.test/a from pid 4242, no headers, nothing cut. */
export const requestEvent = (over: Partial<HttpRequestEvent> = {}): HttpRequestEvent => ({
  kind: 'request',
  pid: 4242,
  nsPid: 4242,
  tid: 4242,
  goid: 1,
  method: 'GET',
  url: 'http://h.test/a',
  host: undefined,
  headers: {},
  headerCount: 0,
  userinfo: false,
  truncated: { fields: [], headers: false, headerKeys: [], headerValues: [] },
  incomplete: false,
  monotonicNs: 1n,
  time: new Date(Date.UTC(2026, 10, 26, 6, 25, 31, 263)),
  ...over,
});
