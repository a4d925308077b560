export type GoElfErrorCode =
  | 'NOT_ELF'
  | 'UNSUPPORTED_ELF_CLASS'
  | 'UNSUPPORTED_ENDIANNESS'
  | 'UNSUPPORTED_MACHINE'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'INPUT_TOO_LARGE'
  | 'NOT_GO_BINARY'
  | 'NO_BUILD_INFO'
  | 'INVALID_GO_VERSION'
  | 'NO_PCLNTAB'
  | 'SYMBOL_NOT_FOUND'
  | 'PROLOGUE_NOT_RECOGNISED'
  | 'RETURNS_NOT_FOUND'
  | 'NO_SUCH_PROCESS'
  | 'PERMISSION_DENIED'
  | 'IO_ERROR';

const marker = Symbol.for('httpwatcher.GoElfError');

export class GoElfError extends Error {
  override readonly name = 'GoElfError';
  readonly code: GoElfErrorCode;
  readonly path: string;
  override readonly cause?: unknown;

  constructor(code: GoElfErrorCode, path: string, message: string, cause?: unknown) {
    super(`${path}: ${message}`);
    this.code = code;
    this.path = path;
    if (cause !== undefined) this.cause = cause;
  }

  get [marker](): true {
    return true;
  }

  /** True for a GoElfError from any copy of this package (a bundled duplicate has its own class). */
  static isInstance(value: unknown): value is GoElfError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
