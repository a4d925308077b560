import { GoElfError } from './go-elf-error.js';
import type { FileReader } from './file-reader.js';
import { PT_DYNAMIC, type GoArch, type ProgramHeader } from './elf-header.js';
import type { AddressSpace } from './address-space.js';
import { inputTooLarge } from './input-limits.js';
import { readU64 } from './little-endian.js';

const DT_NULL = 0;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_RELAENT = 9;
const R_X86_64_RELATIVE = 8;
const R_AARCH64_RELATIVE = 1027;

/**
 * The RELATIVE relocations of a PIE. External linkers may leave a pointer as 0 in the file and supply its
 * link-time value only as the relocation's addend. Lookups search the raw table with Buffer.indexOf (a Go
 * PIE has tens of thousands of entries, unsorted, and only a handful of pointers are ever asked for).
 */
export class RelativeRelocations {
  constructor(
    private readonly table: Buffer,
    private readonly entryBytes: number,
    private readonly relativeType: number,
  ) {}

  /** The addend of the RELATIVE relocation patching `vaddr`, if any. */
  addendAt(vaddr: number): number | undefined {
    for (const at of this.matches(vaddr, 0)) return wordAt(this.table, at + 16);
    return undefined;
  }

  /** Addresses patched with the link-time value `value`: at most `max` + 1, so a caller can refuse more than `max`. */
  sitesWithAddend(value: number, max: number): number[] {
    const sites: number[] = [];
    for (const at of this.matches(value, 16)) {
      const site = wordAt(this.table, at);
      if (site !== undefined) sites.push(site);
      if (sites.length > max) break;
    }
    return sites;
  }

  private *matches(value: number, field: number): Generator<number> {
    const pattern = Buffer.alloc(8);
    pattern.writeUInt32LE(value % 0x1_0000_0000, 0);
    pattern.writeUInt32LE(Math.floor(value / 0x1_0000_0000), 4);
    for (let at = this.table.indexOf(pattern); at >= 0; at = this.table.indexOf(pattern, at + 1)) {
      const entry = at - field;
      if (entry < 0 || entry % this.entryBytes !== 0 || entry + 24 > this.table.length) continue;
      if (this.table.readUInt32LE(entry + 8) === this.relativeType && this.table.readUInt32LE(entry + 12) === 0)
        yield entry;
    }
  }
}

function wordAt(bytes: Buffer, at: number): number | undefined {
  const high = bytes.readUInt32LE(at + 4);
  return high < 0x200000 ? high * 0x1_0000_0000 + bytes.readUInt32LE(at) : undefined;
}

export async function readRelativeRelocations(
  reader: FileReader,
  arch: GoArch,
  programHeaders: ProgramHeader[],
  space: AddressSpace,
): Promise<RelativeRelocations> {
  const relative = arch === 'amd64' ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE;
  const none = new RelativeRelocations(Buffer.alloc(0), 24, relative);
  const dynamic = programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (!dynamic) return none;
  const { path, limits } = reader;
  if (dynamic.fileSizeBytes > limits.maxDynamicBytes)
    throw inputTooLarge(path, 'maxDynamicBytes', limits, 'bytes of PT_DYNAMIC', dynamic.fileSizeBytes);
  const dynamicBytes = await reader.read(
    dynamic.offset,
    Math.min(dynamic.fileSizeBytes, reader.sizeBytes - Math.min(dynamic.offset, reader.sizeBytes)),
    'PT_DYNAMIC',
  );
  let rela = 0;
  let relaSize = 0;
  let relaEntry = 24;
  for (let at = 0; at + 16 <= dynamicBytes.length; at += 16) {
    const tag = readU64(dynamicBytes, at, path, 'd_tag');
    if (tag === DT_NULL) break;
    const value = readU64(dynamicBytes, at + 8, path, 'd_val');
    if (tag === DT_RELA) rela = value;
    else if (tag === DT_RELASZ) relaSize = value;
    else if (tag === DT_RELAENT) relaEntry = value;
  }
  if (rela === 0 || relaSize === 0) return none;
  if (relaEntry < 24 || relaSize > reader.sizeBytes) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected a RELA table of 24-byte entries within the file, found ${relaSize} bytes of ${relaEntry}-byte entries`,
    );
  }
  if (relaSize / relaEntry > limits.maxRelocations)
    throw inputTooLarge(path, 'maxRelocations', limits, 'RELA entries', Math.floor(relaSize / relaEntry));
  const offset = space.fileOffsetOf(rela, relaSize);
  if (offset === undefined)
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected the RELA table at 0x${rela.toString(16)} inside a PT_LOAD segment, found none`,
    );
  return new RelativeRelocations(Buffer.from(await reader.read(offset, relaSize, 'RELA table')), relaEntry, relative);
}
