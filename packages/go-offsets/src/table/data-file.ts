import type { GoArch, GoLayout } from '../layout.js';
import type { MapKind } from '../map-kind.js';

/**
 * One committed `data/go1.NN.json`, written by the generator from the DWARF of a probe program built with
 * a real toolchain. One file per minor: its entries hold for every patch release of that minor
 * (see CONTRIBUTING.md); `toolchains` lists the releases the generator actually compared.
 */
export interface OffsetsDataFile {
  /** `go1.24` */
  readonly minor: string;
  /** Every toolchain whose probe produced exactly these entries, oldest first (`["go1.24.4"]`). */
  readonly toolchains: readonly string[];
  readonly entries: readonly OffsetsDataEntry[];
}

export interface OffsetsDataEntry {
  readonly arch: GoArch;
  readonly maps: MapKind;
  /** GOEXPERIMENT the probe was built with (`noswissmap`), empty for the default build. */
  readonly goexperiment: string;
  readonly layout: GoLayout;
}
