import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpanQueue } from './span-queue.js';

afterEach(() => vi.useRealTimers());

/** An exporter whose answers the test gives: each export waits until answer() is called. */
function controlledExporter() {
  const calls: Array<{ spans: ReadableSpan[]; done: (r: ExportResult) => void }> = [];
  const exporter: SpanExporter = {
    export: (spans, done) => void calls.push({ spans, done }),
    shutdown: async () => undefined,
  };
  return { exporter, calls };
}

const span = (n: number) => ({ name: `s${n}` }) as unknown as ReadableSpan;

describe('SpanQueue', () => {
  it('exports a full batch at once and a partial one after the delay', async () => {
    vi.useFakeTimers();
    const { exporter, calls } = controlledExporter();
    const q = new SpanQueue(exporter, { maxQueue: 10, maxBatch: 2, delayMs: 100, maxBackoffMs: 1000 });
    q.onEnd(span(1));
    q.onEnd(span(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.spans.length)).toEqual([2]);
    calls[0]!.done({ code: ExportResultCode.SUCCESS });
    q.onEnd(span(3));
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.spans.length)).toEqual([2, 1]);
    calls[1]!.done({ code: ExportResultCode.SUCCESS });
    await vi.advanceTimersByTimeAsync(0);
    expect(q.stats()).toEqual({ exported: 3, droppedQueueFull: 0, droppedExportFailed: 0, queued: 0 });
  });

  it('counts spans past the queue bound and failed exports as dropped, backs off, and resumes', async () => {
    vi.useFakeTimers();
    const { exporter, calls } = controlledExporter();
    const q = new SpanQueue(exporter, { maxQueue: 3, maxBatch: 3, delayMs: 100, maxBackoffMs: 4000 });
    for (let i = 0; i < 3; i++) q.onEnd(span(i));
    await vi.advanceTimersByTimeAsync(0);
    // The export is in flight (the collector hangs): the queue fills, then drops.
    for (let i = 3; i < 8; i++) q.onEnd(span(i));
    expect(q.stats()).toMatchObject({ queued: 3, droppedQueueFull: 2 });
    calls[0]!.done({ code: ExportResultCode.FAILED });
    // After a failure the next export waits 1 s, then 2 s, ...
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    calls[1]!.done({ code: ExportResultCode.FAILED });
    q.onEnd(span(9));
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    calls[2]!.done({ code: ExportResultCode.SUCCESS });
    await vi.advanceTimersByTimeAsync(0);
    expect(q.stats()).toEqual({ exported: 1, droppedQueueFull: 2, droppedExportFailed: 6, queued: 0 });
  });

  it('flushes what is queued at shutdown and takes nothing after', async () => {
    const exported: string[] = [];
    const exporter: SpanExporter = {
      export: (spans, done) => {
        exported.push(...spans.map((s) => s.name));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => undefined,
    };
    const q = new SpanQueue(exporter, { maxQueue: 10, maxBatch: 2, delayMs: 60_000, maxBackoffMs: 60_000 });
    for (let i = 0; i < 5; i++) q.onEnd(span(i));
    await q.shutdown();
    q.onEnd(span(9));
    expect(exported).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(q.stats()).toEqual({ exported: 5, droppedQueueFull: 0, droppedExportFailed: 0, queued: 0 });
  });
});
