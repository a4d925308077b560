// Test-only: rewrites the Go version in a copy of a real binary's build info, as a hostile build would.
import { ElfImage } from '../elf-image.js';
import { FileReader } from '../file-reader.js';
import { MemorySource } from './memory-source.js';

const headerBytes = 32;
const flagInline = 2;

const varint = (n: number): Buffer => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
};

function readVarint(bytes: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 1, i = at; ; shift *= 0x80, i++) {
    value += (bytes[i]! & 0x7f) * shift;
    if (!(bytes[i]! & 0x80)) return { value, next: i + 1 };
  }
}

/**
 * A copy of `binary` (Go ≥ 1.18: inline build info strings) whose build info says `version`. The
 * strings must keep their place in the section: a longer version takes the room of CGO_*FLAGS lines
 * dropped from the modinfo (nothing reads them); the bytes left over are zeroed.
 */
export async function forgeBuildVersion(binary: Buffer, version: string | Buffer): Promise<Buffer> {
  const image = await ElfImage.open(new FileReader(new MemorySource(binary), 'forge', binary.length));
  const section = image.section('.go.buildinfo');
  if (!section) throw new Error('no .go.buildinfo section');
  const start = section.offset;
  if (!(binary[start + 15]! & flagInline)) throw new Error('build info strings are not inline (Go < 1.18)');
  const oldVersion = readVarint(binary, start + headerBytes);
  const modLength = readVarint(binary, oldVersion.next + oldVersion.value);
  const end = modLength.next + modLength.value;
  const sentinel = 16;
  const modText = binary.subarray(modLength.next + sentinel, end - sentinel).toString('latin1');
  const versionBytes = typeof version === 'string' ? Buffer.from(version, 'latin1') : version;
  const lines = modText.split('\n');
  for (;;) {
    const text = Buffer.from(lines.join('\n'), 'latin1');
    const modInfo = Buffer.concat([
      binary.subarray(modLength.next, modLength.next + sentinel),
      text,
      binary.subarray(end - sentinel, end),
    ]);
    const strings = Buffer.concat([varint(versionBytes.length), versionBytes, varint(modInfo.length), modInfo]);
    if (strings.length <= end - (start + headerBytes)) {
      const copy = Buffer.from(binary);
      copy.fill(0, start + headerBytes, end);
      strings.copy(copy, start + headerBytes);
      return copy;
    }
    const droppable = lines.findIndex((l) => /^build\tCGO_[A-Z]+FLAGS=/.test(l));
    if (droppable < 0) throw new Error(`no room for a ${versionBytes.length}-byte version in the build info`);
    lines.splice(droppable, 1);
  }
}
