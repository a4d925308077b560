import type { FileReader } from './file-reader.js';
import { ET_DYN, readElfHeader, type ElfHeader } from './elf-header.js';
import { readSectionData, readSectionHeaders, type SectionHeader } from './elf-sections.js';
import { AddressSpace } from './address-space.js';
import { readRelativeRelocations, type RelativeRelocations } from './relative-relocations.js';
import { readU64 } from './little-endian.js';

/** An opened ELF file: headers, sections, segments and relocation-aware pointer reads. */
export class ElfImage {
  private relocationsPromise: Promise<RelativeRelocations> | undefined;
  private readonly inflated = { inflatedBytes: 0 };

  private constructor(
    readonly reader: FileReader,
    readonly header: ElfHeader,
    readonly sections: SectionHeader[],
    readonly space: AddressSpace,
  ) {}

  static async open(reader: FileReader): Promise<ElfImage> {
    const header = await readElfHeader(reader);
    const sections = await readSectionHeaders(reader, header);
    return new ElfImage(reader, header, sections, new AddressSpace(reader, header.programHeaders));
  }

  get path(): string {
    return this.reader.path;
  }

  get isPie(): boolean {
    return this.header.type === ET_DYN;
  }

  section(name: string): SectionHeader | undefined {
    return this.sections.find((s) => s.name === name);
  }

  async sectionData(name: string): Promise<Buffer | undefined> {
    const section =
      this.section(name) ?? (name.startsWith('.debug_') ? this.section(`.zdebug_${name.slice(7)}`) : undefined);
    return section ? readSectionData(this.reader, section, this.inflated) : undefined;
  }

  relocations(): Promise<RelativeRelocations> {
    this.relocationsPromise ??= readRelativeRelocations(
      this.reader,
      this.header.arch,
      this.header.programHeaders,
      this.space,
    );
    return this.relocationsPromise;
  }

  /**
   * Reads a 64-bit pointer as the loader would see it before applying the load bias: in a PIE the
   * RELATIVE relocation's addend is the link-time value (the file word may be 0 with external linking).
   */
  async readPointer(vaddr: number, what: string): Promise<number> {
    if (this.isPie) {
      const addend = (await this.relocations()).addendAt(vaddr);
      if (addend !== undefined) return addend;
    }
    return readU64(await this.space.read(vaddr, 8, what), 0, this.path, what);
  }
}
