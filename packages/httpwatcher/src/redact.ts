/** Header names whose values are credentials. Matched case-insensitively. */
export const secretHeaders = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
  'x-goog-api-key',
  'private-token',
]);

const authSchemes = /^(Bearer|Basic|Digest|Token|Negotiate|NTLM|AWS4-HMAC-SHA256|Bot|Splunk|Key)\s+/i;

/** Masks a secret header value, keeping an authentication scheme word: "Bearer ****". */
export function redactValue(value: string): string {
  const scheme = authSchemes.exec(value)?.[1];
  return scheme ? `${scheme} ****` : '****';
}

/** Answers for the header names and URLs seen lately: the same few come with request after request. */
const secretNameMemo = new Map<string, boolean>();
const redactedUrlMemo = new Map<string, string>();

function remember<K, V>(memo: Map<K, V>, limit: number, key: K, value: V): V {
  if (memo.size >= limit) memo.clear();
  memo.set(key, value);
  return value;
}

export function isSecretHeader(name: string): boolean {
  const known = secretNameMemo.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  return remember(
    secretNameMemo,
    4096,
    name,
    secretHeaders.has(lower) || /(^|-)(token|secret|password|api-?key)$/.test(lower),
  );
}

/** The headers with credential values masked; the same object when none is a credential. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let out: Record<string, string> | undefined;
  for (const k of Object.keys(headers)) {
    if (isSecretHeader(k)) (out ??= { ...headers })[k] = redactValue(headers[k]!);
  }
  return out ?? headers;
}

/** Query parameters whose values are credentials, e.g. `?access_token=…`, `X-Amz-Signature=…`. */
export function isSecretQueryParameter(name: string): boolean {
  return /(^|[-_.])(token|secret|password|passwd|pwd|api[-_]?key|apikey|key|signature|sig|credential|auth)$/i.test(
    name,
  );
}

/** Masks the values of credential query parameters in a URL, leaving every other byte as it was. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  return redactedUrlMemo.get(url) ?? remember(redactedUrlMemo, 512, url, redactQuery(url, q));
}

function redactQuery(url: string, q: number): string {
  const hash = url.indexOf('#', q);
  const end = hash < 0 ? url.length : hash;
  const query = url
    .slice(q + 1, end)
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
      return isSecretQueryParameter(name) ? `${pair.slice(0, eq)}=****` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${query}${url.slice(end)}`;
}
