import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { debianEngine } from '@httpwatcher/test-support/debian-engines';

/**
 * The official OTLP message definitions, from Debian's opentelemetry-proto package (pinned in
 * test-support/debian-engines.lock), loaded at test time: nothing here is hand-written.
 */
function loadOtlp(): { traces: protobuf.Type; metrics: protobuf.Type } {
  const include = join(debianEngine('opentelemetry-proto'), 'usr', 'include');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(include, target));
  root.loadSync(
    [
      'opentelemetry/proto/collector/trace/v1/trace_service.proto',
      'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
    ],
    { keepCase: false },
  );
  return {
    traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    metrics: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
  };
}

export type AnyValue = string | number | boolean | undefined;

export interface ReceivedSpan {
  resource: Record<string, AnyValue>;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AnyValue>;
  status: { code: number };
}

export interface ReceivedPoint {
  metric: string;
  attributes: Record<string, AnyValue>;
  value: number;
  /** Histogram points: how many values. */
  count?: number;
}

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string; boolValue?: boolean; doubleValue?: number };
}

const attributesOf = (kvs: KeyValue[] | undefined): Record<string, AnyValue> =>
  Object.fromEntries(
    (kvs ?? []).map((kv) => [
      kv.key,
      kv.value.stringValue ??
        (kv.value.intValue !== undefined ? Number(kv.value.intValue) : (kv.value.boolValue ?? kv.value.doubleValue)),
    ]),
  );

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

/** A loopback OTLP/HTTP protobuf receiver: decodes every request into spans and metric points. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Metric points in arrival order (cumulative: the last one per attribute set is the total). */
  readonly points: ReceivedPoint[] = [];
  /** Content types of the requests, to check the exporter sent protobuf. */
  readonly contentTypes = new Set<string>();

  private constructor(private readonly server: Server) {}

  static async start(port = 0): Promise<OtlpReceiver> {
    const otlp = loadOtlp();
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        receiver!.contentTypes.add(req.headers['content-type'] ?? '');
        if (req.url === '/v1/traces') receiver!.addTraces(otlp.traces, body);
        else if (req.url === '/v1/metrics') receiver!.addMetrics(otlp.metrics, body);
        else return void res.writeHead(404).end();
        // An empty Export*ServiceResponse: every field at its default.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    receiver = new OtlpReceiver(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private addTraces(type: protobuf.Type, body: Buffer): void {
    const request = type.toObject(type.decode(body), { longs: String, defaults: true }) as {
      resourceSpans: Array<{
        resource: { attributes: KeyValue[] };
        scopeSpans: Array<{ spans: Array<Record<string, unknown>> }>;
      }>;
    };
    for (const rs of request.resourceSpans) {
      const resource = attributesOf(rs.resource.attributes);
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans)
          this.spans.push({
            resource,
            traceId: hex(s.traceId as Uint8Array),
            spanId: hex(s.spanId as Uint8Array),
            parentSpanId: hex(s.parentSpanId as Uint8Array),
            traceState: s.traceState as string,
            name: s.name as string,
            kind: s.kind as number,
            startNs: BigInt(s.startTimeUnixNano as string),
            endNs: BigInt(s.endTimeUnixNano as string),
            attributes: attributesOf(s.attributes as KeyValue[]),
            status: { code: (s.status as { code: number } | undefined)?.code ?? 0 },
          });
    }
  }

  private addMetrics(type: protobuf.Type, body: Buffer): void {
    const request = type.toObject(type.decode(body), { longs: String, defaults: false }) as {
      resourceMetrics?: Array<{
        scopeMetrics?: Array<{
          metrics?: Array<{
            name: string;
            sum?: { dataPoints?: Array<{ attributes?: KeyValue[]; asInt?: string; asDouble?: number }> };
            gauge?: { dataPoints?: Array<{ attributes?: KeyValue[]; asInt?: string; asDouble?: number }> };
            histogram?: { dataPoints?: Array<{ attributes?: KeyValue[]; count?: string; sum?: number }> };
          }>;
        }>;
      }>;
    };
    for (const rm of request.resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) {
          for (const p of [...(m.sum?.dataPoints ?? []), ...(m.gauge?.dataPoints ?? [])])
            this.points.push({
              metric: m.name,
              attributes: attributesOf(p.attributes),
              value: Number(p.asInt ?? p.asDouble ?? 0),
            });
          for (const p of m.histogram?.dataPoints ?? [])
            this.points.push({
              metric: m.name,
              attributes: attributesOf(p.attributes),
              value: p.sum ?? 0,
              count: Number(p.count ?? 0),
            });
        }
  }

  /** The last value of each attribute set of `metric` (cumulative totals). */
  latest(metric: string): ReceivedPoint[] {
    const byKey = new Map<string, ReceivedPoint>();
    for (const p of this.points)
      if (p.metric === metric) byKey.set(JSON.stringify(Object.entries(p.attributes).sort()), p);
    return [...byKey.values()];
  }
}
