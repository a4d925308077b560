const escapeUnicode = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text with DEL, the C1 controls (U+007F–U+009F), the Unicode line separators and the bidi
 * controls escaped as well: JSON.stringify leaves them raw, and a terminal showing the NDJSON would
 * obey them (U+009B is CSI; U+202E reverses what follows on the line). They can only occur inside
 * string literals, so replacing them keeps the text valid JSON of the same value.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, escapeUnicode);
}

/** The characters escapeJsonControls escapes beyond JSON.stringify, above DEL and C1. */
const isBidiOrSeparator = (c: number): boolean =>
  c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);

/**
 * A string as JSON.stringify writes it, DEL, C1, line separators and bidi controls escaped too. Node 20's JSON.stringify costs about
 * 1.8 µs for a request's 8 headers; most strings need no escape, and those are quoted here in a
 * fraction of that.
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Controls, quote, backslash, DEL and C1, surrogates (a lone one is written as \uXXXX), bidi.
    if (
      c < 0x20 ||
      c === 0x22 ||
      c === 0x5c ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xdfff) ||
      (c >= 0x61c && isBidiOrSeparator(c))
    )
      return escapeJsonControls(JSON.stringify(s));
  }
  return `"${s}"`;
}

export function jsonStrings(list: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + jsonString(list[i]!);
  return `${out}]`;
}

/** A string-valued record, keys in own-property order (JSON.stringify's). */
export function jsonRecord(record: Readonly<Record<string, string>>): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(record)) {
    out += `${first ? '' : ','}${jsonString(key)}:${jsonString(record[key]!)}`;
    first = false;
  }
  return `${out}}`;
}
