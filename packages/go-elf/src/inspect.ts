import { GoBinary } from './go-binary.js';
import type { GoArch } from './elf-header.js';
import { GoElfError } from './go-elf-error.js';

export const clientDoName = 'net/http.(*Client).do';

export interface Inspection {
  path: string;
  goVersion: string;
  arch: GoArch;
  /** `-buildmode` from build info, else `pie`/`exe` from the ELF type (Go before 1.18 records no settings). */
  buildMode: string;
  /** From CGO_ENABLED; undefined when the build info does not say (Go before 1.18). */
  cgo: boolean | undefined;
  goexperiment: string;
  stripped: boolean;
  hasDwarf: boolean;
  clientDo: {
    name: string;
    address: number;
    fileOffset: number;
    size: number;
    source: 'symtab' | 'pclntab';
    /** After the stack-bound check; undefined when the prologue was not recognised (probe `address` then). */
    probeAddress: number | undefined;
    probeFileOffset: number | undefined;
  };
}

/** Everything `httpwatcher inspect` prints, for a path or a PID. */
export async function inspectGoBinary(pathOrPid: string | number): Promise<Inspection> {
  await using binary =
    typeof pathOrPid === 'number' ? await GoBinary.openPid(pathOrPid) : await GoBinary.open(pathOrPid);
  const info = await binary.buildInfo();
  const fn = await binary.findFunction(clientDoName);
  let probe: { address: number; fileOffset: number } | undefined;
  try {
    probe = await binary.stackCheckEnd(fn);
  } catch (error) {
    if (!GoElfError.isInstance(error) || error.code !== 'PROLOGUE_NOT_RECOGNISED') throw error;
  }
  const cgo = info.setting('CGO_ENABLED');
  return {
    path: binary.path,
    goVersion: info.goVersion,
    arch: binary.arch,
    buildMode: info.setting('-buildmode') ?? (binary.isPie ? 'pie' : 'exe'),
    cgo: cgo === undefined ? undefined : cgo === '1',
    goexperiment: info.setting('GOEXPERIMENT') ?? '',
    stripped: binary.isStripped,
    hasDwarf: binary.hasDwarf,
    clientDo: {
      name: fn.name,
      address: fn.entry,
      fileOffset: fn.fileOffset,
      size: fn.size,
      source: fn.source,
      probeAddress: probe?.address,
      probeFileOffset: probe?.fileOffset,
    },
  };
}
