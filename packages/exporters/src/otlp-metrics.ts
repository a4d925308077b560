import { type Attributes, type Histogram, ValueType } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { AgentHealth } from './agent-health.js';
import { agentAttributes, metricExportTiming, signalUrl } from './otlp-settings.js';
import { durationBuckets } from './prometheus-metrics.js';
import type { RequestCounts } from './request-counts.js';
import type { RequestLabels } from './request-labels.js';

/** The request labels under the HTTP semantic conventions' attribute names where there is one. */
export function requestAttributes(labels: RequestLabels): Attributes {
  // The host label keeps a port only when it is not the scheme's default: the same for server.port here.
  const hostPort = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(labels.host);
  const attributes: Attributes = {
    'http.request.method': labels.method,
    'server.address': hostPort ? (hostPort[1] ?? hostPort[2]!) : labels.host,
    ...(hostPort?.[3] !== undefined && { 'server.port': Number(hostPort[3]) }),
    ...(labels.path !== undefined && { 'url.template': labels.path }),
    'process.executable.name': labels.program,
    'httpwatcher.go.main_module': labels.module,
  };
  if (labels.status !== undefined) {
    if (/^\d+$/.test(labels.status)) attributes['http.response.status_code'] = Number(labels.status);
    else attributes['error.type'] = labels.status === 'error' ? '_OTHER' : labels.status;
  }
  return attributes;
}

/**
 * The same metrics as /metrics, pushed over OTLP/HTTP protobuf every OTEL_METRIC_EXPORT_INTERVAL,
 * cumulative (what Prometheus and most backends expect), under the agent's resource.
 */
export class OtlpMetrics {
  private readonly provider: MeterProvider;
  private readonly duration: Histogram | undefined;

  constructor(
    endpoint: string | undefined,
    health: AgentHealth,
    counts: RequestCounts,
    response: boolean,
    exporter?: PushMetricExporter,
  ) {
    const url = signalUrl(endpoint, 'metrics');
    const timing = metricExportTiming();
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': getStringFromEnv('OTEL_SERVICE_NAME') ?? 'httpwatcher',
        ...agentAttributes(),
      }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: exporter ?? new OTLPMetricExporter(url === undefined ? {} : { url }),
          exportIntervalMillis: timing.intervalMs,
          exportTimeoutMillis: timing.timeoutMs,
        }),
      ],
    });
    const meter = this.provider.getMeter('httpwatcher');
    meter
      .createObservableCounter('httpwatcher.requests', {
        description: 'HTTP requests made by traced Go programs (net/http client).',
        unit: '{request}',
        valueType: ValueType.INT,
      })
      .addCallback((result) => {
        for (const { labels, count } of counts.entries()) result.observe(count, requestAttributes(labels));
      });
    if (response)
      this.duration = meter.createHistogram('http.client.request.duration', {
        description: 'Time from the call of net/http.(*Client).do to its return, redirects included.',
        unit: 's',
        advice: { explicitBucketBoundaries: durationBuckets },
      });
    const observed = (name: string, description: string, read: () => number) =>
      meter
        .createObservableCounter(name, { description, valueType: ValueType.INT })
        .addCallback((result) => result.observe(read()));
    observed(
      'httpwatcher.probe_hits',
      'Calls the probe saw, counted in the kernel before any drop.',
      () => health.snooper().hits,
    );
    observed('httpwatcher.events', 'Request events delivered by the tracer.', () => health.snooper().events);
    observed(
      'httpwatcher.kernel_drops',
      'Request records lost in the kernel ring.',
      () => health.snooper().kernelDrops,
    );
    observed(
      'httpwatcher.scratch_drops',
      'Requests lost in the kernel because every scratch slot of their CPU was held.',
      () => health.snooper().scratchDrops,
    );
    observed(
      'httpwatcher.queue_drops',
      'Request events dropped because the exporters fell behind.',
      () => health.snooper().queueDrops,
    );
    observed(
      'httpwatcher.read_errors',
      'Requests whose memory could not be read completely.',
      () => health.snooper().readErrors,
    );
    observed('httpwatcher.hosts_folded', 'Requests whose host was counted as "other".', () => health.hostsFolded());
    meter
      .createObservableGauge('httpwatcher.traced_processes', {
        description: 'Processes traced now.',
        valueType: ValueType.INT,
      })
      .addCallback((result) => result.observe(health.snooper().processes));
    meter
      .createObservableCounter('httpwatcher.attach_failures', {
        description: 'Processes that could not be traced, by error code.',
      })
      .addCallback((result) => {
        for (const [code, n] of health.attachFailures()) result.observe(n, { 'error.type': code });
      });
    const spans = health.spans;
    if (spans) {
      observed('httpwatcher.spans.exported', 'Spans the collector accepted.', () => spans().exported);
      meter
        .createObservableCounter('httpwatcher.spans.dropped', { description: 'Spans dropped, by reason.' })
        .addCallback((result) => {
          const s = spans();
          result.observe(s.droppedQueueFull, { reason: 'queue_full' });
          result.observe(s.droppedExportFailed, { reason: 'export_failed' });
        });
    }
  }

  /** Records a request's duration (--response); RequestCounts counts the requests. */
  observeDuration(labels: RequestLabels, durationSeconds: number): void {
    if (this.duration) this.duration.record(durationSeconds, requestAttributes(labels));
  }

  /** Exports a last time, then stops. */
  async close(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}
