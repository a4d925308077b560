import type { GoArch, GoLayout } from '../layout.js';
import type { MapKind } from '../map-kind.js';

/** One row of the layout table: the layout of one Go minor on one architecture with one map kind. */
export interface LayoutTableEntry {
  /** `go1.24`: the entry covers every patch release of this minor. */
  readonly minor: string;
  readonly arch: GoArch;
  readonly maps: MapKind;
  /** `generated`: from a real toolchain's DWARF (data/*.json). `documented`: hand-written from source facts. */
  readonly source: 'generated' | 'documented';
  /** The toolchains the generator verified (generated entries only). */
  readonly toolchains: readonly string[];
  readonly layout: GoLayout;
}

export type LayoutTable = readonly LayoutTableEntry[];
