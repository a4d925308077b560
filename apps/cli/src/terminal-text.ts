/**
 * Text that a traced program chose (URLs, headers, its comm, its file's name and build info) goes
 * to root's terminal and to logs. A terminal obeys C0 controls (newline, ESC sequences: window
 * title, OSC 52 clipboard, cursor moves), DEL and C1 controls (U+009B is CSI on many terminals);
 * bidi overrides reorder what is shown. Each is written as a visible escape instead: `\n`, `\r`,
 * `\t`, `\xHH` below U+0100, `\uHHHH` above, so a request is always one line, and the escape says
 * exactly which character was there.
 */
const named: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x5c: '\\\\' };

/** C0, DEL, C1, and the Unicode line separators and bidi controls. */
function isControl(c: number): boolean {
  if (c < 0x20) return true;
  if (c < 0x7f) return false;
  if (c <= 0x9f) return true;
  if (c < 0x61c) return false;
  return c === 0x61c || c === 0x200e || c === 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

function escapeOne(c: number): string {
  const name = named[c];
  if (name !== undefined) return name;
  const hex = c.toString(16);
  return c < 0x100 ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
}

function escapeFrom(text: string, first: number, backslash: boolean): string {
  let out = text.slice(0, first);
  let run = first;
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c) || (backslash && c === 0x5c)) {
      out += text.slice(run, i) + escapeOne(c);
      run = i + 1;
    }
  }
  return out + text.slice(run);
}

/**
 * A diagnostic line for stderr: controls escaped. Backslashes stay as they are: messages from the
 * libraries below already quote data with JSON-style escapes.
 */
export function escapeControls(text: string): string {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return escapeFrom(text, i, false);
  return text;
}

/**
 * A field of data for text output (a request's method, URL, Host, header key or value; what
 * `inspect` read from a binary): controls escaped, and backslashes doubled, so that the text names
 * the original exactly (`\x1b` is ESC, `\\x1b` the four characters).
 */
export function escapeField(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c || isControl(c)) return escapeFrom(text, i, true);
  }
  return text;
}

/** Writes one diagnostic line to stderr, after `httpwatcher: `, with controls escaped. */
export function say(line: string): void {
  process.stderr.write(`httpwatcher: ${escapeControls(line)}\n`);
}
