import type { AttachedProcess, HttpRequestEvent, SnooperStats } from 'httpwatcher';
import type { AgentHealth } from './agent-health.js';
import { type ListenAddress, MetricsServer } from './metrics-server.js';
import { OtlpMetrics } from './otlp-metrics.js';
import { signalEnabled } from './otlp-settings.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { RequestCounts } from './request-counts.js';
import { RequestLabeler } from './request-labels.js';
import { SpanExport } from './span-export.js';

export interface AgentExportersOptions {
  /** Serve Prometheus metrics at http://<address>/metrics. */
  metrics?: ListenAddress;
  /** Distinct hosts kept as labels before the rest fold into `other`. Default 100. */
  maxHosts?: number;
  /** Distinct programs (executable + Go module) kept as labels. Default 100. */
  maxPrograms?: number;
  /** Path patterns (`/v1/users/*`): the only way paths become a label (`path`, `url.template`). */
  paths?: readonly string[];
  /** Events carry status, error and duration (Snooper option `response`). */
  response: boolean;
  /** The tracer's counters. */
  stats: () => SnooperStats;
  /**
   * Send spans and metrics over OTLP/HTTP protobuf: to this base URL (--otlp), or, when
   * `'environment'`, where the OTEL_EXPORTER_OTLP_* variables say.
   */
  otlp?: string | 'environment';
  /** url.full of a span: the URL as the CLI shows it (redacted unless --show-secrets). */
  shownUrl?: (ev: HttpRequestEvent) => string;
}

/** Feeds every request and lifecycle notice to the exporters the command line asked for. */
export class AgentExporters {
  private readonly attachFailureCounts = new Map<string, number>();
  private readonly labeler: RequestLabeler;
  private readonly counts = new RequestCounts();
  private readonly prometheus: PrometheusMetrics | undefined;
  private readonly spans: SpanExport | undefined;
  private readonly otlpMetrics: OtlpMetrics | undefined;
  private server: MetricsServer | undefined;

  private constructor(options: AgentExportersOptions) {
    this.labeler = new RequestLabeler({
      maxHosts: options.maxHosts ?? 100,
      maxPrograms: options.maxPrograms ?? 100,
      response: options.response,
      ...(options.paths && { paths: options.paths }),
    });
    const otlp = options.otlp !== undefined;
    const endpoint = options.otlp === 'environment' ? undefined : options.otlp;
    if (otlp && signalEnabled('traces'))
      this.spans = new SpanExport({
        endpoint,
        shownUrl: options.shownUrl ?? ((ev) => ev.url),
        ...(options.paths && { paths: options.paths }),
      });
    const spans = this.spans;
    const health: AgentHealth = {
      snooper: options.stats,
      attachFailures: () => this.attachFailureCounts,
      hostsFolded: () => this.labeler.hostsFolded,
      ...(spans && { spans: () => spans.stats() }),
    };
    this.prometheus = options.metrics
      ? new PrometheusMetrics(health, this.counts, options.response, (options.paths ?? []).length > 0)
      : undefined;
    if (otlp && signalEnabled('metrics'))
      this.otlpMetrics = new OtlpMetrics(endpoint, health, this.counts, options.response);
  }

  static async start(options: AgentExportersOptions): Promise<AgentExporters> {
    const exporters = new AgentExporters(options);
    if (exporters.prometheus && options.metrics)
      exporters.server = await MetricsServer.start(exporters.prometheus.registry, options.metrics);
    return exporters;
  }

  /** Where /metrics is served (the port the system chose for port 0). */
  get metricsAddress(): ListenAddress | undefined {
    return this.server?.address;
  }

  /** Whether spans go out over OTLP. */
  get exportsSpans(): boolean {
    return this.spans !== undefined;
  }

  attached(p: AttachedProcess): void {
    this.labeler.attached(p);
    this.spans?.attached(p);
  }

  exited(pid: number): void {
    this.labeler.exitedAt(pid);
    this.spans?.exited(pid);
  }

  attachFailed(code: string): void {
    this.attachFailureCounts.set(code, (this.attachFailureCounts.get(code) ?? 0) + 1);
  }

  request(ev: HttpRequestEvent): void {
    const labeled = this.labeler.labels(ev);
    this.counts.add(labeled);
    if (ev.durationNs !== undefined) {
      this.prometheus?.observeDuration(labeled.labels, ev.durationNs / 1e9);
      this.otlpMetrics?.observeDuration(labeled.labels, ev.durationNs / 1e9);
    }
    this.spans?.request(ev);
  }

  /** Flushes queued spans and a last metrics export, then stops serving /metrics. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([this.spans?.close(), this.otlpMetrics?.close()]);
    await this.server?.close();
    this.server = undefined;
  }
}
