import type { GoBinary } from '@httpwatcher/go-elf';
import {
  analyzeBinary,
  BinaryAnalyzer,
  type BinaryAnalysis,
  type BinaryAnalysisRequest,
} from '@httpwatcher/go-offsets';
import { contentKey, type BinaryIdentity } from './binary-identity.js';
import { openBinaryFile, type OpenBinary } from './binary-file.js';
import { readProcessFacts, type ProcessFacts } from './process-facts.js';
import { probeConfigOf, type ProbeConfig, type ResolveOptions } from './probe-config.js';
import { readProcessDeniedMessage } from './permission-advice.js';
import { SnooperError } from './snooper-error.js';

export type { ProbeConfig, ResolveOptions } from './probe-config.js';

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

export type ProcessBinaryResolver = (pid: number, options?: ResolveOptions) => Promise<ProcessBinary>;

const hostArch: Record<string, 'amd64' | 'arm64'> = { x64: 'amd64', arm64: 'arm64' };

/**
 * Analyses a binary: in the facade a `BinaryAnalyzer`'s worker thread, so no file, however large or
 * crafted, stalls the event loop that delivers events (under `--all` every exec'd file is analysed).
 */
export type AnalyzeBinary = (request: BinaryAnalysisRequest) => Promise<BinaryAnalysis>;

let sharedAnalyzer: BinaryAnalyzer | undefined;

/** The analyzer of callers that bring none (resolveProcessBinary): its idle worker never keeps Node.js alive. */
function analyzeShared(request: BinaryAnalysisRequest): Promise<BinaryAnalysis> {
  sharedAnalyzer ??= new BinaryAnalyzer();
  return sharedAnalyzer.analyze(request);
}

function requestOf(path: string, options: ResolveOptions): BinaryAnalysisRequest {
  return {
    path,
    ...(hostArch[process.arch] && { expectArch: hostArch[process.arch] }),
    ...(options.assumeGoVersion && { assumeGoVersion: options.assumeGoVersion }),
    ...(options.layoutTable && { layoutTable: options.layoutTable }),
    ...(options.transport && { transport: true }),
  };
}

/** Resolves layout and probe location from a Go binary already parsed, in this thread (tests, inspection). */
export async function resolveBinary(binary: GoBinary, options: ResolveOptions = {}): Promise<ProbeConfig> {
  return probeConfigOf(await analyzeBinary(binary, requestOf(binary.path, options)), options);
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

async function resolveOpen(
  analyze: AnalyzeBinary,
  file: OpenBinary,
  path: string,
  options: ResolveOptions,
): Promise<ProbeConfig> {
  // The worker reads this very descriptor, never the path: what is analysed is what is identified and attached.
  return probeConfigOf(await analyze({ fd: file.fd, ...requestOf(path, options) }), options);
}

/** Resolves a process from scratch: /proc facts, then its executable's ELF. The caller closes `file`. */
export const resolveProcessBinary: ProcessBinaryResolver = async (pid, options = {}) => {
  const { facts, file } = await openProcess(pid);
  try {
    return processBinaryOf(pid, facts, file, await resolveOpen(analyzeShared, file, `/proc/${pid}/exe`, options));
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
const attemptFailures = new Set(['NO_SUCH_PROCESS', 'PERMISSION_DENIED', 'IO_ERROR', 'BUDGET_EXCEEDED', 'ERR_CLOSED']);

export class ProbeConfigCache {
  private readonly binaries = new Map<string, Promise<ProbeConfig>>();

  constructor(
    private readonly analyze: AnalyzeBinary = analyzeShared,
    private readonly maxBinaries = 4096,
  ) {}

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
    if (options.layoutTable) return resolveOpen(this.analyze, file, path, options); // a caller's own table: not shareable
    const identity = file.identity;
    const key = `${contentKey(identity)}:${identity.sizeBytes}:${options.assumeGoVersion ?? ''}`;
    let entry = this.binaries.get(key);
    if (!entry) {
      entry = resolveOpen(this.analyze, file, path, options);
      if (this.binaries.size >= this.maxBinaries) this.binaries.delete(this.binaries.keys().next().value!);
      this.binaries.set(key, entry);
      // A failure to read is about this attempt (e.g. the process exited, the analysis ran out of time
      // on a loaded machine, the Snooper closed), not about the file.
      entry.catch((error: unknown) => {
        if (attemptFailures.has((error as { code?: string }).code ?? '')) this.binaries.delete(key);
      });
    }
    return entry;
  }
}
