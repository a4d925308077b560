import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { fixture, requireFixture, runCli } from './test-support/run-cli.js';

/** A request as a server of test-fixtures/transport-client received it, and the status it answered. */
interface Seen {
  kind: 'request';
  server: 'origin' | 'proxy' | 'h2';
  addr: string;
  method: string;
  uri: string;
  headers: Record<string, string>;
  status: number;
}

describe.runIf(runBpfTests)('httpwatcher --transport --response --json', () => {
  it.each(['1.15', '1.27'])(
    'go%s: each request on the wire once, with the status its server answered, via and hop',
    async (go) => {
      const exe = requireFixture(fixture(go, 'default', 'transport-client'));
      const r = await runCli([
        '--transport',
        '--response',
        '--json',
        '--',
        exe,
        '-goroutines',
        '4',
        '-rounds',
        '2',
        '-http2',
      ]);
      expect(r.code, r.stderr).toBe(0);
      // The program's own stdout (its ground truth) goes to stderr while requests go to the pipe.
      const seen = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { kind: string })
        .filter((m): m is Seen => m.kind === 'request');
      expect(seen).toHaveLength(4 * 2 * 8);
      const events = r.stdout
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as { url: string; headers: Record<string, string>; status: number; via: string; hop: number },
        );
      const key = (url: string, headers: Record<string, string>) => `${url} ${headers['X-Case']} ${headers['X-Seq']}`;
      const byKey = new Map(events.map((ev) => [key(ev.url, ev.headers), ev]));
      expect(byKey.size).toBe(events.length);
      expect(events).toHaveLength(seen.length);
      const mismatched = seen.filter((s) => {
        const url = `${s.server === 'h2' ? 'https' : 'http'}://${s.addr}${s.uri}`;
        return byKey.get(key(url, s.headers))?.status !== s.status;
      });
      expect(mismatched.map((s) => `${s.server} ${s.uri} ${s.status}`)).toEqual([]);
      expect(events.filter((ev) => ev.via === 'client' && ev.hop === 2).map((ev) => ev.status)).toEqual(
        Array(8).fill(200),
      );
    },
  );
});
