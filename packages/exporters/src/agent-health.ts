import type { SnooperStats } from 'httpwatcher';

/** What the exporters' own queues did. */
export interface SpanExportStats {
  /** Spans handed to the OTLP exporter and acknowledged by the collector. */
  exported: number;
  /** Spans dropped because the export queue was full (the collector slow or down). */
  droppedQueueFull: number;
  /** Spans dropped because their export failed after the exporter's own retries. */
  droppedExportFailed: number;
  /** Spans waiting in the queue now. */
  queued: number;
}

/** The tracer's health, read when metrics are collected. */
export interface AgentHealth {
  snooper(): SnooperStats;
  /** Processes that could not be traced, by SnooperError code. */
  attachFailures(): ReadonlyMap<string, number>;
  /** Request hosts folded into `other` by --metrics-max-hosts. */
  hostsFolded(): number;
  /** Absent without --otlp. */
  spans?(): SpanExportStats;
}
