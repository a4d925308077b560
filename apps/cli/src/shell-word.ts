/**
 * Text as one word for bash, zsh and ksh, whatever it holds. Plain words stay as they are; other
 * printable text goes in single quotes, where the shell expands nothing (a `'` is written `'\''`).
 * Text with a control character (C0, DEL, C1, line separators, bidi controls; see terminal-text.ts)
 * becomes `$'…'` with each such character written as its UTF-8 bytes, `\xHH`: the line shows no byte
 * a terminal would obey, and the shell rebuilds the exact text whatever its locale (`\u` would depend
 * on it). `!` is escaped there too, so pasting into an interactive bash triggers no history expansion.
 */
// No leading '=': zsh expands `=cmd` to a path.
const plainWord = /^[A-Za-z0-9_./:@%+,-][A-Za-z0-9_./:=@%+,-]*$/;
const controls = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
// Printable ASCII but backslash, quote and "!" stays; everything else becomes bytes.
const needsEscape = /[^\u0020\u0022-\u0026\u0028-\u005b\u005d-\u007e]/g;

const hexBytes = (char: string): string =>
  [...Buffer.from(char, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');

export function shellWord(text: string): string {
  if (plainWord.test(text)) return text;
  if (!controls.test(text)) return `'${text.replace(/'/g, "'\\''")}'`;
  return `$'${text.replace(needsEscape, (c) => (c === '\\' ? '\\\\' : c === "'" ? "\\'" : hexBytes(c)))}'`;
}
