import { inspectBinary } from 'httpwatcher';
import { escapeJsonControls } from './json-text.js';
import { escapeControls, escapeField } from './terminal-text.js';

const hex = (n: number | undefined): string => (n === undefined ? '-' : `0x${n.toString(16)}`);

/** What a binary says about itself (its path, build info) is escaped: its author chose every byte. */
export async function runInspect(pidOrPathText: string, json: boolean, out: NodeJS.WritableStream): Promise<void> {
  const pathOrPid = /^\d+$/.test(pidOrPathText) ? Number(pidOrPathText) : pidOrPathText;
  const r = await inspectBinary(pathOrPid);
  if (json) {
    out.write(`${escapeJsonControls(JSON.stringify(r, null, 2))}\n`);
    return;
  }
  const rows: [string, string][] = [
    ['path', escapeField(r.path)],
    ['go version', escapeField(r.goVersion)],
    ['arch', r.arch],
    ['build mode', escapeField(r.buildMode)],
    ['cgo', r.cgo === undefined ? 'unknown' : String(r.cgo)],
    ['GOEXPERIMENT', escapeField(r.goexperiment) || '-'],
    ['stripped', String(r.stripped)],
    ['DWARF', String(r.hasDwarf)],
    [
      r.clientDo.name,
      `${hex(r.clientDo.address)} (file offset ${hex(r.clientDo.fileOffset)}, ${r.clientDo.size} bytes, from ${r.clientDo.source})`,
    ],
    [
      'probe',
      `${hex(r.clientDo.probeAddress)} (file offset ${hex(r.clientDo.probeFileOffset)}, after the stack check)`,
    ],
    [
      'offsets',
      'entry' in r.layout
        ? `${escapeField(r.layout.entry)} (${r.layout.source})`
        : `none: ${escapeControls(r.layout.error)}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out.write(`${k.padEnd(width)}  ${v}\n`);
}
