/** The CLI's default redaction of a credential value: the scheme word survives. */
export const masked = (value: string): string => (/^\w+ /.test(value) ? `${value.split(' ')[0]} ****` : '****');

const secretNames = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token']);

/** The fixtures' headers as the CLI shows them by default (their credential headers are among these names). */
export const redacted = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, secretNames.has(k.toLowerCase()) ? masked(v) : v]));
