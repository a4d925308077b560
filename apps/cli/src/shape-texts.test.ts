import { type HttpRequestEvent, type HttpRequestView, SecretRedactor } from 'httpwatcher';
import { hostileHeaderKeys, hostileTexts } from '@httpwatcher/test-support/hostile-texts';
import { seededRandom } from '@httpwatcher/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { formatJson } from './format-json.js';
import { formatText } from './format-text.js';
import { parseFilter } from './request-filter.js';
import { ShapeTexts } from './shape-texts.js';
import { requestEvent } from './test-support/request-event.js';

/** Hostile texts, as the facade decodes them (U+FFFD where their bytes were not UTF-8). */
const texts = [...hostileTexts, 'bad \ufffd\ufffd utf8', 'lone \ud800 surrogate'];
const headerKeys = hostileHeaderKeys;
const urls = [
  'http://api.test/v1/items?limit=10',
  'https://api.test:8443/a?access_token=abc&x=1#code=2',
  'http://h\u00e9.test/%zz?q=\ufffd',
  'http://h.test/\u0001\u009b?api%5Fkey=s',
  '',
];

/** A view of `ev`, as requestViews() gives it: the call's fields, and the event's request fields as its shape. */
const viewOf = (ev: HttpRequestEvent): HttpRequestView => ({
  pid: ev.pid,
  nsPid: ev.nsPid,
  tid: ev.tid,
  goid: ev.goid,
  timeMs: ev.time.getTime(),
  shape: ev,
  toEvent: () => ev,
});

/** 2 000 events over every kind of text, 16 headers, cut keys and values, secrets and odd key names. */
function variedEvents(): HttpRequestEvent[] {
  const random = seededRandom(1);
  const next = (n: number): number => Math.floor(random() * n);
  return Array.from({ length: 2000 }, (_, i) => {
    const headers: Record<string, string> = {};
    const count = i % 7 === 0 ? 16 : next(6);
    for (let h = 0; h < count; h++) {
      const key = h < headerKeys.length ? headerKeys[next(headerKeys.length)]! : `X-Header-${h}`;
      Object.defineProperty(headers, key, {
        value: texts[next(texts.length)]!,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const keys = Object.keys(headers);
    const cut = next(4) === 0;
    return requestEvent({
      pid: 1 + next(100_000),
      nsPid: 1 + next(100),
      tid: 1 + next(100_000),
      goid: next(5) === 0 ? undefined : next(3) === 0 ? 2 ** 60 : next(1_000_000),
      time: new Date(Date.UTC(2026, 11, 6, 5, 0, 0) + next(5000) * 7),
      method: next(3) === 0 ? texts[next(texts.length)]! : 'GET',
      url: next(4) === 0 ? `${urls[next(urls.length)]}${texts[next(texts.length)]}` : urls[next(urls.length)]!,
      host: next(3) === 0 ? texts[next(texts.length)] : undefined,
      headers,
      headerCount: keys.length + (cut ? 3 : 0),
      userinfo: next(5) === 0,
      truncated: {
        fields: next(6) === 0 ? ['host', 'path'] : [],
        headers: cut,
        headerKeys: keys.length > 0 && next(5) === 0 ? [keys[0]!] : [],
        headerValues: keys.length > 1 && next(5) === 0 ? [keys[1]!] : [],
      },
      incomplete: next(7) === 0,
    });
  });
}

describe('ShapeTexts: a view printed from its call and its shape, byte for byte as formatJson and formatText print its event', () => {
  const events = variedEvents();
  const redactors = [undefined, new SecretRedactor(), new SecretRedactor({ headers: ['X-Header-*'], params: ['q'] })];
  for (const format of ['json', 'text'] as const)
    for (const timestamps of [false, true])
      for (const color of [false, true])
        it(`${format}${timestamps ? ', timestamps' : ''}${color ? ', color' : ''}: 2 000 varied requests, 3 ways of masking secrets`, () => {
          for (const redactor of redactors) {
            const texts = new ShapeTexts({ format, timestamps, color, filters: [], redactor });
            for (const ev of events) {
              const shown = redactor ? redactor.request(ev) : ev;
              const expected = format === 'json' ? formatJson(ev, shown) : formatText(ev, shown, { timestamps, color });
              const view = viewOf(ev);
              const text = texts.of(view.shape);
              expect(text.keep).toBe(true);
              const call = Buffer.alloc(512);
              const callEnd = texts.writeCall(call, 0, view);
              const printed = Buffer.concat([call.subarray(0, callEnd), text.bytes!]);
              // Bytes, as both reach the output (a lone surrogate in text output is written as U+FFFD by both).
              expect(printed.toString('latin1')).toBe(Buffer.from(expected, 'utf8').toString('latin1'));
            }
          }
        });

  it('keeps what the filters keep, and has no text under --quiet', () => {
    const filters = [parseFilter('method=GET'), parseFilter('host!=*.invalid')];
    const quiet = new ShapeTexts({ format: undefined, timestamps: false, color: false, filters, redactor: undefined });
    const kept = events.filter((ev) => quiet.of(ev).keep);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(events.length);
    for (const ev of events) expect(quiet.of(ev).bytes).toBeUndefined();
    expect(kept.every((ev) => ev.method === 'GET')).toBe(true);
  });

  it('formats a shape once: calls of the same request share its bytes', () => {
    const texts = new ShapeTexts({ format: 'json', timestamps: false, color: false, filters: [], redactor: undefined });
    const ev = requestEvent();
    expect(texts.of(ev).bytes).toBe(texts.of(ev).bytes);
  });
});
