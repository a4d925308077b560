import { afterEach, describe, expect, it } from 'vitest';
import { AgentExporters } from './agent-exporters.js';
import { fakeProcess, fakeRequest, fakeStats } from './test-support/fake-events.js';

const open: AgentExporters[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function start(response: boolean, maxHosts = 100, paths?: string[]) {
  let stats = fakeStats();
  const exporters = await AgentExporters.start({
    metrics: { host: '127.0.0.1', port: 0 },
    maxHosts,
    response,
    ...(paths && { paths }),
    stats: () => stats,
  });
  open.push(exporters);
  const scrape = async (path = '/metrics') => {
    const r = await fetch(`http://127.0.0.1:${exporters.metricsAddress!.port}${path}`);
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };
  return { exporters, scrape, setStats: (s: Parameters<typeof fakeStats>[0]) => (stats = fakeStats(s)) };
}

describe('AgentExporters with --metrics', () => {
  it('counts requests by method, host and program, in the Prometheus text format', async () => {
    const { exporters, scrape } = await start(false);
    exporters.attached(fakeProcess(10));
    exporters.request(fakeRequest({ pid: 10, url: 'https://api.example.com/v1/users?id=1' }));
    exporters.request(fakeRequest({ pid: 10, url: 'https://api.example.com/v1/users/2' }));
    exporters.request(fakeRequest({ pid: 10, method: 'POST', url: 'http://10.0.0.5:8080/orders' }));
    const r = await scrape();
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = r.text.split('\n').filter((l) => l.startsWith('httpwatcher_requests_total{'));
    expect(lines.sort()).toEqual([
      'httpwatcher_requests_total{method="GET",host="api.example.com",program="orders",module="example.test/orders"} 2',
      'httpwatcher_requests_total{method="POST",host="10.0.0.5:8080",program="orders",module="example.test/orders"} 1',
    ]);
    expect(r.text).not.toContain('/v1/users');
    expect(r.text).not.toContain('httpwatcher_request_duration_seconds');
  });

  it('labels paths only by the patterns given: the pattern matched, or "other"', async () => {
    const { exporters, scrape } = await start(false, 100, ['/v1/users/*']);
    exporters.attached(fakeProcess(10));
    for (const url of ['http://svc/v1/users/1', 'http://svc/v1/users/2?x', 'http://svc/v1/orders/9'])
      exporters.request(fakeRequest({ pid: 10, url }));
    const lines = (await scrape()).text.split('\n').filter((l) => l.startsWith('httpwatcher_requests_total{'));
    expect(lines.sort()).toEqual([
      'httpwatcher_requests_total{method="GET",host="svc",path="/v1/users/*",program="orders",module="example.test/orders"} 2',
      'httpwatcher_requests_total{method="GET",host="svc",path="other",program="orders",module="example.test/orders"} 1',
    ]);
  });

  it('adds status and a duration histogram with --response', async () => {
    const { exporters, scrape } = await start(true);
    exporters.attached(fakeProcess(10));
    exporters.request(fakeRequest({ pid: 10, url: 'http://svc/', status: 503, error: false, durationNs: 30_000_000 }));
    exporters.request(fakeRequest({ pid: 10, url: 'http://svc/', error: true, durationNs: 2_000_000_000 }));
    const { text } = await scrape();
    expect(text).toContain(
      'httpwatcher_requests_total{method="GET",host="svc",status="503",program="orders",module="example.test/orders"} 1',
    );
    expect(text).toContain(
      'httpwatcher_request_duration_seconds_bucket{le="0.05",method="GET",host="svc",status="503",program="orders",module="example.test/orders"} 1',
    );
    expect(text).toContain(
      'httpwatcher_request_duration_seconds_bucket{le="1",method="GET",host="svc",status="error",program="orders",module="example.test/orders"} 0',
    );
    expect(text).toContain(
      'httpwatcher_request_duration_seconds_sum{method="GET",host="svc",status="error",program="orders",module="example.test/orders"} 2',
    );
  });

  it('exports the tracer health and attach failures by code', async () => {
    const { exporters, scrape, setStats } = await start(false);
    setStats({ hits: 9, events: 7, kernelDrops: 2, scratchDrops: 5, queueDrops: 3, readErrors: 1, processes: 4 });
    exporters.attachFailed('UNSUPPORTED_GO_VERSION');
    exporters.attachFailed('UNSUPPORTED_GO_VERSION');
    exporters.attachFailed('NOT_GO_BINARY');
    const { text } = await scrape();
    for (const line of [
      'httpwatcher_probe_hits_total 9',
      'httpwatcher_events_total 7',
      'httpwatcher_kernel_drops_total 2',
      'httpwatcher_scratch_drops_total 5',
      'httpwatcher_queue_drops_total 3',
      'httpwatcher_read_errors_total 1',
      'httpwatcher_traced_processes 4',
      'httpwatcher_attach_failures_total{code="UNSUPPORTED_GO_VERSION"} 2',
      'httpwatcher_attach_failures_total{code="NOT_GO_BINARY"} 1',
    ])
      expect(text).toContain(`${line}\n`);
    setStats({ events: 9 });
    expect((await scrape()).text).toContain('httpwatcher_events_total 9\n');
  });

  it('folds hosts past the limit into "other" and escapes what a hostile program sends', async () => {
    const { exporters, scrape } = await start(false, 1);
    exporters.attached(fakeProcess(10, '/bin/ev"il\nname'));
    exporters.request(fakeRequest({ pid: 10, url: 'http://a.test/' }));
    exporters.request(fakeRequest({ pid: 10, url: 'http://b.test/' }));
    exporters.request(fakeRequest({ pid: 11, url: 'http://a.test/', method: 'BREW\x1b' }));
    const { text } = await scrape();
    expect(text).toContain(
      'httpwatcher_requests_total{method="GET",host="a.test",program="ev\\"il\\nname",module="example.test/orders"} 1',
    );
    expect(text).toContain('host="other"');
    expect(text).toContain('httpwatcher_hosts_folded_total 1\n');
    expect(text).toContain(
      'httpwatcher_requests_total{method="_OTHER",host="a.test",program="unknown",module="unknown"} 1',
    );
  });

  it('answers 404 off /metrics and refuses a port in use with METRICS_LISTEN_FAILED', async () => {
    const { exporters, scrape } = await start(false);
    expect((await scrape('/')).status).toBe(404);
    await expect(
      AgentExporters.start({ metrics: exporters.metricsAddress!, response: false, stats: () => fakeStats() }),
    ).rejects.toMatchObject({ code: 'METRICS_LISTEN_FAILED' });
  });
});
