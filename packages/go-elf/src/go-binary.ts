import { GoElfError, type GoElfErrorCode } from './go-elf-error.js';
import { type ByteSource, FileReader } from './file-reader.js';
import { ElfImage } from './elf-image.js';
import { PF_X, type GoArch } from './elf-header.js';
import { SHT_SYMTAB } from './elf-sections.js';
import type { BuildInfo } from './build-info.js';
import { findBuildInfoAddress, readBuildInfoAt } from './build-info-reader.js';
import { findPclntab, type PclntabHeader } from './pclntab-header.js';
import { findFunctionInPclntab, resolveTextStart, type PclntabFunction } from './pclntab-lookup.js';
import { findFunctionInSymtab } from './symtab-lookup.js';
import { analyzeAmd64Prologue } from './amd64-prologue.js';
import { analyzeArm64Prologue } from './arm64-prologue.js';
import { sweepAmd64, sweepArm64 } from './return-sites.js';
import { readSpDeltas, spDeltaAt, type SpDeltaRun } from './sp-delta.js';
import type { GoFunction, ProbeLocation, ReadOnlyData } from './go-function.js';
import { processError, procExePath } from './proc-exe.js';
import { goMinorVersion } from './go-version.js';
import { resolveLimits, type GoElfLimits } from './input-limits.js';

const maxFunctionBytes = 16 << 20;

export interface GoBinaryOptions {
  /** Raise (or lower) the ceilings on counts and sizes read from the file; the defaults fit every real Go binary. */
  limits?: Partial<GoElfLimits>;
}

interface FunctionTable {
  header: PclntabHeader;
  textStart: number;
}

/** A Go ELF executable opened for lazy reads: build info, function addresses, uprobe offsets. */
export class GoBinary implements AsyncDisposable {
  readonly path: string;
  readonly arch: GoArch;
  readonly isPie: boolean;
  readonly hasSymtab: boolean;
  readonly hasDwarf: boolean;
  private buildInfoPromise: Promise<BuildInfo> | undefined;
  private functionTablePromise: Promise<FunctionTable | undefined> | undefined;
  /** Functions found in pclntab by findFunction, by name: their _func records hold the pcsp tables. */
  private readonly tableFunctions = new Map<string, PclntabFunction>();

  private constructor(private readonly image: ElfImage) {
    this.path = image.path;
    this.arch = image.header.arch;
    this.isPie = image.isPie;
    this.hasSymtab = image.sections.some((s) => s.type === SHT_SYMTAB);
    this.hasDwarf = image.sections.some((s) => s.name.startsWith('.debug_') || s.name.startsWith('.zdebug_'));
  }

  static async open(path: string, options: GoBinaryOptions = {}): Promise<GoBinary> {
    return GoBinary.fromReader(await FileReader.open(path, resolveLimits(options.limits)));
  }

  /**
   * Opens the file behind a descriptor the caller holds (and keeps: close() leaves it open), so what is
   * analysed is the inode the caller has, even if its path now names another file. `path` is for messages.
   */
  static async fromDescriptor(fd: number, path: string, options: GoBinaryOptions = {}): Promise<GoBinary> {
    return GoBinary.fromReader(await FileReader.fromDescriptor(fd, path, resolveLimits(options.limits)));
  }

  /**
   * Parses a file the caller already opened (and identified with fstat): every read goes through
   * `source`, so what is analysed is exactly the inode behind it. Closing the GoBinary closes `source`.
   */
  static async openSource(
    source: ByteSource,
    path: string,
    sizeBytes: number,
    options: GoBinaryOptions = {},
  ): Promise<GoBinary> {
    return GoBinary.fromReader(new FileReader(source, path, sizeBytes, resolveLimits(options.limits)));
  }

  /** Opens any positioned-read source (tests and the fuzzer use in-memory bytes). */
  static async fromReader(reader: FileReader): Promise<GoBinary> {
    try {
      return new GoBinary(await ElfImage.open(reader));
    } catch (error) {
      await reader.close().catch(() => undefined);
      throw error;
    }
  }

  /** Opens a running process's executable through /proc/<pid>/exe (works for deleted files and other mount namespaces). */
  static async openPid(pid: number, options: GoBinaryOptions = {}): Promise<GoBinary> {
    try {
      return await GoBinary.open(procExePath(pid), options);
    } catch (error) {
      throw processError(pid, error);
    }
  }

  /** No `.symtab` (built with -s, or GNU strip), so lookups go through pclntab. */
  get isStripped(): boolean {
    return !this.hasSymtab;
  }

  buildInfo(): Promise<BuildInfo> {
    this.buildInfoPromise ??= this.readBuildInfo();
    return this.buildInfoPromise;
  }

