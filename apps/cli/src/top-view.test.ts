import { describe, expect, it } from 'vitest';
import type { GroupRow } from './top-stats.js';
import { renderView, type ViewData, type ViewState } from './top-view.js';

const row = (over: Partial<GroupRow>): GroupRow => ({
  pid: 10,
  label: 'api.test',
  total: 1,
  errors: 0,
  rate: 0,
  p50: 1,
  p99: 2,
  ...over,
});

const data = (rows: GroupRow[]): ViewData => ({
  rows,
  total: rows.reduce((n, r) => n + r.total, 0),
  errors: rows.reduce((n, r) => n + r.errors, 0),
  rate: 1.5,
  stats: { kernelDrops: 1, scratchDrops: 3, queueDrops: 2, processes: 2 },
  names: new Map([
    [10, 'client'],
    [11, 'evil\u001b]0;x\u0007'],
  ]),
});

const state: ViewState = { grouping: 'host', sort: 'rate', filter: '', paused: false, message: 'hello' };

describe('renderView', () => {
  it('shows the totals, keys, message, titles and one row per group, sorted, in 80 columns', () => {
    const lines = renderView(
      data([
        row({ total: 3, rate: 0.5 }),
        row({ pid: 11, label: 'b.test', total: 9, errors: 3, rate: 2, p99: 150.25 }),
      ]),
      state,
      80,
      24,
    );
    expect(lines.map((l) => l.text.trimEnd())).toEqual([
      'httpwatcher top  2 traced  12 req  1.5/s  25.0% err  drops 4 kernel 2 queue',
      'g group: host  s sort: rate  / filter: -  p pause  q quit',
      'hello',
      'PID     PROCESS    HOST                      REQS  RATE/s   ERR%   P50ms   P99ms',
      '11      evil\\x1b]… b.test                       9     2.0   33.3    1.00   150.3',
      '10      client     api.test                     3     0.5    0.0    1.00    2.00',
    ]);
    expect(lines.map((l) => l.style)).toEqual(['title', 'status', 'status', 'header', 'error-row', 'row']);
    for (const l of lines) expect(l.text).toHaveLength(80);
  });

  it('leaves out the least useful columns when narrow, never writing past the width or the height', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row({ label: `h${i}.test`, total: i }));
    const lines = renderView(data(rows), { ...state, sort: 'total' }, 40, 10);
    expect(lines).toHaveLength(10);
    expect(lines[3]!.text.trimEnd()).toBe('PID     HOST                 REQS   ERR%');
    expect(lines[4]!.text.trimEnd()).toBe('10      h29.test               29    0.0');
    expect(lines[9]!.text).toBe('… 25 more'.padEnd(40));
    for (const l of lines) expect(l.text).toHaveLength(40);
  });

  it('cuts a long host+path pattern at its start, where rows look alike', () => {
    const label = '127.0.0.1:33755/v1/orders/:id/items';
    const [, , , , r] = renderView(data([row({ label })]), { ...state, grouping: 'endpoint' }, 80, 24);
    expect(r!.text).toContain(' …5/v1/orders/:id/items ');
  });

  it('keeps the rows whose label or process name contains the filter, in any case', () => {
    const lines = renderView(
      data([row({ label: 'API.test' }), row({ label: 'x.test', pid: 11 }), row({ label: 'y.test' })]),
      { ...state, filter: 'api', sort: 'name' },
      80,
      24,
    );
    expect(lines.slice(4).map((l) => l.text.split(/\s+/)[2])).toEqual(['API.test']);
    const byName = renderView(data([row({ label: 'x.test', pid: 11 })]), { ...state, filter: 'EVIL' }, 80, 24);
    expect(byName).toHaveLength(5);
  });
});
