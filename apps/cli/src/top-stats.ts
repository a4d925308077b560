import type { HttpRequestEvent } from 'httpwatcher';
import { urlHostAndPath } from './request-filter.js';

/** What `top` groups requests by, besides their process. */
export type Grouping = 'host' | 'endpoint' | 'method' | 'status';
export const groupings: readonly Grouping[] = ['host', 'endpoint', 'method', 'status'];

/** Seconds of the rate's sliding window. */
export const rateWindowSeconds = 5;
/** Durations kept per cell for percentiles: the most recent ones. */
const samplesPerCell = 512;
/**
 * Distinct (process, host, path pattern, method, status) cells kept: a program calling a new URL
 * each time must not grow memory without end. Past it, requests count in one "(other)" cell.
 */
const maxCells = 5000;

/** Digits, UUIDs and long hex in a path segment vary per call: `/users/42` is `/users/:id`. */
const idSegment = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

export function pathPattern(path: string): string {
  return path
    .split('/')
    .map((s) => (idSegment.test(s) ? ':id' : s))
    .join('/');
}

/** A request that failed: do() returned an error, or the server answered 5xx. */
const failed = (ev: HttpRequestEvent): boolean => ev.error === true || (ev.status !== undefined && ev.status >= 500);

interface Cell {
  readonly pid: number;
  readonly labels: Readonly<Record<Grouping, string>>;
  total: number;
  errors: number;
  /** Requests per second for the last seconds, by absolute second. */
  readonly perSecond: Map<number, number>;
  /** Latest durations in ms, a ring of samplesPerCell. */
  readonly samples: number[];
  next: number;
}

/** One row of the view. */
export interface GroupRow {
  readonly pid: number;
  readonly label: string;
  readonly total: number;
  readonly errors: number;
  /** Requests per second over the last rateWindowSeconds. */
  readonly rate: number;
  /** Milliseconds; undefined with no duration seen. */
  readonly p50: number | undefined;
  readonly p99: number | undefined;
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Counts, rates and latencies of the requests `top` has seen, per process and group. */
export class TopStats {
  private readonly cells = new Map<string, Cell>();
  total = 0;
  errors = 0;
  private readonly perSecond = new Map<number, number>();

  constructor(private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000)) {}

  add(ev: HttpRequestEvent): void {
    const { host: urlHost, path } = urlHostAndPath(ev.url);
    const host = ev.host ?? urlHost;
    const status =
      ev.status !== undefined ? String(ev.status) : ev.error ? 'ERR' : ev.durationNs === undefined ? '-' : 'none';
    const labels = { host, endpoint: `${host}${pathPattern(path)}`, method: ev.method, status };
    let key = `${ev.pid}\0${host}\0${labels.endpoint}\0${ev.method}\0${status}`;
    let cell = this.cells.get(key);
    if (!cell && this.cells.size >= maxCells) {
      key = `${ev.pid}\0(other)`;
      cell = this.cells.get(key);
      labels.host = labels.endpoint = labels.method = labels.status = '(other)';
    }
    if (!cell) {
      cell = { pid: ev.pid, labels, total: 0, errors: 0, perSecond: new Map(), samples: [], next: 0 };
      this.cells.set(key, cell);
    }
    const second = this.nowSeconds();
    cell.total++;
    this.total++;
    if (failed(ev)) {
      cell.errors++;
      this.errors++;
    }
    bump(cell.perSecond, second);
    bump(this.perSecond, second);
    if (ev.durationNs !== undefined) {
      if (cell.samples.length < samplesPerCell) cell.samples.push(ev.durationNs / 1e6);
      else cell.samples[cell.next] = ev.durationNs / 1e6;
      cell.next = (cell.next + 1) % samplesPerCell;
    }
  }

  /** Requests per second over the window, all processes. */
  rate(): number {
    return windowRate(this.perSecond, this.nowSeconds());
  }

  /** The rows for a grouping: cells of one process and label merged. */
  rows(grouping: Grouping): GroupRow[] {
    const now = this.nowSeconds();
    const merged = new Map<string, { pid: number; label: string; cells: Cell[] }>();
    for (const cell of this.cells.values()) {
      const label = cell.labels[grouping];
      const key = `${cell.pid}\0${label}`;
      const group = merged.get(key) ?? { pid: cell.pid, label, cells: [] };
      group.cells.push(cell);
      merged.set(key, group);
    }
    return [...merged.values()].map(({ pid, label, cells }) => {
      const samples = cells.flatMap((c) => c.samples).sort((a, b) => a - b);
      return {
        pid,
        label,
        total: cells.reduce((n, c) => n + c.total, 0),
        errors: cells.reduce((n, c) => n + c.errors, 0),
        rate: cells.reduce((n, c) => n + windowRate(c.perSecond, now), 0),
        p50: percentile(samples, 50),
        p99: percentile(samples, 99),
      };
    });
  }
}

function bump(perSecond: Map<number, number>, second: number): void {
  perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  for (const s of perSecond.keys()) if (s < second - rateWindowSeconds) perSecond.delete(s);
}

/** Requests in the complete seconds of the window (the current one is still counting). */
function windowRate(perSecond: Map<number, number>, now: number): number {
  let n = 0;
  for (const [s, count] of perSecond) if (s < now && s >= now - rateWindowSeconds) n += count;
  return n / rateWindowSeconds;
}
