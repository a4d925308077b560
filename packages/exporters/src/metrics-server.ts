import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { ExporterError } from './exporter-error.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Serves the registry at /metrics; other paths answer 404. */
export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly address: ListenAddress,
  ) {}

  static async start(registry: Registry, at: ListenAddress): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('httpwatcher serves /metrics only\n');
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
      );
    });
    // A scraper that holds its connection open must not keep the agent from stopping.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new ExporterError(
            'METRICS_LISTEN_FAILED',
            `cannot serve metrics on ${at.host}:${at.port}: ${error.code ?? error.message}`,
            {
              cause: error,
            },
          ),
        ),
      );
      server.listen(at.port, at.host, resolve);
    });
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : at.port;
    return new MetricsServer(server, { host: at.host, port });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
