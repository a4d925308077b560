import type { GoVersion } from './go-version.js';

export type MapKind = 'swiss' | 'hmap';

/**
 * Which map implementation backs `http.Header` (docs/go-maps.md): hmap up to 1.23; swiss by default in
 * 1.24/1.25 unless built with `GOEXPERIMENT=noswissmap`; swiss only from 1.26 (CL 691595 removed the bucket map).
 * A 1.26+ toolchain rejects `noswissmap`, so asking for it there yields `hmap`, which no 1.26+ entry has: the
 * lookup then falls back to DWARF or reports the version as unsupported instead of guessing.
 */
export function mapKindFor(version: Pick<GoVersion, 'minor'>, experiments: readonly string[]): MapKind {
  if (version.minor <= 23) return 'hmap';
  return experiments.includes('noswissmap') ? 'hmap' : 'swiss';
}
