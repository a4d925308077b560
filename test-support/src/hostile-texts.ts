/**
 * Texts a traced program may put in a request (docs/untrusted-text.md): C0 controls and ESC
 * sequences, DEL and C1 (U+009B is CSI), bidi overrides and line separators, quotes and
 * backslashes, non-ASCII, a field at its 64-byte cut, and the empty string.
 */
export const hostileTexts: readonly string[] = [
  '',
  'plain',
  'a"quote\\and backslash',
  'tab\tnew\nline\r',
  '\u0000\u001b[31mred\u007f',
  'C1 \u0080\u0085\u009b2J\u009f',
  'é ✓ 😀 \u202e\u2066 \u2028',
  'x'.repeat(64),
];

/**
 * Header names a request may carry: credentials the redaction masks (by name and by ending),
 * `__proto__` (data, never a prototype), names that are array indexes (JavaScript lists those
 * first in an object's keys), and a control byte.
 */
export const hostileHeaderKeys: readonly string[] = [
  'Accept',
  'Authorization',
  'X-Api-Key',
  'Cookie',
  'X-Vault-Token',
  '__proto__',
  '123',
  '0',
  'k\u001bey',
];
