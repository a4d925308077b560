import type { HttpRequestEvent } from './http-event.js';
import { NameMatcher, secretHeaderRules, secretParameterRules } from './redact-names.js';

/** Names to mask besides the built-in ones; `*` matches any run of characters. */
export interface RedactNames {
  /** Header names, e.g. `X-Internal-Auth` or `X-Acme-*`. */
  readonly headers?: readonly string[];
  /** URL query or fragment parameter names, e.g. `sso_ticket`. */
  readonly params?: readonly string[];
}

const authSchemes = /^(Bearer|Basic|Digest|Token|Negotiate|NTLM|AWS4-HMAC-SHA256|Bot|Splunk|Key)\s+/i;

/** Masks a secret header value, keeping an authentication scheme word: "Bearer ****". */
export function redactValue(value: string): string {
  const scheme = authSchemes.exec(value)?.[1];
  return scheme ? `${scheme} ****` : '****';
}

function remember<K, V>(memo: Map<K, V>, limit: number, key: K, value: V): V {
  if (memo.size >= limit) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * Masks credentials in a request's headers and URL. Names match whatever their case and naming style
 * (`access_token`, `accessToken`, `access-token`, `ACCESS_TOKEN`). Answers for the header names and
 * URLs seen lately are remembered: the same few come with request after request.
 */
export class SecretRedactor {
  private readonly headerNames: NameMatcher;
  private readonly parameterNames: NameMatcher;
  private readonly headerMemo = new Map<string, boolean>();
  private readonly urlMemo = new Map<string, string>();

  /** Throws INVALID_ARGUMENT for a name that is empty, or holds spaces or controls. */
  constructor(added: RedactNames = {}) {
    this.headerNames = new NameMatcher(secretHeaderRules, added.headers, 'header name');
    this.parameterNames = new NameMatcher(secretParameterRules, added.params, 'parameter name');
  }

  isSecretHeader(name: string): boolean {
    const known = this.headerMemo.get(name);
    return known ?? remember(this.headerMemo, 4096, name, this.headerNames.matches(name));
  }

  isSecretQueryParameter(name: string): boolean {
    return this.parameterNames.matches(name);
  }

  /**
   * The headers with credential values masked; the same object when none is a credential. A key in
   * `cutKeys` lost its end at 64 bytes, and the end may be what a rule needs (`…-Token`): masked too.
   */
  headers(
    headers: Readonly<Record<string, string>>,
    cutKeys: readonly string[] = [],
  ): Readonly<Record<string, string>> {
    let out: Record<string, string> | undefined;
    for (const k of Object.keys(headers)) {
      if (this.isSecretHeader(k) || cutKeys.includes(k)) {
        out ??= { ...headers };
        out[k] = redactValue(headers[k]!);
      }
    }
    return out ?? headers;
  }

  /**
   * Masks the values of credential parameters in the query and in the fragment (implicit OAuth flows
   * return `#access_token=…`), leaving every other byte as it was.
   */
  url(url: string): string {
    const q = url.indexOf('?');
    const hash = url.indexOf('#');
    if (q < 0 && hash < 0) return url;
    return this.urlMemo.get(url) ?? remember(this.urlMemo, 512, url, this.redactParts(url, q, hash));
  }

  /** What to show of an event: its URL, headers and (option `transport`) original URL, masked. */
  request(event: Pick<HttpRequestEvent, 'url' | 'headers' | 'truncated' | 'originalUrl'>): {
    url: string;
    headers: Readonly<Record<string, string>>;
    originalUrl?: string;
  } {
    const shown = { url: this.url(event.url), headers: this.headers(event.headers, event.truncated.headerKeys) };
    return event.originalUrl === undefined ? shown : { ...shown, originalUrl: this.url(event.originalUrl) };
  }

  private redactParts(url: string, q: number, hash: number): string {
    // A '?' after the '#' belongs to the fragment.
    const queryStart = q >= 0 && (hash < 0 || q < hash) ? q : -1;
    const queryEnd = hash < 0 ? url.length : hash;
    let out = queryStart < 0 ? url.slice(0, queryEnd) : url.slice(0, queryStart + 1);
    if (queryStart >= 0) out += this.redactPairs(url.slice(queryStart + 1, queryEnd));
    if (hash >= 0) out += `#${this.redactPairs(url.slice(hash + 1))}`;
    return out;
  }

  private redactPairs(pairs: string): string {
    return pairs
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        let name = pair.slice(0, eq);
        try {
          name = decodeURIComponent(name.replace(/\+/g, ' '));
        } catch {
          // a truncated or malformed escape: judge the raw name
        }
        return this.isSecretQueryParameter(name) ? `${pair.slice(0, eq)}=****` : pair;
      })
      .join('&');
  }
}

/**
 * `request` with its URL, headers and original URL masked by `redactor`: a copy with the masked
 * fields in place, or the same object when nothing was masked.
 */
export function maskRequest<T extends Pick<HttpRequestEvent, 'url' | 'headers' | 'truncated' | 'originalUrl'>>(
  redactor: SecretRedactor,
  request: T,
): T {
  const { headers, url, originalUrl } = redactor.request(request);
  if (headers === request.headers && url === request.url && originalUrl === request.originalUrl) return request;
  return { ...request, headers, url, ...(originalUrl !== undefined && { originalUrl }) };
}

/** The built-in rules, for callers that add no names of their own. */
const builtIn = new SecretRedactor();

export const isSecretHeader = (name: string): boolean => builtIn.isSecretHeader(name);
export const isSecretQueryParameter = (name: string): boolean => builtIn.isSecretQueryParameter(name);
/** The headers with credential values masked; the same object when none is a credential. */
export const redactHeaders = (headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> =>
  builtIn.headers(headers);
/** Masks the values of credential query and fragment parameters in a URL, leaving every other byte as it was. */
export const redactUrl = (url: string): string => builtIn.url(url);
