import { LineHeads } from '../line-heads.js';

/**
 * The head of a request line of `--json`: `{"time":"<ISO 8601>","pid":<pid>,` (the README's schema,
 * apps/cli/src/format-json.ts). 80 bytes hold it with room to spare.
 */
const pidInHead = /^\{"time":"[^"]*","pid":(\d+),/;
const headBytes = 80;

/** Counts the CLI's NDJSON request lines per PID as they stream by, without keeping the text. */
export class RequestLines {
  readonly byPid = new Map<number, number>();
  /** Lines that did not start as a request does (a bug in the CLI's output if ever not 0). */
  unrecognised = 0;
  private readonly heads = new LineHeads(
    (head) => {
      const m = pidInHead.exec(head);
      if (!m) {
        this.unrecognised++;
        return false;
      }
      const pid = Number(m[1]);
      this.byPid.set(pid, (this.byPid.get(pid) ?? 0) + 1);
      return true;
    },
    null,
    headBytes,
  );

  add(chunk: Buffer): void {
    this.heads.add(chunk);
  }

  /** The stream ended: a last line without its newline counts too. */
  end(): void {
    this.heads.end();
  }

  get total(): number {
    return this.heads.count;
  }

  /** Lines of the given PIDs. */
  of(pids: Iterable<number>): number {
    let n = 0;
    for (const pid of pids) n += this.byPid.get(pid) ?? 0;
    return n;
  }
}
