import type { SnooperStats } from 'httpwatcher';
import { escapeField } from './terminal-text.js';
import type { GroupRow, Grouping } from './top-stats.js';

export type SortKey = 'rate' | 'total' | 'errors' | 'p99' | 'name';
export const sortKeys: readonly SortKey[] = ['rate', 'total', 'errors', 'p99', 'name'];

/** How a line is drawn: the terminal layer maps these to attributes, or to none under NO_COLOR. */
export type LineStyle = 'title' | 'header' | 'row' | 'error-row' | 'status';

export interface ViewLine {
  text: string;
  style: LineStyle;
}

export interface ViewState {
  grouping: Grouping;
  sort: SortKey;
  /** Rows whose label or process name contains this (any case). */
  filter: string;
  paused: boolean;
  /** The latest diagnostic (attach notices, exits, errors). */
  message: string;
}

export interface ViewData {
  rows: readonly GroupRow[];
  total: number;
  errors: number;
  rate: number;
  stats: Pick<SnooperStats, 'kernelDrops' | 'scratchDrops' | 'queueDrops' | 'processes'>;
  /** Process names by pid (from /proc comm or the binary's name). */
  names: ReadonlyMap<number, string>;
}

interface Column {
  title: string;
  width: number;
  /** Dropped first when the terminal is narrow: lower goes first. */
  priority: number;
  cell: (row: GroupRow, name: string) => string;
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const percent = (errors: number, total: number): string => (total === 0 ? '-' : ((100 * errors) / total).toFixed(1));

const columns: readonly Column[] = [
  { title: 'PID', width: 7, priority: 4, cell: (r) => String(r.pid) },
  { title: 'PROCESS', width: 10, priority: 1, cell: (_r, name) => name },
  { title: 'REQS', width: 7, priority: 6, cell: (r) => String(r.total) },
  { title: 'RATE/s', width: 7, priority: 3, cell: (r) => r.rate.toFixed(1) },
  { title: 'ERR%', width: 6, priority: 5, cell: (r) => percent(r.errors, r.total) },
  { title: 'P50ms', width: 7, priority: 0, cell: (r) => ms(r.p50) },
  { title: 'P99ms', width: 7, priority: 2, cell: (r) => ms(r.p99) },
];
const labelTitles: Readonly<Record<Grouping, string>> = {
  host: 'HOST',
  endpoint: 'HOST+PATH',
  method: 'METHOD',
  status: 'STATUS',
};
/** The group's column gets the room the others leave, at least this. */
const minLabelWidth = 12;

/** Cuts or pads to exactly `width` characters; a cut shows `…` (at the start with `keepEnd`). */
function fitWidth(text: string, width: number, right = false, keepEnd = false): string {
  if (text.length > width) {
    if (width <= 1) return text.slice(0, width);
    return keepEnd ? `…${text.slice(text.length - width + 1)}` : `${text.slice(0, width - 1)}…`;
  }
  return right ? text.padStart(width) : text.padEnd(width);
}

const compare: Readonly<Record<SortKey, (a: GroupRow, b: GroupRow) => number>> = {
  rate: (a, b) => b.rate - a.rate || b.total - a.total,
  total: (a, b) => b.total - a.total,
  errors: (a, b) => b.errors - a.errors || b.total - a.total,
  p99: (a, b) => (b.p99 ?? -1) - (a.p99 ?? -1),
  name: (a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.pid - b.pid),
};

/**
 * The screen as lines of at most `width` characters, `height` lines at most: a summary, the
 * keys, the latest message, the column titles and one row per group. Columns that do not fit are
 * left out, least useful first. Every text from a traced program is escaped (terminal-text.ts).
 */
export function renderView(data: ViewData, state: ViewState, width: number, height: number): ViewLine[] {
  const errorShare = data.total === 0 ? '0.0' : percent(data.errors, data.total);
  const lines: ViewLine[] = [
    {
      style: 'title',
      text: `httpwatcher top  ${data.stats.processes} traced  ${data.total} req  ${data.rate.toFixed(1)}/s  ${errorShare}% err  drops ${data.stats.kernelDrops + data.stats.scratchDrops} kernel ${data.stats.queueDrops} queue${state.paused ? '  PAUSED' : ''}`,
    },
    {
      style: 'status',
      text: `g group: ${state.grouping}  s sort: ${state.sort}  / filter: ${state.filter === '' ? '-' : escapeField(state.filter)}  p pause  q quit`,
    },
    { style: 'status', text: escapeField(state.message) },
  ];
  let shown = [...columns];
  const need = (cols: readonly Column[]): number => cols.reduce((n, c) => n + c.width + 1, 0) + minLabelWidth;
  while (need(shown) > width && shown.length > 0) {
    const lowest = shown.reduce((a, b) => (b.priority < a.priority ? b : a));
    shown = shown.filter((c) => c !== lowest);
  }
  const labelWidth = Math.max(1, width - shown.reduce((n, c) => n + c.width + 1, 0));
  const leading = shown.filter((c) => c.title === 'PID' || c.title === 'PROCESS');
  const trailing = shown.filter((c) => !leading.includes(c));
  const line = (cells: (c: Column) => string, label: string): string =>
    [
      ...leading.map((c) => fitWidth(cells(c), c.width)),
      // A host+path pattern differs in its path: a cut keeps the end.
      fitWidth(label, labelWidth, false, state.grouping === 'endpoint'),
      ...trailing.map((c) => fitWidth(cells(c), c.width, true)),
    ]
      .join(' ')
      .slice(0, width);
  lines.push({ style: 'header', text: line((c) => c.title, labelTitles[state.grouping]) });

  const needle = state.filter.toLowerCase();
  const rows = data.rows
    .filter((r) => {
      if (needle === '') return true;
      const name = data.names.get(r.pid) ?? '';
      return r.label.toLowerCase().includes(needle) || name.toLowerCase().includes(needle);
    })
    .sort(compare[state.sort]);
  const room = Math.max(0, height - lines.length);
  const visible = rows.length > room ? rows.slice(0, Math.max(0, room - 1)) : rows;
  for (const r of visible) {
    const name = escapeField(data.names.get(r.pid) ?? '?');
    lines.push({
      style: r.errors > 0 ? 'error-row' : 'row',
      text: line((c) => c.cell(r, name), escapeField(r.label)),
    });
  }
  if (visible.length < rows.length) lines.push({ style: 'status', text: `… ${rows.length - visible.length} more` });
  return lines.slice(0, height).map((l) => ({ ...l, text: fitWidth(l.text, width) }));
}
