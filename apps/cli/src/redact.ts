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
