import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a server received it: headers keyed as sent, repeated ones joined with ", " (as Go joins them). */
export interface ReceivedRequest {
  method: string;
  /** The request target: path and query. */
  target: string;
  headers: Record<string, string>;
}

export interface RecordingServer {
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers 200 and records each request it gets. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const [key, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    received.push({ method: req.method!, target: req.url!, headers });
    req.resume();
    req.on('end', () => res.end('ok\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
