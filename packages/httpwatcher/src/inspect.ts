import { inspectGoBinary, type Inspection } from '@httpwatcher/go-elf';
import { OffsetsError, resolveLayout } from '@httpwatcher/go-offsets';
import { toSnooperError } from './to-snooper-error.js';

export interface BinaryInspection extends Inspection {
  /** The offsets entry attach would use, or why there is none. */
  layout: { entry: string; source: 'table' | 'dwarf' } | { error: string };
}

/** What httpwatcher sees in a Go binary (by path) or a running process (by PID). */
export async function inspectBinary(pathOrPid: string | number): Promise<BinaryInspection> {
  let inspection: Inspection;
  try {
    inspection = await inspectGoBinary(pathOrPid);
  } catch (error) {
    throw toSnooperError(error, typeof pathOrPid === 'number' ? pathOrPid : 0);
  }
  let layout: BinaryInspection['layout'];
  try {
    const r = resolveLayout({
      goVersion: inspection.goVersion,
      arch: inspection.arch,
      goexperiment: inspection.goexperiment,
    });
    layout = { entry: r.entry, source: r.source };
  } catch (error) {
    if (!(error instanceof OffsetsError)) throw error;
    layout = { error: error.message };
  }
  return { ...inspection, layout };
}
