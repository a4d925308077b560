import { hostname } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentAttributes, metricExportTiming, signalEnabled, signalUrl, spanQueueOptions } from './otlp-settings.js';

afterEach(() => vi.unstubAllEnvs());

describe('OTLP settings from the environment', () => {
  it('appends the signal path to --otlp, and leaves the variables to the exporter without it', () => {
    expect(signalUrl('http://c:4318', 'traces')).toBe('http://c:4318/v1/traces');
    expect(signalUrl(undefined, 'metrics')).toBeUndefined();
  });

  it('turns a signal off with OTEL_*_EXPORTER=none, both with OTEL_SDK_DISABLED=true', () => {
    expect([signalEnabled('traces'), signalEnabled('metrics')]).toEqual([true, true]);
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    expect([signalEnabled('traces'), signalEnabled('metrics')]).toEqual([false, true]);
    vi.stubEnv('OTEL_SDK_DISABLED', 'TRUE');
    expect(signalEnabled('metrics')).toBe(false);
  });

  it('reads the batch span processor variables, with the specified defaults, the batch within the queue', () => {
    expect(spanQueueOptions()).toEqual({ maxQueue: 2048, maxBatch: 512, delayMs: 5000, maxBackoffMs: 60_000 });
    vi.stubEnv('OTEL_BSP_MAX_QUEUE_SIZE', '100');
    vi.stubEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '512');
    vi.stubEnv('OTEL_BSP_SCHEDULE_DELAY', '-5');
    expect(spanQueueOptions()).toEqual({ maxQueue: 100, maxBatch: 100, delayMs: 5000, maxBackoffMs: 60_000 });
  });

  it('reads the metric export interval and keeps the timeout within it', () => {
    expect(metricExportTiming()).toEqual({ intervalMs: 60_000, timeoutMs: 30_000 });
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '1000');
    expect(metricExportTiming()).toEqual({ intervalMs: 1000, timeoutMs: 1000 });
  });

  it("adds the agent's OTEL_RESOURCE_ATTRIBUTES (percent-decoded) over host.name, skipping malformed pairs", () => {
    expect(agentAttributes()).toEqual({ 'host.name': hostname() });
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'host.name=node-7,k8s.node.name=node%2D7,bad,x=%E0%A4%A');
    expect(agentAttributes()).toEqual({ 'host.name': 'node-7', 'k8s.node.name': 'node-7' });
  });
});
