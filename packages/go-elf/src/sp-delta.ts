import { GoElfError } from './go-elf-error.js';
import type { ElfImage } from './elf-image.js';
import type { PclntabHeader } from './pclntab-header.js';
import type { PclntabFunction } from './pclntab-lookup.js';

/** A run of a function's code with one stack-pointer delta: `start`–`end` are offsets from the entry. */
export interface SpDeltaRun {
  start: number;
  end: number;
  /** Bytes the frame holds below the caller's SP (the return address excluded): 0 before the frame is built and where it is torn down. */
  delta: number;
}

/** The longest pcsp table read: Client.do's is under 100 bytes, and each run costs at most 10. */
const maxTableBytes = 1 << 20;

/**
 * The pclntab's SP-delta (pcsp) table of one function: the compiler's own record of how far SP is below
 * its value at entry at every pc. At each RET the frame is torn down, so the delta there is 0; a "return"
 * where it is not (an arm64 literal-pool word that happens to encode RET, a misdecoded byte) is not one.
 */
export async function readSpDeltas(image: ElfImage, tab: PclntabHeader, fn: PclntabFunction): Promise<SpDeltaRun[]> {
  const path = image.path;
  const corrupt = (found: string) =>
    new GoElfError(
      'CORRUPT',
      path,
      `expected a pcsp table that covers the function, found ${found}; the pclntab is corrupt`,
    );
  const pcspField = tab.functabEntryBytes === 16 ? 20 : 16; // after entry (8 or 4 bytes), nameOff, args, deferreturn
  const pcsp = (await image.space.read(tab.funcDataVaddr + fn.funcoff + pcspField, 4, '_func.pcsp')).readUInt32LE(0);
  if (pcsp === 0) throw corrupt('none (pcsp offset 0)');
  const start = tab.pctabVaddr + pcsp;
  if (start >= tab.limit) throw corrupt(`an offset of ${pcsp} past the table's end`);
  const table = await image.space.read(start, Math.min(maxTableBytes, tab.limit - start), 'pcsp table');
  const size = fn.end - fn.entry;
  const runs: SpDeltaRun[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (at >= table.length) throw corrupt('a table that runs past what was read');
      const byte = table[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw corrupt('a varint longer than 5 bytes');
  };
  let delta = -1;
  let pc = 0;
  while (pc < size) {
    const first = runs.length === 0;
    const uvdelta = varint();
    if (uvdelta === 0 && !first) break; // the table ends: pcs beyond it have no recorded delta
    if (uvdelta > 0xffffffff) throw corrupt('a value delta beyond 32 bits');
    delta += (uvdelta >>> 1) ^ -(uvdelta & 1);
    const pcdelta = varint() * tab.pcQuantum;
    if (pcdelta === 0) throw corrupt('a run of no bytes');
    runs.push({ start: pc, end: pc + pcdelta, delta });
    pc += pcdelta;
  }
  return runs;
}

/** The delta at `offset` from the entry, or undefined where the table records none. */
export function spDeltaAt(runs: readonly SpDeltaRun[], offset: number): number | undefined {
  return runs.find((r) => offset >= r.start && offset < r.end)?.delta;
}