  async findFunction(name: string): Promise<GoFunction> {
    const symbol = this.hasSymtab ? await findFunctionInSymtab(this.image, name) : undefined;
    const table = await this.functionTable();
    if (!table && !symbol) {
      throw new GoElfError(
        this.hasSymtab ? 'SYMBOL_NOT_FOUND' : 'NO_PCLNTAB',
        this.path,
        `expected ${name} in .symtab or a Go pclntab, found ${this.hasSymtab ? 'no such symbol and no pclntab' : 'neither table'}; is this a Go binary?`,
      );
    }
    const fromTable = table ? await findFunctionInPclntab(this.image, table.header, table.textStart, name) : undefined;
    if (fromTable) this.tableFunctions.set(name, fromTable);
    let entry: number;
    let end: number;
    if (symbol) {
      if (fromTable && fromTable.entry !== symbol.entry) {
        throw new GoElfError(
          'CORRUPT',
          this.path,
          `expected .symtab and pclntab to agree on ${name}, found 0x${symbol.entry.toString(16)} and 0x${fromTable.entry.toString(16)}; refusing to guess`,
        );
      }
      entry = symbol.entry;
      end = symbol.entry + (symbol.sizeBytes || (fromTable ? fromTable.end - fromTable.entry : 0));
    } else if (fromTable) {
      ({ entry, end } = fromTable satisfies PclntabFunction);
    } else {
      throw new GoElfError(
        'SYMBOL_NOT_FOUND',
        this.path,
        `expected a function named exactly ${name}, found none in ${this.hasSymtab ? '.symtab or pclntab' : 'pclntab'}; check the name (closures are ${name}.func1, …) or whether the program uses it`,
      );
    }
    const segment = this.image.space.executableSegmentAt(entry);
    if (!segment || end > segment.vaddr + segment.fileSizeBytes || end <= entry) {
      throw new GoElfError(
        'CORRUPT',
        this.path,
        `expected ${name} (0x${entry.toString(16)}–0x${end.toString(16)}) inside an executable PT_LOAD, found it outside; refusing to guess`,
      );
    }
    const source = symbol ? 'symtab' : 'pclntab';
    return { name, entry, end, size: end - entry, fileOffset: entry - segment.vaddr + segment.offset, source };
  }

  /**
   * The first instruction after the prologue's stack-bound branch. A uprobe there fires once per call:
   * at the entry it fires again when morestack grows the stack and jumps back to the entry.
   */
  async stackCheckEnd(fn: GoFunction): Promise<ProbeLocation> {
    const code = await this.functionCode(fn, 'PROLOGUE_NOT_RECOGNISED');
    const result =
      this.arch === 'amd64'
        ? analyzeAmd64Prologue(code, fn.entry)
        : analyzeArm64Prologue(code, fn.entry, await this.usesArm64RegisterAbi());
    if ('unrecognised' in result) {
      throw new GoElfError(
        'PROLOGUE_NOT_RECOGNISED',
        this.path,
        `expected ${fn.name} to start with Go's stack-bound check and a morestack block that jumps back to its entry, found ${result.unrecognised}; probe the entry instead (it may fire twice when the stack grows)`,
      );
    }
    return { address: fn.entry + result.checkEndOffset, fileOffset: fn.fileOffset + result.checkEndOffset };
  }

  /**
   * Where a stack-ABI (Go ≤ 1.16) amd64 function finds g: at fs_base + the returned offset, as its
   * prologue's TLS load shows. Undefined when g lives in a register (R14 on amd64 since Go 1.17, X28
   * on arm64) or the offset is not a constant in the code.
   */
  async goroutineTlsOffset(fn: GoFunction): Promise<number | undefined> {
    if (this.arch !== 'amd64') return undefined;
    const result = analyzeAmd64Prologue(await this.functionCode(fn, 'PROLOGUE_NOT_RECOGNISED'), fn.entry);
    return 'unrecognised' in result ? undefined : result.gTlsOffset;
  }

  /**
   * Every return instruction of `fn`, found by decoding its machine code from entry to end. A uprobe on
   * each (plus one at the entry) observes every completed call without a uretprobe, which would rewrite
   * return addresses on goroutine stacks that the Go runtime later moves.
   */
  async returnSites(fn: GoFunction): Promise<ProbeLocation[]> {
    const code = await this.functionCode(fn, 'RETURNS_NOT_FOUND');
    const sweep = this.arch === 'amd64' ? sweepAmd64(code, fn.entry) : sweepArm64(code, fn.entry);
    const refuse = (found: string) =>
      new GoElfError(
        'RETURNS_NOT_FOUND',
        this.path,
        `expected ${fn.name} to decode from entry to end and leave only by return instructions, found ${found}; response tracing cannot observe its returns`,
      );
    if ('undecodable' in sweep) throw refuse(sweep.undecodable);
    if (sweep.jumpsOut.length > 0)
      throw refuse(
        `direct jumps out of the function (tail calls) at ${sweep.jumpsOut.map((o) => `+0x${o.toString(16)}`).join(', ')}`,
      );
    if (sweep.jumpsMisaligned.length > 0)
      throw refuse(
        `jumps into the middle of an instruction at ${sweep.jumpsMisaligned.map((o) => `+0x${o.toString(16)}`).join(', ')}`,
      );
    if (sweep.returnOffsets.length === 0) throw refuse('no return instruction');
    const runs = await this.spDeltas(fn, refuse);
    const framed = sweep.returnOffsets.filter((o) => spDeltaAt(runs, o) !== 0);
    if (framed.length > 0)
      throw refuse(
        `return instructions where the pclntab says the frame is not torn down (SP delta not 0) at ${framed.map((o) => `+0x${o.toString(16)} (${String(spDeltaAt(runs, o))})`).join(', ')}`,
      );
    return sweep.returnOffsets.map((offset) => ({ address: fn.entry + offset, fileOffset: fn.fileOffset + offset }));
  }

