import type { HttpRequestEvent } from 'httpwatcher';

/** Where a request went, as the HTTP semantic conventions name it. */
export interface RequestTarget {
  /** `server.address`: the host name or IP literal (IPv6 without brackets), lower case. */
  address: string;
  /** `server.port`: explicit, or the scheme's default (80, 443). */
  port: number | undefined;
  /** The metrics' `host` label: the address, with `:port` only when the port is not the scheme's default. */
  host: string;
}

const defaultPorts: Record<string, number> = { http: 80, https: 443 };

/** Splits `host[:port]` or `[v6]:port`; undefined when it is not that shape. */
function splitHostPort(text: string): { address: string; port: number | undefined } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.%\w-]+)\]|([^\s:[\]/@]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && port > 65535) return undefined;
  return { address: (m[1] ?? m[2]!).toLowerCase(), port };
}

/**
 * The server a request addressed: http.Request.Host when it overrides the URL's host (as Go sends
 * it in the Host header), else the URL's. A URL that does not parse (a hostile program can send
 * anything) gives address `unknown`.
 */
export function requestTarget(ev: Pick<HttpRequestEvent, 'url' | 'host'>): RequestTarget {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(ev.url)?.[1]?.toLowerCase() ?? '';
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(ev.url)?.[1] ?? '';
  const parsed = splitHostPort(ev.host || authority.replace(/^.*@/, ''));
  if (!parsed) return { address: 'unknown', port: undefined, host: 'unknown' };
  const fallback = defaultPorts[scheme];
  const port = parsed.port ?? fallback;
  const shown = parsed.address.includes(':') ? `[${parsed.address}]` : parsed.address;
  const host = parsed.port === undefined || parsed.port === fallback ? shown : `${shown}:${parsed.port}`;
  return { address: parsed.address, port, host };
}

/** The methods HTTP defines (RFC 9110, RFC 5789); any other becomes `_OTHER`, as the HTTP conventions say. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export const methodLabel = (method: string): string => (knownMethods.has(method) ? method : '_OTHER');

/**
 * The metrics' `status` label under --response: the status code (100..599), `error` when the call
 * returned an error without a response, `unknown` when it never returned (its process exited
 * mid-call) or the code is out of range. At most 502 values.
 */
export function statusLabel(ev: Pick<HttpRequestEvent, 'status' | 'error'>): string {
  if (ev.status !== undefined && ev.status >= 100 && ev.status <= 599) return String(ev.status);
  return ev.error ? 'error' : 'unknown';
}
