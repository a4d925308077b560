import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellWord } from './shell-word.js';

/** What bash makes of the word: its single argument, as bytes (C locale; stdin not a socket, so no .bashrc). */
const bashArgument = (word: string): Buffer =>
  execFileSync('bash', ['-c', `printf '%s|' ${word}`], {
    env: { LC_ALL: 'C', PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('shellWord', () => {
  it('leaves plain words bare and single-quotes other printable text', () => {
    expect(shellWord('POST')).toBe('POST');
    expect(shellWord('http://127.0.0.1:8080/v1/users')).toBe('http://127.0.0.1:8080/v1/users');
    expect(shellWord('Accept: text/plain')).toBe("'Accept: text/plain'");
    expect(shellWord(`If-Match: "abc"`)).toBe(`'If-Match: "abc"'`);
    expect(shellWord("it's $HOME `id` $(id) ;|&")).toBe("'it'\\''s $HOME `id` $(id) ;|&'");
    expect(shellWord('')).toBe("''");
    expect(shellWord('=ls')).toBe("'=ls'");
  });

  it("writes control characters as \\xHH bytes in $'…', never raw", () => {
    expect(shellWord('a\nb')).toBe("$'a\\x0ab'");
    expect(shellWord("\u001b]0;t\u0007 it's \\x1b!")).toBe("$'\\x1b]0;t\\x07 it\\'s \\\\x1b\\x21'");
    expect(shellWord('\u009b2J é \u202e')).toBe("$'\\xc2\\x9b2J \\xc3\\xa9 \\xe2\\x80\\xae'");
    expect(shellWord('\u009b')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it.each([
    ['plain', 'GET'],
    ['shell syntax', "x'; touch /tmp/pwned; echo '$(id)`id`\"\\"],
    ['a forged line', 'a\n4242 GET http://fake.example/\n  Authorization: Bearer x'],
    ['OSC, CSI, DEL, C1 and bidi', "\u001b]52;c;aGVsbG8=\u0007\u001b[2J\u007f\u009b31m\u202e'!"],
    ['tab and non-ASCII', 'a\tb é ✓'],
  ])('bash reads back %s exactly as one argument', (_name, text) => {
    expect(bashArgument(shellWord(text))).toEqual(Buffer.from(`${text}|`, 'utf8'));
  });
});
