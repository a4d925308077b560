import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A tmux session on a server of its own (its own socket), for tests of full-screen output: start
 * a command in a pane of a given size, type keys, read the screen.
 */
export class TmuxSession {
  private readonly socket = join(tmpdir(), `httpwatcher-tmux-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

  constructor(command: string, size: { width: number; height: number }) {
    this.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      String(size.width),
      '-y',
      String(size.height),
      command,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The visible screen, one string per row; with `escapes`, with the attributes as SGR sequences. */
  screen(escapes = false): string[] {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'top')
      .replace(/\n$/, '')
      .split('\n');
  }

  /** A tmux format about the pane: #{alternate_on}, #{cursor_flag}, #{pane_pid}… */
  display(format: string): string {
    return this.tmux('display-message', '-p', '-t', 'top', format).trim();
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'top', ...keys);
  }

  /** Polls the screen until `match` holds for it; fails with the last screen after `timeoutMs`. */
  async until(match: (rows: string[]) => boolean, what: string, timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = this.screen();
      if (match(rows)) return rows;
      if (Date.now() > deadline)
        throw new Error(`tmux: no ${what} within ${timeoutMs} ms; screen:\n${rows.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.socket, { force: true });
  }
}
