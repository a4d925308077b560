import type { OutputSink } from './output-sink.js';

/**
 * Requests on their way to the output. While one write is in flight, the text of the requests
 * that follow gathers and goes out in the next write: at full speed that is one system call per
 * few hundred requests instead of one each, and a single request still goes out at once. Past
 * `maxPendingChars` the trace loop waits (`room`), so a slow reader leaves requests in the
 * Snooper's bounded queue, where they are dropped and counted, instead of growing memory here.
 */
export class BatchedOutput {
  private parts: string[] = [];
  private pendingChars = 0;
  private pendingEvents = 0;
  private writing = false;
  private failure: { error: unknown } | undefined;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly sink: Pick<OutputSink, 'write'>,
    private readonly maxPendingChars: number,
    private readonly on: {
      /** Events whose text reached the output (or that had none), in order. */
      written: (events: number) => void;
      /** A write failed: nothing more will be written. */
      failed: (error: unknown) => void;
    },
  ) {}

  /** One request's text, or '' for a request that is not printed. Throws once a write has failed. */
  add(text: string): void {
    if (this.failure) throw this.failure.error;
    if (text !== '') {
      this.parts.push(text);
      this.pendingChars += text.length;
    }
    this.pendingEvents++;
    if (!this.writing) void this.pump();
  }

  get full(): boolean {
    return this.pendingChars >= this.maxPendingChars;
  }

  /** Resolves once the pending text is below the limit again, or writing failed. */
  async room(): Promise<void> {
    while (this.full && !this.failure) await this.change();
  }

  /** Resolves once everything added was written; rejects with the error that stopped writing. */
  async flush(): Promise<void> {
    while (this.writing && !this.failure) await this.change();
    if (this.failure) throw this.failure.error;
  }

  private async pump(): Promise<void> {
    this.writing = true;
    while (this.pendingEvents > 0) {
      const text = this.parts.join('');
      const events = this.pendingEvents;
      this.parts = [];
      this.pendingChars = 0;
      this.pendingEvents = 0;
      this.wake();
      if (text !== '') {
        try {
          await this.sink.write(text);
        } catch (error) {
          this.failure = { error };
          break;
        }
      }
      this.on.written(events);
    }
    this.writing = false;
    this.wake();
    if (this.failure) this.on.failed(this.failure.error);
  }

  private change(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
