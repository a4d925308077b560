const escapeUnicode = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text with DEL and the C1 controls (U+007F–U+009F) escaped as well: JSON.stringify leaves them
 * raw, and a terminal showing the NDJSON would obey them (U+009B is CSI). They can only occur inside
 * string literals, so replacing them keeps the text valid JSON of the same value.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, escapeUnicode);
}

/**
 * A string as JSON.stringify writes it, DEL and C1 escaped too. Node 20's JSON.stringify costs about
 * 1.8 µs for a request's 8 headers; most strings need no escape, and those are quoted here in a
 * fraction of that.
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Controls, quote, backslash, DEL and C1, and surrogates (a lone one is written as \uXXXX).
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff))
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
