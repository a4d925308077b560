/**
 * Counts the lines of a stream that a test on their first bytes accepts, without keeping the
 * text: a million requests are 600 MB of NDJSON. Lines that start with `keepPrefix` are kept
 * whole (the client's own JSON lines, mixed into the same stream).
 */
export class LineHeads {
  count = 0;
  readonly kept: string[] = [];
  private head = '';
  private keeping: string | undefined;

  /** `accept` sees a line's first `headBytes` bytes (fewer for a shorter line). */
  constructor(
    private readonly accept: (head: string) => boolean,
    /** null: keep no line. */
    private readonly keepPrefix: string | null = '{"kind"',
    private readonly headBytes = 8,
  ) {}

  add(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      let from = start;
      if (this.keeping === undefined && this.head.length < this.headBytes) {
        from = Math.min(end, start + this.headBytes - this.head.length);
        this.head += chunk.toString('latin1', start, from);
        if (this.keepPrefix !== null && this.head.startsWith(this.keepPrefix)) this.keeping = this.head;
      }
      if (this.keeping !== undefined) this.keeping += chunk.toString('latin1', from, end);
      if (nl < 0) return;
      this.endLine();
      start = nl + 1;
    }
  }

  /** The stream ended: a last line without a newline counts too. */
  end(): void {
    if (this.head !== '' || this.keeping !== undefined) this.endLine();
  }

  private endLine(): void {
    if (this.keeping !== undefined) this.kept.push(this.keeping);
    else if (this.accept(this.head)) this.count++;
    this.head = '';
    this.keeping = undefined;
  }
}
