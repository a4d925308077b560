import { GoElfError, type GoBinary, type GoFunction, type ProbeLocation } from '@httpwatcher/go-elf';
import type { GoLayout } from '@httpwatcher/go-offsets';

/** What response tracing needs from one binary: where the function returns and how to find g there. */
export interface ResponseProbes {
  /** Every RET of net/http.(*Client).do: each gets a plain uprobe (never a uretprobe). */
  readonly returns: readonly ProbeLocation[];
  /** Stack ABI on amd64 (Go ≤ 1.16): g is at fs_base + this; undefined when g is in a register. */
  readonly gTlsOffset: number | undefined;
}

/** Why a binary's responses cannot be traced; its requests still can. */
export interface ResponseUnavailable {
  readonly unavailable: string;
}

/**
 * Finds the return sites of `fn` and, for the stack ABI on amd64, where g lives in TLS. Never
 * throws for a binary that is merely unsuitable: the reason comes back instead, so request
 * tracing of the same binary is unaffected.
 */
export async function resolveResponseProbes(
  binary: GoBinary,
  fn: GoFunction,
  layout: GoLayout,
): Promise<ResponseProbes | ResponseUnavailable> {
  try {
    const returns = await binary.returnSites(fn);
    if (layout.abi.goroutineRegister !== null) return { returns, gTlsOffset: undefined };
    if (binary.arch === 'arm64') return { returns, gTlsOffset: undefined }; // g is always in X28 on arm64
    const gTlsOffset = await binary.goroutineTlsOffset(fn);
    if (gTlsOffset === undefined || gTlsOffset >= 0 || gTlsOffset < -0xffff) {
      return {
        unavailable: `${fn.name} does not load g from a constant TLS offset (found ${String(gTlsOffset)}), so its returns cannot be matched to their calls`,
      };
    }
    return { returns, gTlsOffset };
  } catch (error) {
    if (
      GoElfError.isInstance(error) &&
      (error.code === 'RETURNS_NOT_FOUND' || error.code === 'PROLOGUE_NOT_RECOGNISED')
    )
      return { unavailable: error.message };
    throw error;
  }
}
