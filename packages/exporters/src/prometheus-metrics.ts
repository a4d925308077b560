import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AgentHealth } from './agent-health.js';
import type { RequestCounts } from './request-counts.js';
import type { RequestLabels } from './request-labels.js';

/** Seconds; the HTTP semantic conventions' advice for request durations. */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const requestLabelNames = (response: boolean, paths: boolean) => [
  'method',
  'host',
  ...(paths ? ['path'] : []),
  ...(response ? ['status'] : []),
  'program',
  'module',
];

/** A counter that mirrors a running total kept elsewhere, read at each scrape. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * The Prometheus side: request counts and durations, and the tracer's health, in a registry of
 * their own (prom-client's global one stays untouched).
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly duration: Histogram | undefined;

  constructor(health: AgentHealth, counts: RequestCounts, response: boolean, paths: boolean) {
    const labelNames = requestLabelNames(response, paths);
    new Counter({
      name: 'httpwatcher_requests_total',
      help: 'HTTP requests made by traced Go programs (net/http client), by method, host, path pattern (with --metrics-path), status (with --response) and program.',
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { labels, count } of counts.entries()) this.inc(labels as unknown as Record<string, string>, count);
      },
    });
    if (response) {
      this.duration = new Histogram({
        name: 'httpwatcher_request_duration_seconds',
        help: 'Time from the call of net/http.(*Client).do to its return, redirects included.',
        labelNames,
        buckets: durationBuckets,
        registers: [this.registry],
      });
    }
    const stats = () => health.snooper();
    mirroredCounter(
      this.registry,
      'httpwatcher_probe_hits_total',
      'Calls of net/http.(*Client).do the probe saw in traced processes, counted in the kernel before any drop.',
      () => stats().hits,
    );
    mirroredCounter(
      this.registry,
      'httpwatcher_events_total',
      'Request events delivered by the tracer.',
      () => stats().events,
    );
    mirroredCounter(
      this.registry,
      'httpwatcher_kernel_drops_total',
      'Request records lost in the kernel because the ring buffer was full.',
      () => stats().kernelDrops,
    );
    mirroredCounter(
      this.registry,
      'httpwatcher_scratch_drops_total',
      'Requests lost in the kernel because every scratch slot of their CPU was held by preempted requests.',
      () => stats().scratchDrops,
    );
    mirroredCounter(
      this.registry,
      'httpwatcher_queue_drops_total',
      'Request events dropped because the exporters fell behind the tracer.',
      () => stats().queueDrops,
    );
    mirroredCounter(
      this.registry,
      'httpwatcher_read_errors_total',
      'Requests whose process memory could not be read completely.',
      () => stats().readErrors,
    );
    mirroredCounter(
      this.registry,
      'httpwatcher_hosts_folded_total',
      'Requests whose host was counted as "other" because --metrics-max-hosts hosts were already seen.',
      () => health.hostsFolded(),
    );
    new Gauge({
      name: 'httpwatcher_traced_processes',
      help: 'Processes traced now.',
      registers: [this.registry],
      collect() {
        this.set(stats().processes);
      },
    });
    new Counter({
      name: 'httpwatcher_attach_failures_total',
      help: 'Processes that could not be traced, by error code.',
      labelNames: ['code'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [code, n] of health.attachFailures()) this.inc({ code }, n);
      },
    });
    const spans = health.spans;
    if (spans) {
      mirroredCounter(
        this.registry,
        'httpwatcher_spans_exported_total',
        'Spans the OTLP collector accepted.',
        () => spans().exported,
      );
      new Counter({
        name: 'httpwatcher_spans_dropped_total',
        help: 'Spans dropped: queue_full (the collector slow or down) or export_failed (after the exporter retried).',
        labelNames: ['reason'],
        registers: [this.registry],
        collect() {
          this.reset();
          const s = spans();
          this.inc({ reason: 'queue_full' }, s.droppedQueueFull);
          this.inc({ reason: 'export_failed' }, s.droppedExportFailed);
        },
      });
    }
  }

  /** Records a request's duration (--response); RequestCounts counts the requests. */
  observeDuration(labels: RequestLabels, durationSeconds: number): void {
    if (this.duration) this.duration.observe(labels as unknown as Record<string, string>, durationSeconds);
  }
}