  /** A section's bytes (decompressed when SHF_COMPRESSED), or undefined when absent. */
  section(name: string): Promise<Buffer | undefined> {
    return this.image.sectionData(name);
  }

  /**
   * The read-only data segment that holds `.rodata` (Go's string literals), or without section
   * headers the largest read-only one: mapped without write access and with no zero-filled tail,
   * so the process sees exactly the file's bytes there. Undefined when there is none.
   */
  get readOnlyData(): ReadOnlyData | undefined {
    const candidates = this.image.space.readOnlyDataSegments.filter(
      (s) => s.fileSizeBytes > 0 && s.fileSizeBytes === s.memorySizeBytes,
    );
    const rodata = this.image.sections.find((s) => s.name === '.rodata');
    const segment = rodata
      ? candidates.find((s) => rodata.addr >= s.vaddr && rodata.addr < s.vaddr + s.fileSizeBytes)
      : candidates.reduce<(typeof candidates)[number] | undefined>(
          (a, b) => (a && a.fileSizeBytes >= b.fileSizeBytes ? a : b),
          undefined,
        );
    return segment && { vaddr: segment.vaddr, sizeBytes: segment.fileSizeBytes, fileOffset: segment.offset };
  }

  /**
   * The lowest link-time address of an executable PT_LOAD. The kernel's `mm->start_code` for a
   * process of this binary is this plus the load bias (fs/binfmt_elf.c), so a PIE's bias is known
   * from it at exec.
   */
  get executableStart(): number | undefined {
    const starts = this.image.space.segments.filter((s) => s.flags & PF_X).map((s) => s.vaddr);
    return starts.length > 0 ? Math.min(...starts) : undefined;
  }

  /** Bytes at a link-time virtual address (before the PIE load bias). */
  async readVirtual(vaddr: number, length: number): Promise<Buffer> {
    return Buffer.from(await this.image.space.read(vaddr, length));
  }

  close(): Promise<void> {
    return this.image.reader.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The pclntab's SP deltas over `fn` (which must be the function pclntab knows at that entry). */
  private async spDeltas(fn: GoFunction, refuse: (found: string) => GoElfError): Promise<SpDeltaRun[]> {
    const table = await this.functionTable();
    if (!table) throw refuse('no pclntab to say where its frame is torn down');
    const known = this.tableFunctions.get(fn.name);
    const fromTable =
      known?.entry === fn.entry
        ? known
        : await findFunctionInPclntab(this.image, table.header, table.textStart, fn.name);
    if (fromTable?.entry !== fn.entry)
      throw refuse(`no pclntab function at 0x${fn.entry.toString(16)} to say where its frame is torn down`);
    try {
      return await readSpDeltas(this.image, table.header, fromTable);
    } catch (error) {
      if (GoElfError.isInstance(error) && error.code === 'CORRUPT')
        throw refuse(`an unreadable pcsp table (${error.message})`);
      throw error;
    }
  }

  private async functionCode(fn: GoFunction, code: GoElfErrorCode): Promise<Buffer> {
    if (fn.size <= 0 || fn.size > maxFunctionBytes || this.image.space.executableSegmentAt(fn.entry) === undefined) {
      throw new GoElfError(
        code,
        this.path,
        `expected ${fn.name} to be a function of 1 byte to 16 MB inside executable code, found ${fn.size} bytes at 0x${fn.entry.toString(16)}`,
      );
    }
    return this.image.reader.read(fn.fileOffset, fn.size, `code of ${fn.name}`);
  }

  private async readBuildInfo(): Promise<BuildInfo> {
    const vaddr = await findBuildInfoAddress(this.image);
    if (vaddr !== undefined) return readBuildInfoAt(this.image, vaddr);
    const table = await findPclntab(this.image).catch(() => undefined);
    if (table)
      throw new GoElfError(
        'NO_BUILD_INFO',
        this.path,
        'expected a .go.buildinfo blob, found a Go pclntab but no build info; binaries from Go before 1.13 or with build info removed are not supported',
      );
    throw new GoElfError(
      'NOT_GO_BINARY',
      this.path,
      'expected a Go executable (.go.buildinfo or pclntab), found neither; pass a binary built by the Go toolchain',
    );
  }

  private functionTable(): Promise<FunctionTable | undefined> {
    this.functionTablePromise ??= (async () => {
      const header = await findPclntab(this.image);
      return header && { header, textStart: await resolveTextStart(this.image, header) };
    })();
    return this.functionTablePromise;
  }

  private async usesArm64RegisterAbi(): Promise<boolean> {
    try {
      const minor = goMinorVersion((await this.buildInfo()).goVersion);
      return minor === undefined || minor >= 18;
    } catch (error) {
      if (GoElfError.isInstance(error)) return true;
      throw error;
    }
  }
}
