import type { HttpRequestEvent } from 'httpwatcher';
import { isoTime } from './iso-time.js';
import { jsonRecord, jsonString, jsonStrings } from './json-text.js';
import type { ShownRequest } from './shown-request.js';

const nothingCut = '{"fields":[],"headers":false,"headerKeys":[],"headerValues":[]}';

function truncatedJson(t: HttpRequestEvent['truncated']): string {
  if (t.fields.length === 0 && !t.headers && t.headerKeys.length === 0 && t.headerValues.length === 0)
    return nothingCut;
  return `{"fields":${jsonStrings(t.fields)},"headers":${t.headers},"headerKeys":${jsonStrings(t.headerKeys)},"headerValues":${jsonStrings(t.headerValues)}}`;
}

/**
 * One NDJSON object per request; field names and their order are a stable, documented schema
 * (README). Written by hand: the text JSON.stringify writes (with DEL and C1 escaped too, see
 * json-text.ts), in less than half the time.
 */
export function formatJson(ev: HttpRequestEvent, { url, headers, originalUrl }: ShownRequest): string {
  return (
    `{"time":"${isoTime(ev.time)}","pid":${ev.pid},"nsPid":${ev.nsPid},"tid":${ev.tid},"goid":${ev.goid ?? 'null'},` +
    `"method":${jsonString(ev.method)},"url":${jsonString(url)},"host":${ev.host === undefined ? 'null' : jsonString(ev.host)},` +
    `"headers":${jsonRecord(headers)},"headerCount":${ev.headerCount},"userinfo":${ev.userinfo},` +
    `"truncated":${truncatedJson(ev.truncated)},"incomplete":${ev.incomplete}` +
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
