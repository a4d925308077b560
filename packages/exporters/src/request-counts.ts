import type { LabeledRequest, RequestLabels } from './request-labels.js';

/**
 * Request counts per label set, kept once for every view (/metrics and OTLP read them when they
 * collect): one map update per event instead of each metrics library hashing its labels.
 */
export class RequestCounts {
  private readonly counts = new Map<string, { labels: RequestLabels; count: number }>();

  add(request: LabeledRequest): void {
    const entry = this.counts.get(request.key);
    if (entry) entry.count++;
    else this.counts.set(request.key, { labels: request.labels, count: 1 });
  }

  entries(): IterableIterator<{ labels: RequestLabels; count: number }> {
    return this.counts.values();
  }
}
