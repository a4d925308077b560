import type { HttpRequestEvent, HttpRequestShape } from 'httpwatcher';
import { isoTimeOfMs } from './iso-time.js';
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

/** What a request's text starts with: its time (with --timestamps) and PID; ASCII. */
export function textCall(timeMs: number, pid: number, options: TextOptions): string {
  return `${options.timestamps ? `${paint(options.color, '2', isoTimeOfMs(timeMs))} ` : ''}${pid} `;
}

/**
 * The rest of a request's text, from its method on: the same for every call of the same request.
 * `outcome` goes at the end of the first line (what --transport and --response add).
 */
export function textRequest(
  request: HttpRequestShape,
  { url, headers }: ShownRequest,
  options: TextOptions,
  outcome = '',
): string {
  const c = options.color;
  const host = request.host !== undefined ? ` (Host: ${esc(request.host)})` : '';
  const lines = [`${paint(c, '1;36', esc(request.method))} ${esc(url)}${host}${outcome}`];
  for (const key of Object.keys(headers).sort()) lines.push(`  ${paint(c, '33', esc(key))}: ${esc(headers[key]!)}`);
  if (request.truncated.headers)
    lines.push(`  ${paint(c, '2', `… ${request.headerCount - Object.keys(headers).length} more headers`)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `PID METHOD URL`, then one `  Key: Value` line per header (the original httpwatcher's format).
 * Every field is escaped (terminal-text.ts): a request is always that many lines, whatever it carries.
 */
export function formatText(ev: HttpRequestEvent, shown: ShownRequest, options: TextOptions): string {
  const c = options.color;
  return textCall(ev.time.getTime(), ev.pid, options) + textRequest(ev, shown, options, origin(ev, c) + outcome(ev, c));
}
