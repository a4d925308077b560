import { GoBinary, GoElfError, clientDoName } from '@httpwatcher/go-elf';
import { resolveLayout, type DwarfSections, type GoLayout, type LayoutTable } from '@httpwatcher/go-offsets';
import { readProcessFacts } from './process-facts.js';
import { SnooperError } from './snooper-error.js';

/** Everything needed to trace one process: where to probe and how to read its requests. */
export interface ResolvedTarget {
  pid: number;
  startTime: string;
  nsPid: number;
  /** The executable as the process sees it. */
  exe: string;
  /** Path the uprobe attaches through: /proc/<pid>/exe reaches the inode across mount namespaces. */
  attachPath: string;
  goVersion: string;
  arch: 'amd64' | 'arm64';
  layout: GoLayout;
  /** Which offsets entry applies, e.g. "go1.24 amd64 swiss". */
  layoutEntry: string;
  layoutSource: 'table' | 'dwarf';
  probe: { address: number; fileOffset: number; afterStackCheck: boolean };
  warnings: string[];
}

export interface ResolveOptions {
  /** Use this Go version's layout instead of the one in the binary's build info (explicit override). */
  assumeGoVersion?: string;
  /** The offsets table to consult before DWARF; defaults to @httpwatcher/go-offsets' own. */
  layoutTable?: LayoutTable;
}

export type TargetResolver = (pid: number, options?: ResolveOptions) => Promise<ResolvedTarget>;

const hostArch: Record<string, 'amd64' | 'arm64'> = { x64: 'amd64', arm64: 'arm64' };

async function dwarfSections(binary: GoBinary): Promise<DwarfSections | undefined> {
  const read = async (name: string): Promise<Buffer | undefined> =>
    (await binary.section(`.debug_${name}`)) ?? (await binary.section(`.zdebug_${name}`));
  const info = await read('info');
  const abbrev = await read('abbrev');
  if (!info || !abbrev) return undefined;
  const [str, lineStr, strOffsets, addr] = await Promise.all([read('str'), read('line_str'), read('str_offsets'), read('addr')]);
  return {
    info,
    abbrev,
    ...(str && { str }),
    ...(lineStr && { lineStr }),
    ...(strOffsets && { strOffsets }),
    ...(addr && { addr }),
  };
}

export const resolveTarget: TargetResolver = async (pid, options = {}) => {
  let facts;
  try {
    facts = await readProcessFacts(pid);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new SnooperError('PERMISSION_DENIED', `pid ${pid}: cannot read /proc/${pid} (${code}); run as root`, { pid, cause });
    }
    throw new SnooperError('NO_SUCH_PROCESS', `pid ${pid}: no such process`, { pid, cause });
  }
  await using binary = await GoBinary.openPid(pid);
  const warnings: string[] = [];
  const expectedArch = hostArch[process.arch];
  if (binary.arch !== expectedArch) {
    throw new SnooperError('UNSUPPORTED_ARCH', `pid ${pid}: the binary is ${binary.arch} but this machine runs ${process.arch}`, { pid });
  }
  const info = await binary.buildInfo();
  const goexperiment = info.setting('GOEXPERIMENT');
  const goVersion = options.assumeGoVersion ?? info.goVersion;
  if (options.assumeGoVersion) warnings.push(`using the layout of ${options.assumeGoVersion} as asked, although the binary says ${info.goVersion}`);
  let resolved;
  try {
    resolved = resolveLayout({ goVersion, arch: binary.arch, ...(goexperiment !== undefined && { goexperiment }) }, options.layoutTable);
  } catch (error) {
    const dwarf = binary.hasDwarf ? await dwarfSections(binary) : undefined;
    if (!dwarf) throw error;
    resolved = resolveLayout({ goVersion, arch: binary.arch, ...(goexperiment !== undefined && { goexperiment }), dwarf }, options.layoutTable);
  }

  const fn = await binary.findFunction(clientDoName);
  let probe: ResolvedTarget['probe'];
  try {
    const after = await binary.stackCheckEnd(fn);
    probe = { ...after, afterStackCheck: true };
  } catch (error) {
    if (!(error instanceof GoElfError) || error.code !== 'PROLOGUE_NOT_RECOGNISED') throw error;
    probe = { address: fn.entry, fileOffset: fn.fileOffset, afterStackCheck: false };
    warnings.push(
      `pid ${pid}: the prologue of ${clientDoName} was not recognised; probing its entry, where a stack growth can report a request twice`,
    );
  }
  return {
    pid,
    startTime: facts.startTime,
    nsPid: facts.nsPid,
    exe: facts.exe,
    attachPath: `/proc/${pid}/exe`,
    goVersion: info.goVersion,
    arch: binary.arch,
    layout: resolved.layout,
    layoutEntry: resolved.entry,
    layoutSource: resolved.source,
    probe,
    warnings,
  };
};
