import { readFileSync } from 'node:fs';
import { escapeField } from '../terminal-text.js';

/** One request as test-fixtures/hostile-client printed it (its ground truth). */
export interface HostileRequest {
  name: string;
  method: string;
  url: string;
  host?: string;
  headers: Record<string, string>;
}

/** The requests a hostile-client run wrote to its -truth file, checked complete. */
export function readHostileTruth(path: string): HostileRequest[] {
  const lines = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; requests?: number } & HostileRequest);
  const done = lines.find((l) => l.kind === 'done');
  const requests = lines.filter((l) => l.kind === 'request');
  if (done?.requests !== requests.length) throw new Error(`${path} is incomplete: ${lines.length} lines`);
  return requests;
}

/**
 * Characters a terminal would act on, found in output bytes: C0 controls other than newline, DEL,
 * C1 controls (as UTF-8, U+0080–U+009F), the Unicode line separators and bidi controls (which
 * reorder what a line shows), and any byte that is not UTF-8 (a raw 0x9b is CSI on an 8-bit
 * terminal). Each is named, escaped, with its context; empty when the output is safe.
 */
export function terminalControlsIn(bytes: Buffer): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return ['bytes that are not UTF-8'];
  }
  const found: string[] = [];
  for (const m of text.matchAll(
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
  ))
    found.push(JSON.stringify(text.slice(Math.max(0, m.index - 20), m.index + 20)));
  return found;
}

/** The CLI's text for these requests, each field escaped as format-text.ts does: one line, then one per header. */
export function expectedText(pid: number, requests: readonly HostileRequest[]): string {
  let out = '';
  for (const r of requests) {
    const host = r.host === undefined ? '' : ` (Host: ${escapeField(r.host)})`;
    out += `${pid} ${escapeField(r.method)} ${escapeField(r.url)}${host}\n`;
    for (const key of Object.keys(r.headers).sort()) out += `  ${escapeField(key)}: ${escapeField(r.headers[key]!)}\n`;
  }
  return out;
}
