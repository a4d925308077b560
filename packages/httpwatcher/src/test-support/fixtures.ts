import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Ground truth the fixture prints for each request it sends (test-fixtures/client/main.go). */
export interface SentRequest {
  kind: 'request';
  method: string;
  url: string;
  host?: string;
  headers: Record<string, string>;
  nheaders: number;
  userinfo: boolean;
  status: number;
  error?: string;
}

export interface RunningFixture {
  pid: number;
  child: ChildProcessWithoutNullStreams;
  /** Lets the fixture start its requests; resolves with what it sent and its exit code. */
  go(): Promise<{ sent: SentRequest[]; exitCode: number | null }>;
}

/** Starts a fixture with -wait (as user `as`, when given) and resolves once it has printed its ready line. */
export async function startFixture(
  path: string,
  args: string[] = [],
  as: { uid: number; gid: number } | undefined = undefined,
): Promise<RunningFixture> {
  const child = spawn(path, ['-wait', ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...as });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const sent: SentRequest[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    // A hang guard, not a speed limit: 200 Go programs starting at once on a loaded 2-core machine
    // have taken over 12 s. A fixture that never gets ready is killed, so no test inherits it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture ${path} printed no ready line; stderr: ${stderr}`));
    }, 60_000);
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { kind: string; pid?: number };
      if (msg.kind === 'ready') {
        clearTimeout(timer);
        resolve(msg.pid!);
      } else if (msg.kind === 'request') {
        sent.push(msg as unknown as SentRequest);
      }
    });
    child.on('exit', (code) => reject(new Error(`fixture exited with ${code} before it was ready; stderr: ${stderr}`)));
  });
  const pid = await ready;
  return {
    pid,
    child,
    async go() {
      child.stdin.write('go\n');
      const exitCode = await exited;
      return { sent, exitCode };
    },
  };
}
