import { GoElfError } from './go-elf-error.js';
import type { ElfImage } from './elf-image.js';
import { makeBuildInfo, type BuildInfo } from './build-info.js';
import { parseModInfo, stripModInfoSentinels } from './mod-info.js';
import { scanSegment } from './segment-scan.js';
import { inputTooLarge, type GoElfLimits } from './input-limits.js';
import { readU64 } from './little-endian.js';
import { checkedGoVersion } from './go-version.js';

// The 32-byte header written by cmd/link (ld/data.go: buildinfo), 16-byte aligned.
const buildInfoMagic = Buffer.from('\xff Go buildinf:', 'latin1');
const headerBytes = 32;
const flagBigEndian = 1;
const flagInline = 2;

/** Finds `.go.buildinfo` by section, else by scanning every writable PT_LOAD (PIE keeps it in the second one). */
export async function findBuildInfoAddress(image: ElfImage): Promise<number | undefined> {
  const section = image.section('.go.buildinfo');
  if (section && section.addr !== 0) {
    const head = await image.space.read(section.addr, Math.min(headerBytes, section.sizeBytes), '.go.buildinfo');
    if (head.subarray(0, buildInfoMagic.length).equals(buildInfoMagic)) return section.addr;
  }
  for (const segment of image.space.writableSegments) {
    for await (const vaddr of scanSegment(image.reader, segment, buildInfoMagic, 16)) return vaddr;
  }
  return undefined;
}

/** Decodes the build info at `vaddr`: inline varint strings (Go 1.18+) or pointers to string headers (before). */
export async function readBuildInfoAt(image: ElfImage, vaddr: number): Promise<BuildInfo> {
  const path = image.path;
  const header = await image.space.read(vaddr, headerBytes, '.go.buildinfo header');
  const ptrSize = header[14]!;
  const flags = header[15]!;
  if (flags & flagBigEndian || ptrSize !== 8) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected a little-endian 64-bit build info header, found pointer size ${ptrSize} and flags 0x${flags.toString(16)}; the build info is corrupt`,
    );
  }
  let version: Buffer;
  let modInfo: Buffer;
  if (flags & flagInline) {
    const first = await readVarintString(image, vaddr + headerBytes, 'maxGoVersionBytes', 'Go version');
    version = first.bytes;
    modInfo = (await readVarintString(image, first.next, 'maxModInfoBytes', 'modinfo')).bytes;
  } else {
    version = await readStringHeader(
      image,
      await image.readPointer(vaddr + 16, 'buildVersion pointer'),
      'maxGoVersionBytes',
      'runtime.buildVersion',
    );
    modInfo = await readStringHeader(
      image,
      await image.readPointer(vaddr + 24, 'modinfo pointer'),
      'maxModInfoBytes',
      'runtime.modinfo',
    );
  }
  const goVersion = checkedGoVersion(version, path);
  const parsed = parseModInfo(stripModInfoSentinels(modInfo).toString('utf8'));
  if ('error' in parsed)
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected modinfo in runtime/debug format, ${parsed.error}; the build info is corrupt`,
    );
  return makeBuildInfo({ goVersion, ...parsed });
}

type StringLimit = 'maxGoVersionBytes' | 'maxModInfoBytes';

async function readVarintString(
  image: ElfImage,
  vaddr: number,
  limit: StringLimit,
  what: string,
): Promise<{ bytes: Buffer; next: number }> {
  const prefix = await image.space.readUpTo(vaddr, 10, what);
  let length = 0;
  let used = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = prefix[used];
    if (byte === undefined || used >= 8)
      throw new GoElfError(
        'CORRUPT',
        image.path,
        `expected a varint length for the ${what} string, found an unterminated or oversized one; the build info is corrupt`,
      );
    used++;
    length += (byte & 0x7f) * shift;
    if (!(byte & 0x80)) break;
  }
  checkLength(image, length, limit, `the ${what} string`);
  return { bytes: await image.space.read(vaddr + used, length, what), next: vaddr + used + length };
}

async function readStringHeader(image: ElfImage, pointer: number, limit: StringLimit, what: string): Promise<Buffer> {
  // Before Go 1.18 the header holds pointers to Go string headers {data, len}; in a PIE either may be a relocation.
  const stringHeader = pointer;
  if (stringHeader === 0)
    throw new GoElfError('CORRUPT', image.path, `expected a pointer to ${what}, found 0; the build info is corrupt`);
  const data = await image.readPointer(stringHeader, `${what} data pointer`);
  const length = readU64(
    await image.space.read(stringHeader + 8, 8, `${what} length`),
    0,
    image.path,
    `${what} length`,
  );
  checkLength(image, length, limit, what);
  return length === 0 ? Buffer.alloc(0) : image.space.read(data, length, what);
}

/** A length longer than the file is corruption; one merely above its limit is a budget refusal. */
function checkLength(image: ElfImage, length: number, limit: StringLimit, what: string): void {
  const limits: GoElfLimits = image.reader.limits;
  if (length > image.reader.sizeBytes)
    throw new GoElfError(
      'CORRUPT',
      image.path,
      `expected ${what} to fit in the ${image.reader.sizeBytes}-byte file, found a length of ${length}; the build info is corrupt`,
    );
  if (length > limits[limit]) throw inputTooLarge(image.path, limit, limits, `bytes in ${what}`, length);
}
