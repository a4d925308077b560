import { describe, expect, it } from 'vitest';
import { requestsInLine } from './ground-truth.js';

describe('requestsInLine', () => {
  it('counts one per scripted request or response line', () => {
    expect(requestsInLine('{"kind":"request","method":"GET","url":"http://127.0.0.1:1/healthz"}')).toBe(1);
    expect(requestsInLine('{"kind":"response","method":"GET","status":404}')).toBe(1);
  });

  it('takes "sent" from the bulk and load summaries', () => {
    expect(requestsInLine('{"kind":"bulk","ok":100000,"sent":100000}')).toBe(100_000);
    expect(requestsInLine('{"byStatus":{"200":6667},"failed":0,"kind":"load","received":20000,"sent":20000}')).toBe(
      20_000,
    );
  });

  it('counts nothing for the ready and done lines, or a line that is not JSON', () => {
    expect(requestsInLine('{"kind":"ready","pid":42}')).toBe(0);
    expect(requestsInLine('{"failures":0,"kind":"done"}')).toBe(0);
    expect(requestsInLine('panic: runtime error')).toBe(0);
    expect(requestsInLine('{"kind":"bulk","sent":')).toBe(0);
  });
});
