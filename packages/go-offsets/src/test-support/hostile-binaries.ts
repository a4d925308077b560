/**
 * Whole crafted binaries for the analysis: each reaches one limit in the order a real analysis reads
 * (header, build info, then the DWARF of a Go version the table does not know). Used by the analyzer's
 * tests and by the benchmark.
 */
import { writeFile } from 'node:fs/promises';
import {
  buildInfoHead,
  compressionHeader,
  goBuildWithSections,
  hugeProgramHeaderCountHead,
  hugeSectionCountHead,
  SHF_COMPRESSED,
  writeSparseFile,
  zeroBomb,
} from '../../../go-elf/src/test-support/hostile-elf.js';
import type { DwarfSections } from '../dwarf/dwarf-sections.js';
import { longStrings, manyAbbrevs, manyDies, manyUnits, overlappingAbbrevTables } from './hostile-dwarf.js';

export interface HostileBinary {
  name: string;
  /** Writes the file at `path`: sparse where it claims to be large. */
  write: (path: string) => Promise<void>;
  /** The error the analysis must end in. */
  error: { kind: 'GoElfError' | 'OffsetsError'; code: string };
}

const mib = 1 << 20;
/** A release the offsets table has no entry for, so the analysis reads the binary's DWARF. */
const unknownRelease = 'go1.99.0';

/** Writes a Go binary of an unknown release carrying the DWARF `make` builds (built only when written). */
function withDwarf(make: () => DwarfSections): (path: string) => Promise<void> {
  return (path) => {
    const sections = make();
    const named = [
      { name: '.debug_info', data: sections.info },
      { name: '.debug_abbrev', data: sections.abbrev },
      ...(sections.str ? [{ name: '.debug_str', data: sections.str }] : []),
    ];
    return writeFile(path, goBuildWithSections(unknownRelease, named));
  };
}

const tooLarge = (kind: HostileBinary['error']['kind']) => ({ kind, code: 'INPUT_TOO_LARGE' });

export const hostileBinaries: HostileBinary[] = [
  {
    name: '256 MB sparse file claiming 4 million section headers',
    write: (path) => writeSparseFile(path, 256 * mib, hugeSectionCountHead(256 * mib)),
    error: tooLarge('GoElfError'),
  },
  {
    name: '256 MB sparse file claiming 4.8 million program headers',
    write: (path) => writeSparseFile(path, 256 * mib, hugeProgramHeaderCountHead(256 * mib)),
    error: tooLarge('GoElfError'),
  },
  {
    name: 'build info claiming 200 MB of modinfo in a 256 MB sparse file',
    write: (path) => writeSparseFile(path, 256 * mib, buildInfoHead(256 * mib, 200 * mib)),
    error: tooLarge('GoElfError'),
  },
  {
    name: 'SHF_COMPRESSED .debug_info of 1 MB inflating to 1 GiB',
    write: (path) => {
      const info = Buffer.concat([compressionHeader(1 << 30), zeroBomb(1 << 30)]);
      const sections = [
        { name: '.debug_info', data: info, flags: SHF_COMPRESSED },
        { name: '.debug_abbrev', data: Buffer.from([0]) },
      ];
      return writeFile(path, goBuildWithSections(unknownRelease, sections));
    },
    error: tooLarge('GoElfError'),
  },
  {
    name: '2,000 DWARF units with overlapping abbreviation tables (48 KB)',
    write: withDwarf(() => overlappingAbbrevTables(2000)),
    error: { kind: 'OffsetsError', code: 'DWARF_CORRUPT' },
  },
  { name: '1,000,001 DWARF units', write: withDwarf(() => manyUnits(1_000_001)), error: tooLarge('OffsetsError') },
  { name: '50,000,001 DWARF entries', write: withDwarf(() => manyDies(50_000_001)), error: tooLarge('OffsetsError') },
  { name: '200,001 abbreviations', write: withDwarf(() => manyAbbrevs(200_001, 1)), error: tooLarge('OffsetsError') },
  {
    name: '2,000 struct names in one unterminated 8 MB string',
    write: withDwarf(() => longStrings(2000, 8 * mib)),
    error: tooLarge('OffsetsError'),
  },
  {
    name: '600 struct names of 512 KB each',
    write: withDwarf(() => longStrings(600, 512 * 1024)),
    error: tooLarge('OffsetsError'),
  },
];
