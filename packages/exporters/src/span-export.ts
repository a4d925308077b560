import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { AttachedProcess, HttpRequestEvent } from 'httpwatcher';
import type { SpanExportStats } from './agent-health.js';
import { agentAttributes, signalUrl, spanQueueOptions } from './otlp-settings.js';
import { PathTemplates } from './path-templates.js';
import { processResource } from './process-resource.js';
import { methodLabel, requestTarget } from './request-target.js';
import { SpanQueue, type SpanQueueOptions } from './span-queue.js';
import { remoteParent } from './traceparent.js';

export interface SpanExportOptions {
  /** --otlp's base URL; undefined: the OTEL_EXPORTER_OTLP_* variables. */
  endpoint: string | undefined;
  /** The URL as url.full shows it: redacted as the CLI prints it. */
  shownUrl: (ev: HttpRequestEvent) => string;
  /** Path patterns: a matching request's span gets `url.template` and is named `METHOD template`. */
  paths?: readonly string[];
  /** Tests pass their own exporter and queue bounds. */
  exporter?: SpanExporter;
  queue?: SpanQueueOptions;
  /** Where /proc is (tests). */
  procRoot?: string;
}

interface TracedProgram {
  provider: BasicTracerProvider;
  exitedAt?: number;
}

/** `{method}` or `{method} {url.template}`, as the HTTP conventions name client spans; `HTTP` for `_OTHER`. */
const spanName = (method: string, template: string | undefined): string =>
  `${method === '_OTHER' ? 'HTTP' : method}${template === undefined ? '' : ` ${template}`}`;

/** How long a process's resource outlives its exit: its last events may still be queued. */
const exitedKeptMs = 60_000;
const version = '0.1.0';

/**
 * Each request becomes a CLIENT span under the resource of the process that made it (one tracer
 * provider per traced process, all feeding one bounded queue and one OTLP exporter). A request
 * whose headers carry a valid W3C traceparent joins that trace as a child of the header's span.
 */
export class SpanExport {
  readonly queue: SpanQueue;
  private readonly programs = new Map<number, TracedProgram>();
  private readonly agent = agentAttributes();
  private readonly paths: PathTemplates;

  constructor(private readonly options: SpanExportOptions) {
    const url = signalUrl(options.endpoint, 'traces');
    const exporter = options.exporter ?? new OTLPTraceExporter(url === undefined ? {} : { url });
    this.queue = new SpanQueue(exporter, options.queue ?? spanQueueOptions());
    this.paths = new PathTemplates(options.paths ?? []);
  }

  stats(): SpanExportStats {
    return this.queue.stats();
  }

  attached(p: AttachedProcess, now = Date.now()): void {
    this.prune(now);
    this.programs.set(p.pid, { provider: this.provider(processResource(p, this.options.procRoot)) });
  }

  exited(pid: number, now = Date.now()): void {
    const program = this.programs.get(pid);
    if (program) program.exitedAt = now;
    this.prune(now);
  }

  request(ev: HttpRequestEvent): void {
    let program = this.programs.get(ev.pid);
    if (!program) {
      // Not announced (it exited long ago, or its notice was dropped): the PID is all that is known.
      program = { provider: this.provider({ 'process.pid': ev.pid }) };
      this.programs.set(ev.pid, program);
    }
    const method = methodLabel(ev.method);
    const server = requestTarget({ url: ev.url, host: undefined });
    const attributes: Attributes = {
      'http.request.method': method,
      'url.full': this.options.shownUrl(ev),
      'server.address': server.address,
      'thread.id': ev.tid,
    };
    if (method === '_OTHER') attributes['http.request.method_original'] = ev.method;
    const template = this.paths.of(ev.url);
    if (template !== undefined && template !== 'other') attributes['url.template'] = template;
    if (server.port !== undefined) attributes['server.port'] = server.port;
    if (ev.status !== undefined) attributes['http.response.status_code'] = ev.status;
    const failed = ev.error === true || (ev.status !== undefined && ev.status >= 400);
    if (ev.error) attributes['error.type'] = '_OTHER';
    else if (failed) attributes['error.type'] = String(ev.status);

    const parent = remoteParent(ev.headers);
    const parentContext = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const startMs = ev.time.getTime();
    const span = program.provider
      .getTracer('httpwatcher', version)
      .startSpan(
        spanName(method, attributes['url.template'] as string | undefined),
        { kind: SpanKind.CLIENT, startTime: startMs, attributes },
        parentContext,
      );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    // Without --response the return is not seen: the span marks the call, with no duration.
    const durationNs = ev.durationNs ?? 0;
    const startNs = BigInt(startMs) * 1_000_000n + BigInt(durationNs);
    span.end([Number(startNs / 1_000_000_000n), Number(startNs % 1_000_000_000n)]);
  }

  async close(): Promise<void> {
    await this.queue.shutdown();
  }

  private provider(attributes: Attributes): BasicTracerProvider {
    return new BasicTracerProvider({
      resource: resourceFromAttributes({ ...this.agent, ...attributes }),
      spanProcessors: [this.queue],
    });
  }

  private prune(now: number): void {
    for (const [pid, program] of this.programs)
      if (program.exitedAt !== undefined && now - program.exitedAt >= exitedKeptMs) this.programs.delete(pid);
  }
}
