/** Builds small ELF64 files byte by byte for bad-input tests. */
export interface CraftedSegment {
  flags: number;
  offset: number;
  vaddr: number;
  fileSizeBytes: number;
  memorySizeBytes?: number;
  type?: number;
}

export function craftElf(
  options: { machine?: number; type?: number; segments?: CraftedSegment[]; sizeBytes?: number } = {},
): Buffer {
  const segments = options.segments ?? [{ flags: 5, offset: 0, vaddr: 0x400000, fileSizeBytes: 0x1000 }];
  const bytes = Buffer.alloc(Math.max(options.sizeBytes ?? 0x1000, 64 + segments.length * 56));
  bytes.writeUInt32BE(0x7f454c46, 0);
  bytes[4] = 2; // ELFCLASS64
  bytes[5] = 1; // little-endian
  bytes[6] = 1;
  bytes.writeUInt16LE(options.type ?? 2, 16);
  bytes.writeUInt16LE(options.machine ?? 62, 18);
  bytes.writeBigUInt64LE(64n, 32); // e_phoff
  bytes.writeUInt16LE(64, 52);
  bytes.writeUInt16LE(56, 54);
  bytes.writeUInt16LE(segments.length, 56);
  bytes.writeUInt16LE(64, 58);
  segments.forEach((s, i) => {
    const at = 64 + i * 56;
    bytes.writeUInt32LE(s.type ?? 1, at);
    bytes.writeUInt32LE(s.flags, at + 4);
    bytes.writeBigUInt64LE(BigInt(s.offset), at + 8);
    bytes.writeBigUInt64LE(BigInt(s.vaddr), at + 16);
    bytes.writeBigUInt64LE(BigInt(s.vaddr), at + 24);
    bytes.writeBigUInt64LE(BigInt(s.fileSizeBytes), at + 32);
    bytes.writeBigUInt64LE(BigInt(s.memorySizeBytes ?? s.fileSizeBytes), at + 40);
  });
  return bytes;
}

/** Appends a section header table (with a .shstrtab) describing `sections`; returns the new file. */
export function withSections(
  elf: Buffer,
  sections: {
    name: string;
    type: number;
    flags?: number;
    addr?: number;
    offset: number;
    sizeBytes: number;
    link?: number;
  }[],
): Buffer {
  const names = Buffer.from(`\0.shstrtab\0${sections.map((s) => `${s.name}\0`).join('')}`, 'latin1');
  const namesOffset = elf.length;
  const tableOffset = namesOffset + names.length + ((8 - ((namesOffset + names.length) % 8)) % 8);
  const all = [
    { name: '', type: 0, offset: 0, sizeBytes: 0 },
    ...sections,
    { name: '.shstrtab', type: 3, offset: namesOffset, sizeBytes: names.length },
  ];
  const table = Buffer.alloc(all.length * 64);
  let nameAt = 11;
  all.forEach((s, i) => {
    const at = i * 64;
    const nameOffset = s.name === '' ? 0 : s.name === '.shstrtab' ? 1 : nameAt;
    if (s.name !== '' && s.name !== '.shstrtab') nameAt += Buffer.byteLength(s.name) + 1;
    table.writeUInt32LE(nameOffset, at);
    table.writeUInt32LE(s.type, at + 4);
    table.writeBigUInt64LE(BigInt((s as { flags?: number }).flags ?? 0), at + 8);
    table.writeBigUInt64LE(BigInt((s as { addr?: number }).addr ?? 0), at + 16);
    table.writeBigUInt64LE(BigInt(s.offset), at + 24);
    table.writeBigUInt64LE(BigInt(s.sizeBytes), at + 32);
    table.writeUInt32LE((s as { link?: number }).link ?? 0, at + 40);
  });
  const out = Buffer.concat([elf, names, Buffer.alloc(tableOffset - namesOffset - names.length), table]);
  out.writeBigUInt64LE(BigInt(tableOffset), 40);
  out.writeUInt16LE(all.length, 60);
  out.writeUInt16LE(all.length - 1, 62);
  return out;
}
