export type ExporterErrorCode = 'METRICS_LISTEN_FAILED' | 'BAD_OTLP_ENDPOINT';

const marker = Symbol.for('httpwatcher.ExporterError');

/** What the exporters reject with: a stable `code`, and a message that says what to give instead. */
export class ExporterError extends Error {
  override readonly name = 'ExporterError';
  readonly code: ExporterErrorCode;

  constructor(code: ExporterErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** Works across duplicate installed copies of this package, unlike `instanceof`. */
  static isInstance(error: unknown): error is ExporterError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
