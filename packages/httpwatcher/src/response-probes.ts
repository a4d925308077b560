import { clientDoName, type ProbeLocation } from '@httpwatcher/go-elf';
import type { BinaryAnalysis, GoLayout } from '@httpwatcher/go-offsets';

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
 * The return sites of the probed function and, for the stack ABI on amd64, where g lives in TLS, from
 * a binary's analysis. A binary that is merely unsuitable gets the reason instead, so request tracing
 * of the same binary is unaffected.
 */
export function responseProbesOf(analysis: BinaryAnalysis, layout: GoLayout): ResponseProbes | ResponseUnavailable {
  if ('unavailable' in analysis.returns) return { unavailable: analysis.returns.unavailable };
  const returns = analysis.returns.sites.map(({ address, fileOffset }) => ({ address, fileOffset }));
  if (layout.abi.goroutineRegister !== null) return { returns, gTlsOffset: undefined };
  if (analysis.arch === 'arm64') return { returns, gTlsOffset: undefined }; // g is always in X28 on arm64
  const gTlsOffset = analysis.goroutineTlsOffset;
  if (gTlsOffset === undefined || gTlsOffset >= 0 || gTlsOffset < -0xffff) {
    return {
      unavailable: `${clientDoName} does not load g from a constant TLS offset (found ${String(gTlsOffset)}), so its returns cannot be matched to their calls`,
    };
  }
  return { returns, gTlsOffset };
}
