import { ByteReader } from './byte-reader.js';
import { attr, form } from './dwarf-constants.js';
import { fixedFormSize } from './attribute-forms.js';
import type { DwarfBudget } from './dwarf-budget.js';

export interface AbbrevAttribute {
  readonly name: number;
  readonly form: number;
  /** The value of a DW_FORM_implicit_const attribute, stored in the abbreviation itself. */
  readonly implicitConst?: number;
}

export interface Abbrev {
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attributes: readonly AbbrevAttribute[];
  readonly hasSibling: boolean;
  /** Total size of the attribute values when every form has a fixed size: such DIEs are skipped in one step. */
  readonly fixedSize: number | undefined;
}

export type AbbrevTable = ReadonlyMap<number, Abbrev>;

type DecodedAbbrev = Omit<Abbrev, 'fixedSize'>;

const pairKeyScale = 1 << 21;

/**
 * The abbreviation tables of one .debug_abbrev. Each is decoded once however many units share it, and
 * tables may not overlap: producers write them one after another, so decoding more bytes than the
 * section holds means units point into the middle of each other's tables, which would otherwise make
 * the work grow with the square of the unit count.
 */
export class AbbrevTables {
  private readonly decoded = new Map<number, Map<number, DecodedAbbrev>>();
  private readonly sized = new Map<string, AbbrevTable>();
  // Tables repeat a few dozen (name, form) pairs: one object each keeps a large table small in memory.
  private readonly pairs = new Map<number, AbbrevAttribute>();
  private decodedBytes = 0;

  constructor(
    private readonly abbrev: Buffer,
    private readonly budget: DwarfBudget,
  ) {}

  /** The table at `offset` for a unit with the given sizes (they decide which forms have a fixed size). */
  get(offset: number, addressSize: number, offsetSize: 4 | 8, version: number): AbbrevTable {
    const key = `${offset}/${addressSize}/${offsetSize}/${version}`;
    let table = this.sized.get(key);
    if (!table) {
      const entries = this.decoded.get(offset) ?? this.decode(offset);
      const withSizes = new Map<number, Abbrev>();
      for (const [code, entry] of entries) {
        let fixedSize: number | undefined = 0;
        for (const a of entry.attributes) {
          const size = fixedFormSize(a.form, addressSize, offsetSize, version);
          fixedSize = fixedSize === undefined || size === undefined ? undefined : fixedSize + size;
        }
        withSizes.set(code, { ...entry, fixedSize });
      }
      table = withSizes;
      this.sized.set(key, table);
    }
    return table;
  }

  private pair(name: number, f: number): AbbrevAttribute {
    if (name >= pairKeyScale || f >= pairKeyScale) return { name, form: f };
    const key = name * pairKeyScale + f;
    let pair = this.pairs.get(key);
    if (!pair) {
      pair = { name, form: f };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  private decode(offset: number): Map<number, DecodedAbbrev> {
    const r = new ByteReader(this.abbrev, offset, this.abbrev.length, '.debug_abbrev');
    if (offset >= this.abbrev.length) throw r.corrupt(`abbreviation table offset ${offset} is past the end`);
    const table = new Map<number, DecodedAbbrev>();
    for (;;) {
      const code = r.uleb();
      if (code === 0) break;
      this.budget.abbrev();
      const tag = r.uleb();
      const hasChildren = r.u8() !== 0;
      const attributes: AbbrevAttribute[] = [];
      for (;;) {
        const name = r.uleb();
        const f = r.uleb();
        if (name === 0 && f === 0) break;
        this.budget.attribute();
        attributes.push(f === form.implicitConst ? { name, form: f, implicitConst: r.sleb() } : this.pair(name, f));
      }
      table.set(code, { tag, hasChildren, attributes, hasSibling: attributes.some((a) => a.name === attr.sibling) });
    }
    this.decodedBytes += r.pos - offset;
    if (this.decodedBytes > this.abbrev.length)
      throw r.corrupt(
        `the abbreviation table at ${offset} overlaps another: ${this.decodedBytes} bytes decoded from a ${this.abbrev.length}-byte section`,
      );
    this.decoded.set(offset, table);
    return table;
  }
}
