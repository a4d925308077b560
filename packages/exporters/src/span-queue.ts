import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExportStats } from './agent-health.js';

export interface SpanQueueOptions {
  /** Spans held while the collector is slow or down; later ones are dropped and counted (OTEL_BSP_MAX_QUEUE_SIZE). */
  maxQueue: number;
  /** Spans per export request (OTEL_BSP_MAX_EXPORT_BATCH_SIZE). */
  maxBatch: number;
  /** Longest wait before a partial batch goes out (OTEL_BSP_SCHEDULE_DELAY). */
  delayMs: number;
  /** Longest pause between exports after failures; the pause doubles from `delayMs` up to it. */
  maxBackoffMs: number;
}

/**
 * A batching span processor that counts what it loses. The SDK's BatchSpanProcessor drops spans
 * past its queue silently; an agent that runs for days must say how many it dropped and why. One
 * export is in flight at a time; after a failed one (the collector down: the OTLP exporter has
 * already retried) the next waits longer, up to `maxBackoffMs`, and the first success resets it.
 */
export class SpanQueue implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private pauseMs: number;
  private closed = false;
  private readonly counts = { exported: 0, droppedQueueFull: 0, droppedExportFailed: 0 };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: SpanQueueOptions,
  ) {
    this.pauseMs = options.delayMs;
  }

  stats(): SpanExportStats {
    return { ...this.counts, queued: this.queue.length };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.maxQueue) {
      this.counts.droppedQueueFull++;
      return;
    }
    this.queue.push(span);
    if (this.inFlight) return;
    // A full batch goes at once, unless the collector is failing: then it waits out the pause.
    const backingOff = this.pauseMs > this.options.delayMs;
    this.schedule(this.queue.length >= this.options.maxBatch && !backingOff ? 0 : this.pauseMs);
  }

  /** Exports everything queued now (used at shutdown), failures counted as usual. */
  async forceFlush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    while (this.queue.length > 0) await this.exportBatch();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    await this.exporter.shutdown();
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.exportBatch().then(() => {
        if (this.queue.length > 0 && !this.closed)
          this.schedule(
            this.queue.length >= this.options.maxBatch && this.pauseMs <= this.options.delayMs ? 0 : this.pauseMs,
          );
      });
    }, delayMs);
    // Pending spans must not keep the agent alive: shutdown() flushes them.
    this.timer.unref();
  }

  private exportBatch(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const batch = this.queue.splice(0, this.options.maxBatch);
    if (batch.length === 0) return Promise.resolve();
    this.inFlight = new Promise<ExportResult>((resolve) => {
      try {
        this.exporter.export(batch, resolve);
      } catch (error) {
        resolve({ code: ExportResultCode.FAILED, error: error as Error });
      }
    }).then((result) => {
      this.inFlight = undefined;
      if (result.code === ExportResultCode.SUCCESS) {
        this.counts.exported += batch.length;
        this.pauseMs = this.options.delayMs;
      } else {
        this.counts.droppedExportFailed += batch.length;
        this.pauseMs = Math.min(Math.max(this.pauseMs * 2, 1_000), this.options.maxBackoffMs);
      }
    });
    return this.inFlight;
  }
}
