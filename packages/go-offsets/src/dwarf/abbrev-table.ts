import { ByteReader } from './byte-reader.js';
import { attr, form } from './dwarf-constants.js';
import { fixedFormSize } from './attribute-forms.js';

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

// Real tables hold a few hundred abbreviations of a few dozen attributes; the bounds only stop garbage.
const maxAbbrevs = 100_000;
const maxAttributes = 1_000;

/** Parses the abbreviation table at `offset` of .debug_abbrev for a unit with the given sizes. */
export function parseAbbrevTable(
  abbrev: Buffer,
  offset: number,
  addressSize: number,
  offsetSize: 4 | 8,
  version: number,
): AbbrevTable {
  const r = new ByteReader(abbrev, offset, abbrev.length, '.debug_abbrev');
  if (offset >= abbrev.length) throw r.corrupt(`abbreviation table offset ${offset} is past the end`);
  const table = new Map<number, Abbrev>();
  for (let n = 0; n < maxAbbrevs; n++) {
    const code = r.uleb();
    if (code === 0) return table;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const attributes: AbbrevAttribute[] = [];
    let fixedSize: number | undefined = 0;
    for (let i = 0; ; i++) {
      if (i > maxAttributes) throw r.corrupt(`abbreviation ${code} has more than ${maxAttributes} attributes`);
      const name = r.uleb();
      const f = r.uleb();
      if (name === 0 && f === 0) break;
      const implicitConst = f === form.implicitConst ? r.sleb() : undefined;
      attributes.push(implicitConst === undefined ? { name, form: f } : { name, form: f, implicitConst });
      const size = fixedFormSize(f, addressSize, offsetSize, version);
      fixedSize = fixedSize === undefined || size === undefined ? undefined : fixedSize + size;
    }
    table.set(code, {
      tag,
      hasChildren,
      attributes,
      hasSibling: attributes.some((a) => a.name === attr.sibling),
      fixedSize,
    });
  }
  throw r.corrupt(`abbreviation table at ${offset} has more than ${maxAbbrevs} entries`);
}
