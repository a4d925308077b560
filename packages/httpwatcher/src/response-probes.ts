import { clientDoName, type ProbeLocation } from '@httpwatcher/go-elf';
import type { BinaryAnalysis, GoArch, GoLayout } from '@httpwatcher/go-offsets';

/** What response tracing needs from one function of a binary: where it returns and how to find g there. */
export interface ResponseProbes {
  /** Every RET of the function (net/http.(*Client).do, or roundTrip): each gets a plain uprobe (never a uretprobe). */
  readonly returns: readonly ProbeLocation[];
  /** Stack ABI on amd64 (Go ≤ 1.16): g is at fs_base + this; undefined when g is in a register. */
  readonly gTlsOffset: number | undefined;
}

/** Why a binary's responses cannot be traced; its requests still can. */
export interface ResponseUnavailable {
  readonly unavailable: string;
}

/**
 * The return sites of a probed function and, for the stack ABI on amd64, where g lives in TLS, from
 * a binary's analysis (of Client.do, or of roundTrip: `found` is the analysis or its `transport`). A
 * binary that is merely unsuitable gets the reason instead, so request tracing of the same binary is
 * unaffected.
 */
export function responseProbesOf(
  found: Pick<BinaryAnalysis, 'returns' | 'goroutineTlsOffset'>,
  arch: GoArch,
  layout: GoLayout,
  name: string = clientDoName,
): ResponseProbes | ResponseUnavailable {
  if ('unavailable' in found.returns) return { unavailable: found.returns.unavailable };
  const returns = found.returns.sites.map(({ address, fileOffset }) => ({ address, fileOffset }));
  if (layout.abi.goroutineRegister !== null) return { returns, gTlsOffset: undefined };
  if (arch === 'arm64') return { returns, gTlsOffset: undefined }; // g is always in X28 on arm64
  const gTlsOffset = found.goroutineTlsOffset;
  if (gTlsOffset === undefined || gTlsOffset >= 0 || gTlsOffset < -0xffff) {
    return {
      unavailable: `${name} does not load g from a constant TLS offset (found ${String(gTlsOffset)}), so its returns cannot be matched to their calls`,
    };
  }
  return { returns, gTlsOffset };
}
