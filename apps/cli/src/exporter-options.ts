import { UsageError } from './usage-error.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * --metrics: `host:port`, `[v6]:port` or `:port` (every interface). A bare port is refused:
 * whether the metrics reach the network must be said, not guessed.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535)
    throw new UsageError(
      'BAD_METRICS_ADDRESS',
      `--metrics expects host:port (127.0.0.1:9464, [::1]:9464, or :9464 for every interface), got "${text}"`,
    );
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** --otlp: the collector's OTLP/HTTP base URL; /v1/traces and /v1/metrics are appended. */
export function parseOtlpEndpoint(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw new UsageError(
      'BAD_OTLP_ENDPOINT',
      `--otlp expects the collector's OTLP/HTTP URL without credentials (http://collector:4318), got "${text}"`,
    );
  return url.href.replace(/\/+$/, '');
}

/** The variables by which the OpenTelemetry specification names a collector: any of them turns OTLP export on. */
const otlpEndpointVariables = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
];

/** --otlp's URL, else `environment` when an OTEL_EXPORTER_OTLP_*ENDPOINT variable is set, else nothing. */
export function otlpTarget(otlp: string | undefined, env: NodeJS.ProcessEnv): string | 'environment' | undefined {
  if (otlp !== undefined) return otlp;
  return otlpEndpointVariables.some((key) => (env[key] ?? '').trim() !== '') ? 'environment' : undefined;
}

/** Path patterns bound the `path` label: each is one value, so their number is bounded too. */
export const maxPathPatterns = 100;

/** --metrics-path: absolute paths, `*` matching any run of characters (/v1/users/*). */
export function parsePathPatterns(patterns: string[]): string[] {
  if (patterns.length > maxPathPatterns)
    throw new UsageError(
      'BAD_METRICS_PATH',
      `--metrics-path: at most ${maxPathPatterns} patterns, got ${patterns.length}`,
    );
  for (const p of patterns)
    if (!/^\/[\x21-\x7e]*$/.test(p))
      throw new UsageError(
        'BAD_METRICS_PATH',
        `--metrics-path expects a path starting with "/" without spaces or controls (/v1/users/*), got "${p}"`,
      );
  return patterns;
}
