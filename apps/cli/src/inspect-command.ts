import { type BinaryInspection, clientDoName, inspectBinary, transportRoundTripName } from 'httpwatcher';
import { escapeJsonControls } from './json-text.js';
import { escapeControls, escapeField } from './terminal-text.js';

const hex = (n: number | undefined): string => (n === undefined ? '-' : `0x${n.toString(16)}`);

/** A probed function's place and probe site, or a row saying the binary lacks it. */
function functionRows(role: string, name: string, fn: BinaryInspection['clientDo']): [string, string][] {
  if (!fn) return [[name, 'absent']];
  return [
    [
      escapeField(fn.name),
      `${hex(fn.address)} (file offset ${hex(fn.fileOffset)}, ${fn.size} bytes, from ${fn.source})`,
    ],
    [`${role} probe`, `${hex(fn.probeAddress)} (file offset ${hex(fn.probeFileOffset)}, after the stack check)`],
  ];
}

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
    ...functionRows('client', clientDoName, r.clientDo),
    ...functionRows('transport', transportRoundTripName, r.transportRoundTrip),
    // Only when linked in: x/net's transport used directly, probed with --transport too.
    ...(r.xNetTransport ? functionRows('x/net transport', r.xNetTransport.name, r.xNetTransport) : []),
    ['coverage', `${r.coverage}: ${escapeControls(r.coverageNote)}`],
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
