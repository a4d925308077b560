/** Byte size and member offsets of one struct type, as read from DWARF (by Go's debug/dwarf or ours). */
export interface StructLayout {
  readonly size: number;
  readonly members: Readonly<Record<string, number>>;
}

/** Struct layouts by DWARF type name (`net/http.Request`). */
export type StructLayouts = ReadonlyMap<string, StructLayout>;

/**
 * The DWARF struct types the layout is read from. Go's linker names synthesized map types after the key and
 * value types (cmd/link/internal/ld/dwarf.go): `bucket<K,V>` for the bucket map, `noalg.map.group[K]V` and
 * `noalg.struct { key K; elem V }` for swiss groups and slots. `map[string][]string` is `http.Header`.
 */
export const commonTypes = [
  'runtime.g',
  'net/http.Request',
  'net/http.Response',
  'net/url.URL',
  'net/url.Userinfo',
] as const;
export const hmapTypes = ['runtime.hmap', 'bucket<string,[]string>'] as const;
export const swissTypes = [
  'internal/runtime/maps.Map',
  'internal/runtime/maps.table',
  'internal/runtime/maps.groupsReference',
  'noalg.map.group[string][]string',
  'noalg.struct { key string; elem []string }',
] as const;
export const wantedTypes: readonly string[] = [...commonTypes, ...hmapTypes, ...swissTypes];

/** True once the common types and one complete map family are known, so a reader can stop early. */
export function hasCompleteLayout(structs: StructLayouts): boolean {
  const has = (names: readonly string[]) => names.every((n) => structs.has(n));
  return has(commonTypes) && (has(hmapTypes) || has(swissTypes));
}
