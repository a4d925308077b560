import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { debianEngine } from '@httpwatcher/test-support/debian-engines';

/** A port free now on 127.0.0.1 (Prometheus cannot listen on port 0 and tell which it got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusSample {
  metric: Record<string, string>;
  value: number;
}

/** Debian's Prometheus (pinned in test-support/debian-engines.lock), started on 127.0.0.1 for one test file. */
export class PrometheusServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly log: () => string,
  ) {}

  /** Scrapes `targets` (host:port) every second, as job "httpwatcher". */
  static async start(dir: string, targets: string[]): Promise<PrometheusServer> {
    const binary = join(debianEngine('prometheus'), 'usr', 'bin', 'prometheus');
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 900ms',
        'scrape_configs:',
        '  - job_name: httpwatcher',
        '    static_configs:',
        `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.console.templates=/nonexistent',
        '--web.console.libraries=/nonexistent',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const server = new PrometheusServer(child, `http://127.0.0.1:${port}`, () => log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${server.url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return server;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Prometheus did not become ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** An instant query through the HTTP API. */
  async query(promql: string): Promise<PrometheusSample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Polls `promql` until `done` holds for its result. */
  async until(
    promql: string,
    done: (samples: PrometheusSample[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<PrometheusSample[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const samples = await this.query(promql);
      if (done(samples)) return samples;
      if (Date.now() > deadline)
        throw new Error(`${promql} never reached the expected value; last: ${JSON.stringify(samples)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
