import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpRequestEvent } from '../http-event.js';
import type { LifecycleEvent } from '../lifecycle-event.js';
import type { Snooper } from '../snooper.js';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import type { SentRequest } from './fixtures.js';

/** The go1.24 default client fixture (test-fixtures/client). */
export function clientPath(): string {
  const cell = builtFixtures((c) => c.program === 'client' && c.go === '1.24' && c.variant === 'default')[0];
  if (!cell)
    throw new Error(
      'the go1.24 default client fixture is missing: run bash test-fixtures/build.sh --go 1.24 --variant default',
    );
  return cell.absolutePath;
}

/** Builds (incrementally: a no-op when current) and returns a go1.24 default test program. */
export function programPath(program: string): string {
  execFileSync(
    'bash',
    [join(repoRoot, 'test-fixtures', 'build.sh'), '--program', program, '--go', '1.24', '--variant', 'default'],
    { stdio: 'ignore' },
  );
  return join(repoRoot, 'test-fixtures', 'out', 'go1.24', 'default', program);
}

/** The request lines a client fixture printed: its ground truth. */
export function sentRequests(stdout: string): SentRequest[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { kind: string })
    .filter((msg): msg is SentRequest => msg.kind === 'request');
}

/** What an event says, in the ground truth's terms. */
export function asSent(ev: HttpRequestEvent): Pick<SentRequest, 'method' | 'url' | 'headers'> {
  return { method: ev.method, url: ev.url, headers: ev.headers };
}

export function truthOf(sent: SentRequest[]): Array<Pick<SentRequest, 'method' | 'url' | 'headers'>> {
  return sent.map(({ method, url, headers }) => ({ method, url, headers }));
}

/** Runs a program to its end, collecting stdout. */
export function runProgram(
  path: string,
  args: string[],
  children: Set<ChildProcess>,
): Promise<{ pid: number; stdout: string; code: number | null }> {
  const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      resolve({ pid: child.pid!, stdout, code });
    });
  });
}

/** Everything a Snooper yields, recorded as it comes, with a bounded wait for a condition. */
export class Recorder {
  readonly events: HttpRequestEvent[] = [];
  readonly notices: LifecycleEvent[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly snoop: Snooper) {
    void (async () => {
      for await (const ev of snoop.events({ signal: this.abort.signal })) this.events.push(ev);
    })();
    void (async () => {
      for await (const n of snoop.lifecycle({ signal: this.abort.signal })) this.notices.push(n);
    })();
  }

  eventsOf(pid: number): HttpRequestEvent[] {
    return this.events.filter((e) => e.pid === pid);
  }

  noticesOf(pid: number, kind: LifecycleEvent['kind']): LifecycleEvent[] {
    return this.notices.filter((n) => n.pid === pid && n.kind === kind);
  }

  /** Flushes the ring and waits (polling every 20 ms, at most `timeoutMs`) until `done()` holds. */
  async until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.snoop.flush();
      await new Promise((r) => setTimeout(r, 20));
      if (done()) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
  }

  /** Lets in-flight records arrive, so a duplicate or stray event would be seen too. */
  async settle(ms = 200): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    this.snoop.flush();
    await new Promise((r) => setTimeout(r, 0));
  }

  stop(): void {
    this.abort.abort();
  }
}

/** Open file descriptors of this process, and how many are BPF links or perf events. */
export function openFds(): { total: number; bpf: number } {
  const fds = readdirSync('/proc/self/fd');
  let bpf = 0;
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/bpf|perf_event/.test(target)) bpf++;
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return { total: fds.length, bpf };
}

export function killAll(children: Set<ChildProcess>): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
