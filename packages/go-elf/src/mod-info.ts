import type { BuildSetting, Module } from './build-info.js';
import { unquoteGoString } from './go-quote.js';

export interface ParsedModInfo {
  path: string;
  main?: Module;
  deps: Module[];
  settings: BuildSetting[];
}

/** Removes the 16-byte sentinels cmd/go wraps around modinfo (`cmd/go/internal/modload/build.go`). */
export function stripModInfoSentinels(raw: Buffer): Buffer {
  // Same rule as debug/buildinfo: without a '\n' before the end sentinel there is no usable modinfo.
  return raw.length >= 33 && raw[raw.length - 17] === 0x0a ? raw.subarray(16, raw.length - 16) : Buffer.alloc(0);
}

/** Parses modinfo text the way runtime/debug.ParseBuildInfo does; returns an error message on malformed input. */
export function parseModInfo(text: string): ParsedModInfo | { error: string } {
  const info: ParsedModInfo = { path: '', deps: [], settings: [] };
  let last: Module | undefined;
  const lines = text.split('\n');
  lines.pop(); // text after the last newline is ignored, as in ParseBuildInfo
  for (const [index, line] of lines.entries()) {
    const fail = (why: string) => ({ error: `line ${index + 1}: ${why}` });
    if (line.startsWith('path\t')) {
      info.path = line.slice(5);
    } else if (line.startsWith('mod\t') || line.startsWith('dep\t')) {
      const module = moduleFromColumns(line.slice(4).split('\t'));
      if (!module) return fail('expected 2 or 3 columns');
      if (line.startsWith('mod\t')) info.main = module;
      else info.deps.push(module);
      last = module;
    } else if (line.startsWith('=>\t')) {
      const cols = line.slice(3).split('\t');
      if (cols.length !== 3) return fail('expected 3 columns for replacement');
      if (!last) return fail('replacement with no module on previous line');
      last.replace = { path: cols[0]!, version: cols[1]!, ...(cols[2] ? { sum: cols[2] } : {}) };
      last = undefined;
    } else if (line.startsWith('build\t')) {
      const setting = parseBuildSetting(line.slice(6));
      if (typeof setting === 'string') return fail(setting);
      info.settings.push(setting);
    }
  }
  return info;
}

function moduleFromColumns(cols: string[]): Module | undefined {
  if (cols.length !== 2 && cols.length !== 3) return undefined;
  return { path: cols[0]!, version: cols[1]!, ...(cols[2] ? { sum: cols[2] } : {}) };
}

function parseBuildSetting(kv: string): BuildSetting | string {
  if (kv.length === 0) return "build line missing '='";
  let key: string;
  let rawValue: string;
  if (kv[0] === '=') return 'build line with missing key';
  if (kv[0] === '"' || kv[0] === '`') {
    const rawKey = quotedPrefix(kv);
    const unquoted = rawKey === undefined ? undefined : unquoteGoString(rawKey);
    if (rawKey === undefined || unquoted === undefined) return 'invalid quoted key in build line';
    if (kv[rawKey.length] !== '=') return "build line missing '=' after quoted key";
    key = unquoted;
    rawValue = kv.slice(rawKey.length + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq < 0) return "build line missing '=' after key";
    key = kv.slice(0, eq);
    rawValue = kv.slice(eq + 1);
    if (/[= \t\r\n"`]/.test(key)) return `unquoted key ${JSON.stringify(key)} must be quoted`;
  }
  let value = rawValue;
  if (rawValue[0] === '"' || rawValue[0] === '`') {
    const unquoted = unquoteGoString(rawValue);
    if (unquoted === undefined) return 'invalid quoted value in build line';
    value = unquoted;
  } else if (/[ \t\r\n"`]/.test(rawValue)) {
    return `unquoted value ${JSON.stringify(rawValue)} must be quoted`;
  }
  return { key, value };
}

/** The leading quoted literal of `s` (strconv.QuotedPrefix), or undefined. */
function quotedPrefix(s: string): string | undefined {
  const quote = s[0]!;
  for (let i = 1; i < s.length; i++) {
    if (quote === '"' && s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === quote) return s.slice(0, i + 1);
    if (quote === '"' && s[i] === '\n') return undefined;
  }
  return undefined;
}
