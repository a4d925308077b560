import { GoElfError } from './go-elf-error.js';
import type { FileReader } from './file-reader.js';
import { PT_DYNAMIC, type GoArch, type ProgramHeader } from './elf-header.js';
import type { AddressSpace } from './address-space.js';
import { readU64 } from './little-endian.js';

const DT_NULL = 0;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_RELAENT = 9;
const R_X86_64_RELATIVE = 8;
const R_AARCH64_RELATIVE = 1027;

/**
 * The RELATIVE relocations of a PIE, keyed by the address they patch. External linkers may leave a
 * pointer as 0 in the file and supply its link-time value only as the relocation's addend.
 */
export async function readRelativeRelocations(
  reader: FileReader,
  arch: GoArch,
  programHeaders: ProgramHeader[],
  space: AddressSpace,
): Promise<Map<number, number>> {
  const relocations = new Map<number, number>();
  const dynamic = programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (!dynamic) return relocations;
  const path = reader.path;
  const dynamicBytes = await reader.read(dynamic.offset, Math.min(dynamic.fileSizeBytes, reader.sizeBytes - Math.min(dynamic.offset, reader.sizeBytes)), 'PT_DYNAMIC');
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
  if (rela === 0 || relaSize === 0) return relocations;
  if (relaEntry < 24 || relaSize > reader.sizeBytes) {
    throw new GoElfError('CORRUPT', path, `expected a RELA table of 24-byte entries within the file, found ${relaSize} bytes of ${relaEntry}-byte entries`);
  }
  const offset = space.fileOffsetOf(rela, relaSize);
  if (offset === undefined) throw new GoElfError('CORRUPT', path, `expected the RELA table at 0x${rela.toString(16)} inside a PT_LOAD segment, found none`);
  const table = await reader.read(offset, relaSize, 'RELA table');
  const relative = arch === 'amd64' ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE;
  for (let at = 0; at + 24 <= table.length; at += relaEntry) {
    if (table.readUInt32LE(at + 8) !== relative) continue;
    const addend = table.readBigInt64LE(at + 16);
    if (addend < 0n || addend > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    relocations.set(readU64(table, at, path, 'r_offset'), Number(addend));
  }
  return relocations;
}
