export type UsageErrorCode =
  | 'UNKNOWN_OPTION'
  | 'MISSING_VALUE'
  | 'BAD_PID'
  | 'BAD_COUNT'
  | 'BAD_DURATION'
  | 'BAD_FILTER'
  | 'BAD_COLOR'
  | 'BAD_FORMAT'
  | 'BAD_REDACT'
  | 'BAD_METRICS_ADDRESS'
  | 'BAD_OTLP_ENDPOINT'
  | 'BAD_MAX_HOSTS'
  | 'BAD_METRICS_PATH'
  | 'CONFLICTING_OPTIONS'
  | 'NO_TARGET'
  | 'UNEXPECTED_ARGUMENT';

/** A command line the CLI cannot run; exit code 2. `code` is stable for scripts and tests. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
