export type SnooperErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NO_SUCH_PROCESS'
  | 'NO_SUCH_FILE'
  | 'PERMISSION_DENIED'
  | 'NOT_GO_BINARY'
  | 'INVALID_BINARY'
  | 'ANALYSIS_BUDGET_EXCEEDED'
  | 'NO_HTTP_CLIENT'
  | 'UNSUPPORTED_ARCH'
  | 'UNSUPPORTED_GO_VERSION'
  | 'BPF_LOAD_FAILED'
  | 'UNSUPPORTED_KERNEL'
  | 'ATTACH_FAILED'
  | 'TOO_MANY_PROCESSES'
  | 'TOO_MANY_BINARIES'
  | 'NATIVE_ADDON_MISSING'
  | 'RESPONSE_UNSUPPORTED'
  | 'PROBE_NOT_AT_INSTRUCTION'
  | 'UNSUPPORTED_PID_NAMESPACE'
  | 'HOLD_GUARDIAN_LOST'
  | 'CLOSED';

const marker = Symbol.for('httpwatcher.SnooperError');

/** Why the running kernel cannot run httpwatcher (code UNSUPPORTED_KERNEL). */
export interface KernelRefusal {
  /** The kernel release, as `uname -r` prints it. */
  readonly release: string;
  /** What the kernel lacks, each with the Linux version that brought it (empty: the verifier refused). */
  readonly missing: readonly string[];
  /** The kernel verifier's log when it refused a program: for bug reports (the CLI prints it with --debug). */
  readonly verifierLog?: string;
}

/** Every error the Snooper rejects with. `code` is stable; the message says what to do. */
export class SnooperError extends Error {
  override readonly name = 'SnooperError';
  readonly code: SnooperErrorCode;
  readonly pid: number | undefined;
  /** UNSUPPORTED_KERNEL: the release and what it lacks. */
  readonly kernel: KernelRefusal | undefined;

  constructor(
    code: SnooperErrorCode,
    message: string,
    options: { pid?: number; cause?: unknown; kernel?: KernelRefusal } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.pid = options.pid;
    this.kernel = options.kernel;
    Object.defineProperty(this, marker, { value: true });
  }

  /** Works across duplicate installed copies of this package, unlike `instanceof`. */
  static isInstance(error: unknown): error is SnooperError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
