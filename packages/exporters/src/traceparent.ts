import { createTraceState, type SpanContext, TraceFlags } from '@opentelemetry/api';

/** A header's value by name, whatever its case (Go canonicalises "traceparent" to "Traceparent"). */
function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The remote parent a request's W3C `traceparent` header names, or undefined when there is none or
 * it is not valid (W3C Trace Context, level 1: version ff, all-zero ids, version 00 with extra
 * fields, or two headers joined by ", " are invalid). `tracestate` comes along when present.
 */
export function remoteParent(headers: Record<string, string>): SpanContext | undefined {
  const value = header(headers, 'traceparent')?.trim();
  const m = value === undefined ? null : traceparentPattern.exec(value);
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  const state = header(headers, 'tracestate');
  return {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: Number.parseInt(flags!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(state !== undefined && { traceState: createTraceState(state) }),
  };
}
