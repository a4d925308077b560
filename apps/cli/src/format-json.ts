import type { HttpRequestEvent } from 'httpwatcher';

/** One NDJSON object per request; field names are a stable, documented schema (README). */
export function formatJson(ev: HttpRequestEvent, headers: Record<string, string>): string {
  return (
    JSON.stringify({
      time: ev.time.toISOString(),
      pid: ev.pid,
      nsPid: ev.nsPid,
      tid: ev.tid,
      goid: ev.goid ?? null,
      method: ev.method,
      url: ev.url,
      host: ev.host ?? null,
      headers,
      headerCount: ev.headerCount,
      userinfo: ev.userinfo,
      truncated: ev.truncated,
      incomplete: ev.incomplete,
    }) + '\n'
  );
}
