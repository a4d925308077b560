import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

/** Hands out the lines of a stream one `next()` at a time, in order. */
export class LineReader {
  private readonly lines: string[] = [];
  private readonly waiters: Array<(line: string | undefined) => void> = [];
  private ended = false;

  constructor(stream: Readable) {
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    rl.on('close', () => {
      this.ended = true;
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    });
  }

  /** The next line, or undefined once the stream has ended. Rejects after `timeoutMs`. */
  next(timeoutMs: number, what: string): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no line within ${timeoutMs} ms: ${what}`));
      }, timeoutMs);
      const waiter = (l: string | undefined): void => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push(waiter);
    });
  }
}
