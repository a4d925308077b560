import { type GoBinary, GoElfError, clientDoName, type ReadOnlyData } from '@httpwatcher/go-elf';
import {
  resolveLayout,
  type DwarfSections,
  type GoLayout,
  type LayoutTable,
  type ResolvedLayout,
} from '@httpwatcher/go-offsets';
import { contentKey, type BinaryIdentity } from './binary-identity.js';
import { goBinaryOf, openBinaryFile, type OpenBinary } from './binary-file.js';
import { readProcessFacts, type ProcessFacts } from './process-facts.js';
import { resolveResponseProbes, type ResponseProbes, type ResponseUnavailable } from './response-probes.js';
import { readProcessDeniedMessage } from './permission-advice.js';
import { SnooperError } from './snooper-error.js';

/** What a binary's ELF says about tracing it: shared by every process running that file. */
export interface ProbeConfig {
  goVersion: string;
  /** The Go main module's path from the build info (`example.com/svc`), or the main package's when no module is recorded. */
  mainModule: string;
  arch: 'amd64' | 'arm64';
  layout: GoLayout;
  /** Which offsets entry applies, e.g. "go1.24 amd64 swiss". */
  layoutEntry: string;
  layoutSource: 'table' | 'dwarf';
  probe: { address: number; fileOffset: number; afterStackCheck: boolean };
  /** The function probed (net/http.(*Client).do): every probe offset must be one of its instruction starts. */
  probeFunction: { address: number; fileOffset: number; sizeBytes: number };
  warnings: string[];
  /** Return sites for response tracing (Snooper option `response`), or why there are none. */
  response?: ResponseProbes | ResponseUnavailable;
  /** Where string literals live: header keys and values there are sent as offsets and read from the file. */
  readOnlyData?: ReadOnlyData;
  /** Position independent: each process has its own load bias, so addresses differ per process. */
  pie?: boolean;
  /** The lowest link-time address of executable code: with the kernel's mm->start_code, a PIE's load bias. */
  executableStart?: number;
}

/** Everything needed to trace one process: where to probe and how to read its requests. */
export interface ProcessBinary extends ProbeConfig {
  pid: number;
  startTime: string;
  nsPid: number;
  /** The executable as the process sees it. */
  exe: string;
  /** The executable file (device, inode, mtime, size), from fstat of `file`: one uprobe serves every process of it. */
  binary: BinaryIdentity;
  /**
   * The executable, opened once through /proc/<pid>/exe (which reaches the inode across mount
   * namespaces): analysed, identified and attached through. Whoever resolves the process closes it.
   */
  file: OpenBinary;
}

export interface ResolveOptions {
  /** Use this Go version's layout instead of the one in the binary's build info (explicit override). */
  assumeGoVersion?: string;
  /** The offsets table to consult before DWARF; defaults to @httpwatcher/go-offsets' own. */
  layoutTable?: LayoutTable;
}

export type ProcessBinaryResolver = (pid: number, options?: ResolveOptions) => Promise<ProcessBinary>;

const hostArch: Record<string, 'amd64' | 'arm64'> = { x64: 'amd64', arm64: 'arm64' };

async function dwarfSections(binary: GoBinary): Promise<DwarfSections | undefined> {
  const read = async (name: string): Promise<Buffer | undefined> =>
    (await binary.section(`.debug_${name}`)) ?? (await binary.section(`.zdebug_${name}`));
  const info = await read('info');
  const abbrev = await read('abbrev');
  if (!info || !abbrev) return undefined;
  const [str, lineStr, strOffsets, addr] = await Promise.all([
    read('str'),
    read('line_str'),
    read('str_offsets'),
    read('addr'),
  ]);
  return {
    info,
    abbrev,
    ...(str && { str }),
    ...(lineStr && { lineStr }),
    ...(strOffsets && { strOffsets }),
    ...(addr && { addr }),
  };
}

/** Resolves layout and probe location from an opened Go binary. */
export async function resolveBinary(binary: GoBinary, options: ResolveOptions = {}): Promise<ProbeConfig> {
  const warnings: string[] = [];
  const expectedArch = hostArch[process.arch];
  if (binary.arch !== expectedArch) {
    throw new SnooperError(
      'UNSUPPORTED_ARCH',
      `${binary.path}: the binary is ${binary.arch} but this machine runs ${process.arch}`,
    );
  }
  const info = await binary.buildInfo();
  const goexperiment = info.setting('GOEXPERIMENT');
  const goVersion = options.assumeGoVersion ?? info.goVersion;
  if (options.assumeGoVersion)
    warnings.push(
      `using the layout of ${options.assumeGoVersion} as asked, although the binary says ${info.goVersion}`,
    );
  let resolved: ResolvedLayout;
  try {
    resolved = resolveLayout(
      { goVersion, arch: binary.arch, ...(goexperiment !== undefined && { goexperiment }) },
      options.layoutTable,
    );
  } catch (error) {
    const dwarf = binary.hasDwarf ? await dwarfSections(binary) : undefined;
    if (!dwarf) throw error;
    resolved = resolveLayout(
      { goVersion, arch: binary.arch, ...(goexperiment !== undefined && { goexperiment }), dwarf },
      options.layoutTable,
    );
  }

  const fn = await binary.findFunction(clientDoName);
  let probe: ProbeConfig['probe'];
  try {
    const after = await binary.stackCheckEnd(fn);
    probe = { ...after, afterStackCheck: true };
  } catch (error) {
    if (!(error instanceof GoElfError) || error.code !== 'PROLOGUE_NOT_RECOGNISED') throw error;
    probe = { address: fn.entry, fileOffset: fn.fileOffset, afterStackCheck: false };
    warnings.push(
      `the prologue of ${clientDoName} was not recognised; probing its entry, where a stack growth can report a request twice`,
    );
  }
  return {
    goVersion: info.goVersion,
    mainModule: info.main?.path || info.path,
    arch: binary.arch,
    layout: resolved.layout,
    layoutEntry: resolved.entry,
    layoutSource: resolved.source,
    probe,
    probeFunction: { address: fn.entry, fileOffset: fn.fileOffset, sizeBytes: fn.size },
    warnings,
    response: await resolveResponseProbes(binary, fn, resolved.layout),
    ...(binary.readOnlyData && { readOnlyData: binary.readOnlyData }),
    pie: binary.isPie,
    ...(binary.executableStart !== undefined && { executableStart: binary.executableStart }),
  };
}

