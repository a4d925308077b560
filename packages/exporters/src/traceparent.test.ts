import { describe, expect, it } from 'vitest';
import { remoteParent } from './traceparent.js';

const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('remoteParent', () => {
  it('reads trace id, parent span id and the sampled flag, whatever the header name case', () => {
    expect(remoteParent({ Traceparent: valid })).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(remoteParent({ traceparent: valid.replace(/01$/, '00') })?.traceFlags).toBe(0);
  });

  it('keeps tracestate', () => {
    expect(remoteParent({ Traceparent: valid, Tracestate: 'congo=t61rcWkgMzE' })?.traceState?.get('congo')).toBe(
      't61rcWkgMzE',
    );
  });

  it('accepts a future version with extra fields', () => {
    expect(remoteParent({ Traceparent: `cc${valid.slice(2)}-what-the-future-holds` })?.spanId).toBe('00f067aa0ba902b7');
  });

  it.each([
    ['no header', {}],
    ['upper-case hex', { Traceparent: valid.toUpperCase() }],
    ['version ff', { Traceparent: `ff${valid.slice(2)}` }],
    ['version 00 with extra fields', { Traceparent: `${valid}-x` }],
    ['zero trace id', { Traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }],
    ['zero span id', { Traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01' }],
    ['two headers joined', { Traceparent: `${valid}, ${valid}` }],
    ['garbage', { Traceparent: '\x1b[31mnot-a-traceparent' }],
  ])('ignores %s', (_, headers) => {
    expect(remoteParent(headers as Record<string, string>)).toBeUndefined();
  });
});
