/**
 * Everything the BPF program needs to know about one Go toolchain's memory layout to read a
 * `*http.Request` at the entry of `net/http.(*Client).do`. All offsets are in bytes.
 * Where each offset comes from: docs/go-layouts.md and docs/go-maps.md at the repository root.
 */
export type GoArch = 'amd64' | 'arm64';

export interface AbiLayout {
  /** `register`: ABIInternal (amd64 Go ≥ 1.17, arm64 Go ≥ 1.18). `stack`: ABI0, arguments on the stack. */
  readonly kind: 'register' | 'stack';
  /** Where the `req *Request` argument is at entry: a register name, or a byte offset from SP. */
  readonly requestArg: { readonly register: 'RBX' | 'X1' } | { readonly stackOffset: number };
  /** Register holding the current `*g` under ABIInternal (R14 / X28); null for the stack ABI. */
  readonly goroutineRegister: 'R14' | 'X28' | null;
  /** Offset of `runtime.g.goid`. */
  readonly goidOffset: number;
}

export interface RequestLayout {
  readonly method: number;
  readonly url: number;
  readonly header: number;
  readonly host: number;
}

export interface UrlLayout {
  readonly scheme: number;
  readonly opaque: number;
  readonly user: number;
  readonly host: number;
  readonly path: number;
  readonly rawPath: number;
  readonly forceQuery: number;
  readonly rawQuery: number;
  readonly fragment: number;
  readonly rawFragment: number;
}

/** `url.Userinfo`: known only so we can tell it is there; the password is never read. */
export interface UserinfoLayout {
  readonly username: number;
  readonly password: number;
  readonly passwordSet: number;
}

/** Bucket map (runtime/map.go ≤ 1.23; runtime/map_noswiss.go 1.24–1.25 with GOEXPERIMENT=noswissmap). */
export interface HmapLayout {
  readonly kind: 'hmap';
  readonly count: number;
  readonly flags: number;
  readonly B: number;
  readonly buckets: number;
  readonly oldbuckets: number;
  /** `bmap` for map[string][]string: tophash [8]uint8, keys, values, overflow pointer. */
  readonly bucketSize: number;
  readonly bucketKeys: number;
  readonly bucketValues: number;
  readonly bucketOverflow: number;
  readonly keySize: number;
  readonly valueSize: number;
}

/** Swiss table map (internal/runtime/maps, Go ≥ 1.24). */
export interface SwissLayout {
  readonly kind: 'swiss';
  readonly used: number;
  readonly dirPtr: number;
  readonly dirLen: number;
  readonly globalDepth: number;
  /**
   * `Map.writing`: non-zero while a writer mutates the map, the only time a reader can see a torn table.
   * Optional (added after the schema was fixed); every generated entry has it.
   */
  readonly writing?: number;
  readonly tableLocalDepth: number;
  readonly tableGroupsData: number;
  readonly tableGroupsLengthMask: number;
  /** Group: ctrl word at `groupCtrl`, then 8 slots of `slotSize` from `groupSlots`. */
  readonly groupSize: number;
  readonly groupCtrl: number;
  readonly groupSlots: number;
  readonly slotSize: number;
  readonly slotKey: number;
  readonly slotElem: number;
}

export type MapLayout = HmapLayout | SwissLayout;

export interface ResponseLayout {
  readonly statusCode: number;
}

export interface GoLayout {
  readonly arch: GoArch;
  readonly abi: AbiLayout;
  readonly request: RequestLayout;
  readonly url: UrlLayout;
  readonly userinfo: UserinfoLayout;
  readonly headerMap: MapLayout;
  readonly response: ResponseLayout;
}
