import type { HttpRequestEvent } from 'httpwatcher';
import { isoTime } from './iso-time.js';
import type { ShownRequest } from './shown-request.js';
import { escapeField as esc } from './terminal-text.js';

export interface TextOptions {
  timestamps: boolean;
  color: boolean;
}

const paint = (on: boolean, code: string, s: string): string => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** With --response: ` 200 12.3ms`, ` ERR 3.1ms` when do() failed, ` (no return)` when it never returned. */
function outcome(ev: HttpRequestEvent, c: boolean): string {
  if (ev.durationNs === undefined) return '';
  const ms = `${(ev.durationNs / 1e6).toFixed(1)}ms`;
  if (ev.status !== undefined) return ` ${paint(c, ev.status >= 400 ? '31' : '32', String(ev.status))} ${ms}`;
  return ` ${paint(c, '31', ev.error ? 'ERR' : 'NO-RESPONSE')} ${ms}`;
}

/** With --transport: ` [transport]` for a request sent without http.Client, ` [hop N]` for a redirect hop after the first. */
function origin(ev: HttpRequestEvent, c: boolean): string {
  if (ev.via === 'transport') return ` ${paint(c, '2', '[transport]')}`;
  return ev.hop !== undefined && ev.hop > 0 ? ` ${paint(c, '2', `[hop ${ev.hop}]`)}` : '';
}

/**
 * `PID METHOD URL`, then one `  Key: Value` line per header (the original httpwatcher's format).
 * Every field is escaped (terminal-text.ts): a request is always that many lines, whatever it carries.
 */
export function formatText(ev: HttpRequestEvent, { url, headers }: ShownRequest, options: TextOptions): string {
  const c = options.color;
  const stamp = options.timestamps ? `${paint(c, '2', isoTime(ev.time))} ` : '';
  const host = ev.host !== undefined ? ` (Host: ${esc(ev.host)})` : '';
  const lines = [
    `${stamp}${ev.pid} ${paint(c, '1;36', esc(ev.method))} ${esc(url)}${host}${origin(ev, c)}${outcome(ev, c)}`,
  ];
  for (const key of Object.keys(headers).sort()) lines.push(`  ${paint(c, '33', esc(key))}: ${esc(headers[key]!)}`);
  if (ev.truncated.headers)
    lines.push(`  ${paint(c, '2', `… ${ev.headerCount - Object.keys(headers).length} more headers`)}`);
  return `${lines.join('\n')}\n`;
}
