/**
 * Requests a fixture program says it made, from one line of its stdout: `client` prints one
 * `{"kind":"request",...}` per scripted request and one `{"kind":"bulk","sent":N,...}` per bulk
 * scenario; `response-client` one `{"kind":"response",...}` per basic call and one
 * `{"kind":"load","sent":N,...}` per load scenario. Other lines (ready, done) count nothing.
 */
export function requestsInLine(line: string): number {
  if (!line.startsWith('{')) return 0;
  let msg: { kind?: unknown; sent?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    return 0;
  }
  if (msg.kind === 'request' || msg.kind === 'response') return 1;
  if ((msg.kind === 'bulk' || msg.kind === 'load') && typeof msg.sent === 'number') return msg.sent;
  return 0;
}
