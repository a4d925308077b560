import type { BuildInfo, Module } from '../build-info.js';

/** Renders build info the way `go version -m <file>` prints it (runtime/debug BuildInfo.String, tab-indented). */
export function renderGoVersionM(file: string, info: BuildInfo): string[] {
  const lines = [`${file}: ${info.goVersion}`];
  if (info.path) lines.push(`\tpath\t${info.path}`);
  const module = (word: string, m: Module) => {
    if (m.replace) {
      lines.push(`\t${word}\t${m.path}\t${m.version}`);
      module('=>', m.replace);
    } else {
      lines.push(`\t${word}\t${m.path}\t${m.version}\t${m.sum ?? ''}`);
    }
  };
  if (info.main) module('mod', info.main);
  for (const dep of info.deps) module('dep', dep);
  for (const { key, value } of info.settings) {
    const k = /[= \t\r\n"`]/.test(key) || key === '' ? JSON.stringify(key) : key;
    const v = /[ \t\r\n"`]/.test(value) ? JSON.stringify(value) : value;
    lines.push(`\tbuild\t${k}=${v}`);
  }
  return lines;
}
