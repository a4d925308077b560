import { maxCallBytes } from './call-bytes.js';
import type { OutputSink } from './output-sink.js';

/** Room past the limit, so that the request that crosses it is written in place. */
const slackBytes = 64 * 1024;
/**
 * send(): less than this waits up to `sendDelayMs` for more. At a client's full rate the event loop
 * turns thousands of times a second with a few requests each; a write each turn (a system call and
 * two thread switches through libuv's pool) cost more than formatting them (BENCHMARKS.md).
 */
const sendBytes = 256 * 1024;
const sendDelayMs = 5;

/**
 * Requests on their way to the output. While one write is in flight, the text of the requests
 * that follow is encoded into a second buffer and goes out in the next write: at full speed that
 * is one system call per few hundred requests instead of one each, and a single request still
 * goes out at once through add(), within `sendDelayMs` through addCall() and send(). The two
 * buffers take turns, so no memory is allocated per write; encoding each request into them as it
 * comes costs a quarter of joining the texts and encoding the result (bench: 0.5 against 2.5 µs
 * per request). Past `maxPendingBytes` the trace loop waits
 * (`room`), so a slow reader leaves requests in the Snooper's bounded queue and backlog instead
 * of growing memory here.
 */
export class BatchedOutput {
  private pending: Buffer;
  private spare: Buffer;
  private pendingBytes = 0;
  private pendingEvents = 0;
  private writing = false;
  private failure: { error: unknown } | undefined;
  /** send() left a batch smaller than `sendBytes` for this timer to write. */
  private sendTimer: NodeJS.Timeout | undefined;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly sink: Pick<OutputSink, 'write'>,
    private readonly maxPendingBytes: number,
    private readonly on: {
      /** Events whose text reached the output (or that had none), in order. */
      written: (events: number) => void;
      /** A write failed: nothing more will be written. */
      failed: (error: unknown) => void;
    },
  ) {
    this.pending = Buffer.allocUnsafeSlow(maxPendingBytes + slackBytes);
    this.spare = Buffer.allocUnsafeSlow(maxPendingBytes + slackBytes);
  }

  /** One request's text, or '' for a request that is not printed. Throws once a write has failed. */
  add(text: string): void {
    if (this.failure) throw this.failure.error;
    if (text !== '') {
      // A UTF-16 code unit takes at most 3 bytes of UTF-8.
      if (this.pendingBytes + text.length * 3 > this.pending.length) this.grow(text.length * 3);
      this.pendingBytes += this.pending.write(text, this.pendingBytes);
    }
    this.pendingEvents++;
    if (!this.writing) void this.pump();
  }

  /**
   * One request: its call's part, written in place by `writeCall` (at most `maxCallBytes`), then
   * the encoded rest. Unlike add(), writing starts only at send(): a batch goes out in one write.
   */
  addCall<C>(call: C, writeCall: (into: Buffer, at: number, call: C) => number, rest: Uint8Array): void {
    if (this.failure) throw this.failure.error;
    if (this.pendingBytes + maxCallBytes + rest.length > this.pending.length) this.grow(maxCallBytes + rest.length);
    const end = writeCall(this.pending, this.pendingBytes, call);
    this.pending.set(rest, end);
    this.pendingBytes = end + rest.length;
    this.pendingEvents++;
  }

  /** A request that is not printed, counted in order (see `written`); writing starts at send(). */
  skip(): void {
    if (this.failure) throw this.failure.error;
    this.pendingEvents++;
  }

  /**
   * Starts writing what was added, unless a write is in flight (what follows goes next when it
   * ends); less than `sendBytes` is written within `sendDelayMs`, with what comes meanwhile.
   */
  send(): void {
    if (this.failure) throw this.failure.error;
    if (this.writing || this.pendingEvents === 0) return;
    if (this.pendingBytes >= sendBytes) {
      void this.pump();
      return;
    }
    this.sendTimer ??= setTimeout(() => {
      this.sendTimer = undefined;
      if (!this.writing && this.pendingEvents > 0) void this.pump();
    }, sendDelayMs);
  }

  get full(): boolean {
    return this.pendingBytes >= this.maxPendingBytes;
  }

  /** Resolves once the pending text is below the limit again, or writing failed. */
  async room(): Promise<void> {
    while (this.full && !this.failure) await this.change();
  }

  /** Resolves once everything added was written; rejects with the error that stopped writing. */
  async flush(): Promise<void> {
    if (!this.writing && !this.failure && this.pendingEvents > 0) void this.pump();
    while (this.writing && !this.failure) await this.change();
    if (this.failure) throw this.failure.error;
  }

  /** A request larger than the slack: the pending buffer grows to hold it (the spare follows at the next swap). */
  private grow(bytes: number): void {
    const larger = Buffer.allocUnsafeSlow(this.pendingBytes + bytes + slackBytes);
    this.pending.copy(larger, 0, 0, this.pendingBytes);
    this.pending = larger;
  }

  private async pump(): Promise<void> {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.writing = true;
    while (this.pendingEvents > 0) {
      const bytes = this.pending.subarray(0, this.pendingBytes);
      const events = this.pendingEvents;
      [this.pending, this.spare] = [this.spare, this.pending];
      this.pendingBytes = 0;
      this.pendingEvents = 0;
      this.wake();
      if (bytes.length > 0) {
        try {
          await this.sink.write(bytes);
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
