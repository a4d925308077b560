import { describe, expect, it } from 'vitest';
import { requestEvent } from './test-support/request-event.js';
import { formatText } from './format-text.js';

const event = requestEvent;

const plain = { timestamps: false, color: false };

describe('formatText', () => {
  it('writes PID METHOD URL, then the headers sorted, one per line', () => {
    const ev = event({ headers: { 'X-B': '2', Accept: 'text/plain' }, headerCount: 2, host: 'virtual.test' });
    expect(formatText(ev, ev, plain)).toBe(
      '4242 GET http://h.test/a (Host: virtual.test)\n  Accept: text/plain\n  X-B: 2\n',
    );
  });

  it('with --transport marks a request sent without http.Client, and redirect hops after the first', () => {
    const line = (over: Parameters<typeof event>[0]) => formatText(event(over), event(over), plain).split('\n')[0];
    expect(line({ via: 'transport', hop: 0 })).toBe('4242 GET http://h.test/a [transport]');
    expect(line({ via: 'client', hop: 2, originalUrl: 'http://h.test/start' })).toBe(
      '4242 GET http://h.test/a [hop 2]',
    );
    expect(line({ via: 'client', hop: 0, originalUrl: 'http://h.test/a' })).toBe('4242 GET http://h.test/a');
  });

  it('keeps a request to one line plus one per header whatever its fields carry', () => {
    const forged = 'a\n4242 GET http://fake.example/\n  Authorization: Bearer x';
    const ev = event({
      method: 'GET\r\n4242 POST',
      url: 'http://h.test/?t=\u001b]0;owned\u0007',
      host: 'evil\u001b]0;t\u0007\u009b',
      headers: { 'X-Note': forged, 'X-Line\n4242 GET /': 'v\u007f', 'X-C1': '\u009b31m' },
      headerCount: 3,
    });
    for (const options of [plain, { timestamps: true, color: true }]) {
      const text = formatText(ev, ev, options);
      expect(text.split('\n')).toHaveLength(1 + 3 + 1);
      expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
    expect(formatText(ev, ev, plain)).toBe(
      '4242 GET\\r\\n4242 POST http://h.test/?t=\\x1b]0;owned\\x07 (Host: evil\\x1b]0;t\\x07\\x9b)\n' +
        '  X-C1: \\x9b31m\n' +
        '  X-Line\\n4242 GET /: v\\x7f\n' +
        '  X-Note: a\\n4242 GET http://fake.example/\\n  Authorization: Bearer x\n',
    );
  });

  it('colours only its own words: escapes inside a coloured field stay escaped', () => {
    const ev = event({ method: 'G\u001b[0mET' });
    expect(formatText(ev, ev, { timestamps: false, color: true })).toBe(
      '4242 \u001b[1;36mG\\x1b[0mET\u001b[0m http://h.test/a\n',
    );
  });
});
