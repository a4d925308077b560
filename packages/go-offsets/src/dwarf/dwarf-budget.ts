import { OffsetsError } from '../offsets-error.js';

/**
 * Ceilings on the work reading a binary's DWARF may take. The sections come from a file anyone can
 * write and may be inflated from a few KB, so every count is checked as it grows. Each default is far
 * above what real Go binaries need (docs/input-limits.md has the figures measured on the fixtures).
 */
export interface DwarfLimits {
  /** Units in .debug_info: Go writes one per package, about 200 in a 10 MB program. */
  readonly maxUnits: number;
  /** Abbreviations decoded, all tables together: Go's linker writes one table of about 50, each C unit of a cgo program its own. */
  readonly maxAbbrevs: number;
  /** Attributes of those abbreviations, all together. */
  readonly maxAbbrevAttributes: number;
  /** Debugging information entries visited. */
  readonly maxDies: number;
  /** One NUL-terminated string (a type or member name), in bytes. */
  readonly maxStringBytes: number;
  /** All strings decoded, in bytes. */
  readonly maxStringBytesTotal: number;
}

const mib = 1 << 20;

export const defaultDwarfLimits: DwarfLimits = Object.freeze({
  maxUnits: 1_000_000,
  maxAbbrevs: 200_000,
  maxAbbrevAttributes: 1_000_000,
  maxDies: 50_000_000,
  maxStringBytes: mib,
  maxStringBytesTotal: 64 * mib,
});

/** The typed error for DWARF that needs more than a limit allows: which limit, what was found, what to do. */
export function dwarfTooLarge(
  limit: keyof DwarfLimits,
  limits: DwarfLimits,
  what: string,
  found: number,
): OffsetsError {
  return new OffsetsError(
    'INPUT_TOO_LARGE',
    `The binary's DWARF needs more than ${limits[limit].toLocaleString('en-US')} ${what} (found ${found.toLocaleString('en-US')}): ` +
      `no Go binary comes near this, so its debug sections are corrupt or crafted. If you trust the file, raise dwarfLimits.${limit}, ` +
      'or pass --assume-go with the release it was built by to use the offsets table instead.',
  );
}

/** Counts the work of one DWARF read against its limits. */
export class DwarfBudget {
  private units = 0;
  private abbrevs = 0;
  private attributes = 0;
  private dies = 0;
  private stringBytes = 0;

  constructor(readonly limits: DwarfLimits = defaultDwarfLimits) {}

  unit(): void {
    if (++this.units > this.limits.maxUnits) throw dwarfTooLarge('maxUnits', this.limits, 'units', this.units);
  }

  abbrev(): void {
    if (++this.abbrevs > this.limits.maxAbbrevs)
      throw dwarfTooLarge('maxAbbrevs', this.limits, 'abbreviations', this.abbrevs);
  }

  attribute(): void {
    if (++this.attributes > this.limits.maxAbbrevAttributes)
      throw dwarfTooLarge('maxAbbrevAttributes', this.limits, 'abbreviation attributes', this.attributes);
  }

  /** Called for every entry: kept to one comparison. */
  die(): void {
    if (++this.dies > this.limits.maxDies) throw dwarfTooLarge('maxDies', this.limits, 'entries', this.dies);
  }

  string(bytes: number): void {
    this.stringBytes += bytes;
    if (this.stringBytes > this.limits.maxStringBytesTotal)
      throw dwarfTooLarge('maxStringBytesTotal', this.limits, 'bytes of strings', this.stringBytes);
  }
}
