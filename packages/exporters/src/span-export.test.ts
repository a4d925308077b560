import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SpanExport } from './span-export.js';
import { fakeProcess, fakeRequest } from './test-support/fake-events.js';

function recording() {
  const spans: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export: (batch, done) => {
      spans.push(...batch);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
  };
  return { spans, exporter };
}

function procWith(pid: number, environ: string): string {
  const root = mkdtempSync(join(tmpdir(), 'hw-proc-'));
  mkdirSync(join(root, String(pid)));
  writeFileSync(join(root, String(pid), 'environ'), environ);
  writeFileSync(join(root, String(pid), 'cgroup'), '0::/\n');
  return root;
}

const queue = { maxQueue: 100, maxBatch: 10, delayMs: 60_000, maxBackoffMs: 60_000 };

describe('SpanExport', () => {
  it('names a span after the path pattern its URL matches, with url.template', async () => {
    const { spans, exporter } = recording();
    const exp = new SpanExport({
      endpoint: undefined,
      shownUrl: (ev) => ev.url,
      exporter,
      queue,
      procRoot: procWith(9, ''),
      paths: ['/v1/users/*'],
    });
    exp.request(fakeRequest({ pid: 9, url: 'http://svc/v1/users/42' }));
    exp.request(fakeRequest({ pid: 9, url: 'http://svc/v1/orders/1' }));
    await exp.close();
    expect(spans.map((s) => [s.name, s.attributes['url.template']])).toEqual([
      ['GET /v1/users/*', '/v1/users/*'],
      ['GET', undefined],
    ]);
  });

  it('makes a CLIENT span under its process resource, child of the traceparent, with a redacted url.full', async () => {
    const { spans, exporter } = recording();
    const procRoot = procWith(7, 'OTEL_SERVICE_NAME=orders\0');
    const exp = new SpanExport({
      endpoint: undefined,
      shownUrl: (ev) => ev.url.replace('s3cr3t', '****'),
      exporter,
      queue,
      procRoot,
    });
    exp.attached(fakeProcess(7));
    exp.request(
      fakeRequest({
        pid: 7,
        tid: 9,
        method: 'POST',
        url: 'https://api.example.com/v1?token=s3cr3t',
        headers: { Traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        status: 503,
        error: false,
        durationNs: 1_500_000,
      }),
    );
    await exp.close();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.name).toBe('POST');
    expect(span!.kind).toBe(2); // SpanKind.CLIENT in the JS API
    expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': 'https://api.example.com/v1?token=****',
      'server.address': 'api.example.com',
      'server.port': 443,
      'thread.id': 9,
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(span!.status.code).toBe(2); // ERROR
    expect(span!.resource.attributes).toMatchObject({
      'service.name': 'orders',
      'process.pid': 7,
      'process.executable.path': '/srv/bin/orders',
      'host.name': hostname(),
    });
    const start = span!.startTime;
    const end = span!.endTime;
    expect((end[0] - start[0]) * 1e9 + (end[1] - start[1])).toBe(1_500_000);
    expect(start).toEqual([Math.floor(Date.parse('2026-01-02T03:04:05.678Z') / 1000), 678_000_000]);
  });

  it('starts a new trace without a valid traceparent, names an undefined method HTTP, and gives no duration without --response', async () => {
    const { spans, exporter } = recording();
    const exp = new SpanExport({
      endpoint: undefined,
      shownUrl: (ev) => ev.url,
      exporter,
      queue,
      procRoot: procWith(8, ''),
    });
    exp.request(
      fakeRequest({ pid: 8, method: 'BREW', url: 'http://pot.local:8080/', headers: { Traceparent: 'nonsense' } }),
    );
    await exp.close();
    const [span] = spans;
    expect(span!.name).toBe('HTTP');
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'BREW',
      'server.port': 8080,
    });
    expect(span!.attributes).not.toHaveProperty('http.response.status_code');
    expect(span!.startTime).toEqual(span!.endTime);
    // A process never announced still gets its PID as resource.
    expect(span!.resource.attributes['process.pid']).toBe(8);
  });
});
