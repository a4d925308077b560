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

export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return secretHeaders.has(lower) || /(^|-)(token|secret|password|api-?key)$/.test(lower);
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isSecretHeader(k) ? redactValue(v) : v;
  return out;
}

/** Query parameters whose values are credentials, e.g. `?access_token=…`, `X-Amz-Signature=…`. */
export function isSecretQueryParameter(name: string): boolean {
  return /(^|[-_.])(token|secret|password|passwd|pwd|api[-_]?key|apikey|key|signature|sig|credential|auth)$/i.test(name);
}

/** Masks the values of credential query parameters in a URL, leaving every other byte as it was. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
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
