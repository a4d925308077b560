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
const controls = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const controlsOrBackslash = /[\u0000-\u001f\\\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
// Most text is printable ASCII: one negated range finds the rest quickly (for the full test below).
const notPlainAscii = /[^\u0020-\u005b\u005d-\u007e]/;
const allControls = new RegExp(controls.source, 'g');
const allControlsOrBackslash = new RegExp(controlsOrBackslash.source, 'g');

function escapeOne(char: string): string {
  const c = char.charCodeAt(0);
  const name = named[c];
  if (name !== undefined) return name;
  const hex = c.toString(16);
  return c < 0x100 ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * A diagnostic line for stderr: controls escaped. Backslashes stay as they are: messages from the
 * libraries below already quote data with JSON-style escapes.
 */
export function escapeControls(text: string): string {
  return controls.test(text) ? text.replace(allControls, escapeOne) : text;
}

/**
 * A field of data for text output (a request's method, URL, Host, header key or value; what
 * `inspect` read from a binary): controls escaped, and backslashes doubled, so that the text names
 * the original exactly (`\x1b` is ESC, `\\x1b` the four characters).
 */
export function escapeField(text: string): string {
  return notPlainAscii.test(text) && controlsOrBackslash.test(text)
    ? text.replace(allControlsOrBackslash, escapeOne)
    : text;
}

/** Writes one diagnostic line to stderr, after `httpwatcher: `, with controls escaped. */
export function say(line: string): void {
  process.stderr.write(`httpwatcher: ${escapeControls(line)}\n`);
}
