export type OffsetsErrorCode =
  | 'UNSUPPORTED_GO_VERSION'
  | 'UNSUPPORTED_ARCH'
  | 'INVALID_GO_VERSION'
  | 'DWARF_INCOMPLETE'
  | 'DWARF_CORRUPT'
  /** A count or size in the binary's DWARF is above its limit (DwarfLimits). */
  | 'INPUT_TOO_LARGE'
  /** Analysing a binary in the worker took longer, or more heap, than its budget (BinaryAnalyzerOptions). */
  | 'BUDGET_EXCEEDED';

export interface OffsetsErrorDetails {
  /** The Go version as given by the caller, when the error concerns one. */
  readonly goVersion?: string;
  /** The supported minors closest to the requested one, e.g. `['go1.27']`. */
  readonly nearest?: readonly string[];
}

/** The one error class of @httpwatcher/go-offsets; branch on `code`, not on the message. */
export class OffsetsError extends Error {
  override readonly name = 'OffsetsError';
  readonly code: OffsetsErrorCode;
  readonly goVersion: string | undefined;
  readonly nearest: readonly string[];

  constructor(code: OffsetsErrorCode, message: string, details: OffsetsErrorDetails = {}) {
    super(message);
    this.code = code;
    this.goVersion = details.goVersion;
    this.nearest = details.nearest ?? [];
  }
}
