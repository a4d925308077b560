import { domainToASCII } from 'node:url';
import type { HttpRequestEvent } from 'httpwatcher';
import { isoTime } from './iso-time.js';
import { shellWord } from './shell-word.js';
import type { ShownRequest } from './shown-request.js';

export interface CurlOptions {
  timestamps: boolean;
}

/** RFC 9110 token: what Go's transport accepts as a method or header name. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Controls Go's transport refuses in a header value (HTAB is allowed), URL or Host. */
const valueControl = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const anyControl = /[\u0000-\u001f\u007f]/;
/** Header map keys Go's transport never writes (net/http reqWriteExcludeHeader): it sends its own. */
const notWritten = new Set(['Host', 'Content-Length', 'Transfer-Encoding', 'Trailer']);
/** Bytes a Host header may hold (golang.org/x/net/http/httpguts validHostByte). */
const validHost = /^[0-9A-Za-z!$%&()*+,\-.:;=[\]'_~]*$/;

/**
 * The Host header Go writes for a Host override (net/http request.go, write): a non-ASCII name in
 * punycode, and since Go 1.21 an empty Host for a value that a Host header cannot hold.
 */
export function sentHost(host: string): string {
  let ascii = host;
  if (/[^\u0000-\u007f]/.test(host)) {
    const [, name = host, port = ''] = /^(.*?)(:\d*)?$/.exec(host) ?? [];
    ascii = (domainToASCII(name) || name) + port;
  }
  return validHost.test(ascii) ? ascii : '';
}

const schemeUrl = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const dotSegment = /\/\.\.?(?:[/?#]|$)/;

/** Why Go's transport refused to send this request (so the command is written commented out), if it did. */
function unsendable(ev: HttpRequestEvent, headers: Readonly<Record<string, string>>): string | undefined {
  if (!token.test(ev.method)) return 'the method is not an HTTP token';
  if (anyControl.test(ev.url)) return 'the URL holds control characters';
  for (const key of Object.keys(headers)) {
    if (!token.test(key)) return 'a header name is not an HTTP token';
    if (valueControl.test(headers[key]!)) return 'a header value holds control characters';
  }
  return undefined;
}

/** `curl -H` sends `Name;` as an empty header (`Name:` would remove one). */
const headerArgument = (key: string, value: string): string => (value === '' ? `${key};` : `${key}: ${value}`);

function methodArguments(method: string): string[] {
  if (method === 'GET') return [];
  // curl -X HEAD waits for a body that never comes; --head sends HEAD and expects none.
  if (method === 'HEAD') return ['--head'];
  return ['-X', shellWord(method)];
}

function notes(ev: HttpRequestEvent, options: CurlOptions, shownHeaders: number, leftOut: number): string[] {
  const out = [`pid ${ev.pid}`];
  if (options.timestamps) out.unshift(isoTime(ev.time));
  if (ev.durationNs !== undefined) {
    const ms = `${(ev.durationNs / 1e6).toFixed(1)}ms`;
    out.push(ev.status !== undefined ? `${ev.status} ${ms}` : `${ev.error ? 'ERR' : 'NO-RESPONSE'} ${ms}`);
  }
  if (leftOut > 0) out.push(`${leftOut} headers Go does not send left out`);
  if (ev.userinfo) out.push('the URL had user info (not read)');
  if (ev.truncated.headers) out.push(`${ev.headerCount - shownHeaders} more headers not captured`);
  const cut = ev.truncated.fields.length + ev.truncated.headerKeys.length + ev.truncated.headerValues.length;
  if (cut > 0) out.push(`${cut} fields cut short`);
  if (ev.incomplete) out.push('incomplete read');
  return out;
}

/**
 * A request as one `curl` command line for bash or zsh: method, URL, Host override and headers,
 * each argument quoted by shellWord (no shell syntax or control byte a program sends survives),
 * then a `# pid …` comment with what the command cannot carry. The body is never captured. A
 * request that Go's transport refused to send (control bytes, a method or header name that is not a
 * token) is written commented out, with the reason, so that pasting it sends nothing.
 */
export function formatCurl(ev: HttpRequestEvent, { url, headers }: ShownRequest, options: CurlOptions): string {
  const args = ['curl', ...methodArguments(ev.method)];
  // Brackets and braces are curl URL globs; --path-as-is keeps the /./ and /../ that curl would resolve.
  if (/[[\]{}]/.test(url)) args.push('-g');
  if (dotSegment.test(url)) args.push('--path-as-is');
  // A URL not starting with a scheme could read as an option (-K file): --url says it is one.
  args.push(...(schemeUrl.test(url) ? [] : ['--url']), shellWord(url));
  const host = ev.host === undefined ? undefined : sentHost(ev.host);
  // `Host;` sends an empty Host header (`Host:` would send curl's own).
  if (host !== undefined) args.push('-H', shellWord(host === '' ? 'Host;' : `Host: ${host}`));
  const all = Object.keys(headers);
  const keys = all.filter((k) => !notWritten.has(k)).sort();
  for (const key of keys) args.push('-H', shellWord(headerArgument(key, headers[key]!)));
  const refused = unsendable(ev, headers);
  const comment = notes(ev, options, all.length, all.length - keys.length);
  if (host !== undefined && host !== ev.host)
    comment.push(
      host === '' ? 'Go sends the invalid Host override as an empty Host' : 'Host override in punycode, as Go sends it',
    );
  if (refused !== undefined) return `# not sent by Go (${refused}): ${args.join(' ')} # ${comment.join(', ')}\n`;
  return `${args.join(' ')} # ${comment.join(', ')}\n`;
}
