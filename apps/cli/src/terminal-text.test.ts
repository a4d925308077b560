import { describe, expect, it } from 'vitest';
import { escapeControls, escapeField } from './terminal-text.js';

describe('escapeField (request data on stdout)', () => {
  it.each([
    ['plain text stays as it is', 'http://h/v1/users?limit=10', 'http://h/v1/users?limit=10'],
    ['newline and carriage return', 'a\n4242 GET http://fake\r', 'a\\n4242 GET http://fake\\r'],
    ['tab', 'a\tb', 'a\\tb'],
    ['NUL and the other C0 controls', '\u0000\u0007\u001f', '\\x00\\x07\\x1f'],
    ['an OSC 0 window title', '\u001b]0;owned\u0007', '\\x1b]0;owned\\x07'],
    ['an OSC 52 clipboard write', '\u001b]52;c;aGk=\u0007', '\\x1b]52;c;aGk=\\x07'],
    ['CSI cursor moves', '\u001b[2A\u001b[2K', '\\x1b[2A\\x1b[2K'],
    ['DEL', 'a\u007fb', 'a\\x7fb'],
    ['C1 controls: CSI, NEL and the first and last', '\u009b31m \u0085 \u0080\u009f', '\\x9b31m \\x85 \\x80\\x9f'],
    [
      'bidi overrides and isolates',
      'abc\u202edcba\u2066x\u2069\u200e\u200f\u061c',
      'abc\\u202edcba\\u2066x\\u2069\\u200e\\u200f\\u061c',
    ],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['backslashes, doubled so that escapes stay unambiguous', 'C:\\x1b\\n', 'C:\\\\x1b\\\\n'],
    ['printable non-ASCII text', 'é ✓ 😀 \u00a0 \ufffd', 'é ✓ 😀 \u00a0 \ufffd'],
  ])('%s', (_, input, shown) => {
    expect(escapeField(input)).toBe(shown);
  });

  it('never leaves a control character, and names each character exactly', () => {
    const all = Array.from({ length: 0x2100 }, (_, c) => String.fromCharCode(c)).join('');
    const shown = escapeField(all);
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/);
    // Unescaping gives back the input: nothing is lost or ambiguous.
    const named: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
    const unescaped = shown.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt\\])/g, (_, e: string) =>
      e.length === 1 ? named[e]! : String.fromCharCode(parseInt(e.slice(1), 16)),
    );
    expect(unescaped).toBe(all);
  });
});

describe('escapeControls (diagnostics on stderr)', () => {
  it('escapes controls and keeps backslashes: library messages quote data JSON-style already', () => {
    expect(escapeControls('pid 7 (hw\u001b]0;c\u0007\n\u007f\u009b)')).toBe('pid 7 (hw\\x1b]0;c\\x07\\n\\x7f\\x9b)');
    expect(escapeControls('"go1.22.0-\\u001b]0;x"')).toBe('"go1.22.0-\\u001b]0;x"');
  });

  it('gives back the same string when there is nothing to escape', () => {
    const line = 'tracing pid 42 (go1.24.4, offsets go1.24 amd64 swiss)';
    expect(escapeControls(line)).toBe(line);
  });
});
