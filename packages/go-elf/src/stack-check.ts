/** Where a Go prologue's stack-bound check ends and where its morestack block starts, as offsets from the entry. */
export interface StackCheck {
  /** Offset of the first instruction after the conditional branch to morestack. */
  checkEndOffset: number;
  /** Offset of the block that calls morestack and jumps back to the entry. */
  morestackOffset: number;
  /** amd64, Go ≤ 1.16: g is loaded from fs_base + this constant (-8 in executables); absent when not constant. */
  gTlsOffset?: number;
}

export type PrologueResult = StackCheck | { unrecognised: string };

/** Bounds how far the morestack block is decoded before giving up. */
export const morestackWindowInstructions = 48;
