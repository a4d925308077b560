import { hostname } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import type { SpanQueueOptions } from './span-queue.js';

/**
 * Where OTLP goes: --otlp's base URL with the signal's path, as OTEL_EXPORTER_OTLP_ENDPOINT is
 * read; undefined leaves the exporter to read OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT and
 * OTEL_EXPORTER_OTLP_ENDPOINT itself. Headers, timeout and compression always come from the
 * OTEL_EXPORTER_OTLP_* variables, which the exporter reads.
 */
export const signalUrl = (endpoint: string | undefined, signal: 'traces' | 'metrics'): string | undefined =>
  endpoint === undefined ? undefined : `${endpoint}/v1/${signal}`;

/** OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER "none" turns that signal off; OTEL_SDK_DISABLED=true turns both off. */
export function signalEnabled(signal: 'traces' | 'metrics'): boolean {
  if (getStringFromEnv('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return false;
  return getStringFromEnv(signal === 'traces' ? 'OTEL_TRACES_EXPORTER' : 'OTEL_METRICS_EXPORTER') !== 'none';
}

/** The span queue's bounds: the batch span processor's OTEL_BSP_* variables, with their specified defaults. */
export function spanQueueOptions(): SpanQueueOptions {
  const positive = (key: string, fallback: number): number => {
    const n = getNumberFromEnv(key);
    return n !== undefined && n > 0 ? n : fallback;
  };
  const maxQueue = positive('OTEL_BSP_MAX_QUEUE_SIZE', 2048);
  return {
    maxQueue,
    maxBatch: Math.min(positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512), maxQueue),
    delayMs: positive('OTEL_BSP_SCHEDULE_DELAY', 5000),
    maxBackoffMs: 60_000,
  };
}

/** OTEL_METRIC_EXPORT_INTERVAL (default 60 s) and OTEL_METRIC_EXPORT_TIMEOUT (default 30 s). */
export function metricExportTiming(): { intervalMs: number; timeoutMs: number } {
  const intervalMs = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  const timeoutMs = getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000;
  return {
    intervalMs: Math.max(intervalMs, 100),
    timeoutMs: Math.min(Math.max(timeoutMs, 100), Math.max(intervalMs, 100)),
  };
}

/**
 * Attributes every resource of this agent carries: host.name, then the agent's own
 * OTEL_RESOURCE_ATTRIBUTES (a DaemonSet sets the node name there). Its OTEL_SERVICE_NAME names
 * the agent's metrics only: each traced program's spans carry that program's service.
 */
export function agentAttributes(): Attributes {
  const attributes: Attributes = { 'host.name': hostname() };
  for (const pair of (getStringFromEnv('OTEL_RESOURCE_ATTRIBUTES') ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      attributes[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A malformed escape: that pair is ignored, as the specification says.
    }
  }
  return attributes;
}
