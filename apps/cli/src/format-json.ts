import type { HttpRequestEvent, HttpRequestShape } from 'httpwatcher';
import { isoTimeOfMs } from './iso-time.js';
import { jsonRecord, jsonString, jsonStrings } from './json-text.js';
import type { ShownRequest } from './shown-request.js';

const nothingCut = '{"fields":[],"headers":false,"headerKeys":[],"headerValues":[]}';

function truncatedJson(t: HttpRequestShape['truncated']): string {
  if (t.fields.length === 0 && !t.headers && t.headerKeys.length === 0 && t.headerValues.length === 0)
    return nothingCut;
  return `{"fields":${jsonStrings(t.fields)},"headers":${t.headers},"headerKeys":${jsonStrings(t.headerKeys)},"headerValues":${jsonStrings(t.headerValues)}}`;
}

/** The fields of one call, in their order: `{"time":…,"goid":…,`, all ASCII. */
export function jsonCall(timeMs: number, pid: number, nsPid: number, tid: number, goid: number | undefined): string {
  return `{"time":"${isoTimeOfMs(timeMs)}","pid":${pid},"nsPid":${nsPid},"tid":${tid},"goid":${goid ?? 'null'},`;
}

/** The fields of the request itself, from `"method"` to `"incomplete"`: the same for every call of the same request. */
export function jsonRequest(request: HttpRequestShape, { url, headers }: ShownRequest): string {
  return (
    `"method":${jsonString(request.method)},"url":${jsonString(url)},"host":${request.host === undefined ? 'null' : jsonString(request.host)},` +
    `"headers":${jsonRecord(headers)},"headerCount":${request.headerCount},"userinfo":${request.userinfo},` +
    `"truncated":${truncatedJson(request.truncated)},"incomplete":${request.incomplete}`
  );
}

/**
 * One NDJSON object per request; field names and their order are a stable, documented schema
 * (README). Written by hand: the text JSON.stringify writes (with DEL and C1 escaped too, see
 * json-text.ts), in less than half the time.
 */
export function formatJson(ev: HttpRequestEvent, shown: ShownRequest): string {
  const { originalUrl } = shown;
  return (
    jsonCall(ev.time.getTime(), ev.pid, ev.nsPid, ev.tid, ev.goid) +
    jsonRequest(ev, shown) +
    // With --response: present once the call returned (status null when do() returned an error).
    (ev.durationNs === undefined
      ? ''
      : `,"status":${ev.status ?? 'null'},"error":${ev.error === true},"durationNs":${ev.durationNs}`) +
    // With --transport: which probe saw the request, its redirect hop, the URL the Client.Do call was given.
    (ev.via === undefined
      ? ''
      : `,"via":"${ev.via}","hop":${ev.hop ?? 0},"originalUrl":${originalUrl === undefined ? 'null' : jsonString(originalUrl)}`) +
    '}\n'
  );
}