function accessError(pid: number, cause: unknown): SnooperError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new SnooperError('PERMISSION_DENIED', readProcessDeniedMessage(pid, code), { pid, cause });
  }
  return new SnooperError('NO_SUCH_PROCESS', `pid ${pid}: no such process`, { pid, cause });
}

/** The process's facts and its executable, opened once: what is parsed and attached is what was identified. */
async function openProcess(pid: number): Promise<{ facts: ProcessFacts; file: OpenBinary }> {
  let facts: ProcessFacts;
  try {
    facts = await readProcessFacts(pid);
  } catch (cause) {
    throw accessError(pid, cause);
  }
  try {
    return { facts, file: await openBinaryFile(`/proc/${pid}/exe`) };
  } catch (cause) {
    throw accessError(pid, cause);
  }
}

function processBinaryOf(pid: number, facts: ProcessFacts, file: OpenBinary, binary: ProbeConfig): ProcessBinary {
  return {
    ...binary,
    warnings: [...binary.warnings],
    pid,
    startTime: facts.startTime,
    nsPid: facts.nsPid,
    exe: facts.exe,
    binary: file.identity,
    file,
  };
}

async function resolveOpen(file: OpenBinary, path: string, options: ResolveOptions): Promise<ProbeConfig> {
  await using binary = await goBinaryOf(file, path);
  return await resolveBinary(binary, options);
}

/** Resolves a process from scratch: /proc facts, then its executable's ELF. The caller closes `file`. */
export const resolveProcessBinary: ProcessBinaryResolver = async (pid, options = {}) => {
  const { facts, file } = await openProcess(pid);
  try {
    return processBinaryOf(pid, facts, file, await resolveOpen(file, `/proc/${pid}/exe`, options));
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
};

/**
 * Resolution with a per-file cache: a binary's ELF is read once, however many of its processes
 * (replicas, later execs) are attached. Keyed by the identity fstat gives of the opened file
 * (device, inode, mtime and size), so a rebuilt file is read again; failures (not Go, no client)
 * are cached too, so each non-Go binary costs once.
 */
export class ProbeConfigCache {
  private readonly binaries = new Map<string, Promise<ProbeConfig>>();

  constructor(private readonly maxBinaries = 4096) {}

  readonly forPid: ProcessBinaryResolver = async (pid, options = {}) => {
    const { facts, file } = await openProcess(pid);
    try {
      return processBinaryOf(pid, facts, file, await this.cached(file, `/proc/${pid}/exe`, options));
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  };

  /** A binary by path (spawn, attachBinary): what to probe and the file it was read from, open (the caller closes it). */
  async forFile(path: string, options: ResolveOptions = {}): Promise<{ probeConfig: ProbeConfig; file: OpenBinary }> {
    let file: OpenBinary;
    try {
      file = await openBinaryFile(path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new SnooperError(
        code === 'EACCES' || code === 'EPERM' ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT',
        `${path}: cannot read the executable (${code})`,
        { cause },
      );
    }
    try {
      return { probeConfig: await this.cached(file, path, options), file };
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  private cached(file: OpenBinary, path: string, options: ResolveOptions): Promise<ProbeConfig> {
    if (options.layoutTable) return resolveOpen(file, path, options); // a caller's own table: not shareable
    const identity = file.identity;
    const key = `${contentKey(identity)}:${identity.sizeBytes}:${options.assumeGoVersion ?? ''}`;
    let entry = this.binaries.get(key);
    if (!entry) {
      entry = resolveOpen(file, path, options);
      if (this.binaries.size >= this.maxBinaries) this.binaries.delete(this.binaries.keys().next().value!);
      this.binaries.set(key, entry);
      // A failure to read is about this attempt (e.g. the process exited), not about the file.
      entry.catch((error: unknown) => {
        const code = (error as { code?: string }).code;
        if (code === 'NO_SUCH_PROCESS' || code === 'PERMISSION_DENIED' || code === 'IO_ERROR')
          this.binaries.delete(key);
      });
    }
    return entry;
  }
}
