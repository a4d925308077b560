import { GoElfError } from './go-elf-error.js';

/**
 * Ceilings on the counts and sizes go-elf reads from a file. A file can claim anything up to its own
 * size, and a sparse file is large at no cost, so every claim is checked against these before work or
 * memory is spent on it. Each is far above what real Go binaries use (docs/input-limits.md has the
 * figures measured on the fixture matrix and the 59 MB bench-large program).
 */
export interface GoElfLimits {
  /** Section headers; Go binaries have 20–50. */
  readonly maxSections: number;
  /** Program headers; Linux refuses to exec a file with more than 64 KiB of them (1,170). */
  readonly maxProgramHeaders: number;
  /** The section-name table (.shstrtab), in bytes. */
  readonly maxSectionNameTableBytes: number;
  /** One NUL-terminated name read from a table, in bytes. */
  readonly maxNameBytes: number;
  /** Entries of .symtab. */
  readonly maxSymbols: number;
  /** Functions in the pclntab (nfunc). */
  readonly maxFunctions: number;
  /** The Go version string of the build info, in bytes. */
  readonly maxGoVersionBytes: number;
  /** The module information string of the build info, in bytes. */
  readonly maxModInfoBytes: number;
  /** Entries of the RELA table of a PIE. */
  readonly maxRelocations: number;
  /** Bytes of the dynamic section (PT_DYNAMIC). */
  readonly maxDynamicBytes: number;
  /** Places where a scan of the file finds a candidate pclntab, moduledata or function name. */
  readonly maxCandidates: number;
  /** Bytes of one compressed section once inflated. */
  readonly maxDecompressedBytes: number;
  /** Bytes read from the file in one piece (a table, a section, a function's code). */
  readonly maxReadBytes: number;
}

const mib = 1 << 20;

export const defaultGoElfLimits: GoElfLimits = Object.freeze({
  maxSections: 4096,
  maxProgramHeaders: Math.floor(65536 / 56),
  maxSectionNameTableBytes: mib,
  maxNameBytes: 4096,
  maxSymbols: 16 * mib,
  maxFunctions: 4 * mib,
  maxGoVersionBytes: 4096,
  maxModInfoBytes: 4 * mib,
  maxRelocations: 4 * mib,
  maxDynamicBytes: 64 * 1024,
  maxCandidates: 1024,
  maxDecompressedBytes: 256 * mib,
  maxReadBytes: 256 * mib,
});

export function resolveLimits(overrides: Partial<GoElfLimits> | undefined): GoElfLimits {
  return overrides ? Object.freeze({ ...defaultGoElfLimits, ...overrides }) : defaultGoElfLimits;
}

/** The typed error for a claim above its limit: which limit, what the file claims, what to do. */
export function inputTooLarge(
  path: string,
  limit: keyof GoElfLimits,
  limits: GoElfLimits,
  what: string,
  found: number,
): GoElfError {
  return new GoElfError(
    'INPUT_TOO_LARGE',
    path,
    `expected at most ${limits[limit].toLocaleString('en-US')} ${what}, found ${found.toLocaleString('en-US')}; ` +
      `no Go binary comes near this, so the file is corrupt or crafted. If you trust it, raise limits.${limit}`,
  );
}
