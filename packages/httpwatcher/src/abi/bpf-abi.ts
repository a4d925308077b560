/**
 * TypeScript mirror of bpf/httpwatcher.h: the event record and the probe configuration.
 * bpf-abi.test.ts compiles that header with the host C compiler and checks every value here.
 */
export const MAX_STR = 64;
export const MAX_HEADERS = 16;
export const MAX_KEY = 64;
export const MAX_VALUE = 512;
export const MAX_VALUES = 16;

/** enum hw_str_field, in order. */
export const stringFields = [
  'method',
  'scheme',
  'opaque',
  'host',
  'path',
  'rawPath',
  'rawQuery',
  'fragment',
  'rawFragment',
  'requestHost',
] as const;
export type StringField = (typeof stringFields)[number];

export const EventKind = { request: 1 } as const;

/** enum hw_via: which probe wrote a request record. */
export const Via = { client: 0, transport: 1 } as const;

export const EventFlag = {
  userinfo: 1 << 0,
  forceQuery: 1 << 1,
  headersTruncated: 1 << 2,
  headersIncomplete: 1 << 3,
  readError: 1 << 4,
  noUrl: 1 << 5,
} as const;

export const HeaderFlag = {
  keyTruncated: 1 << 0,
  valueTruncated: 1 << 1,
  keyInImage: 1 << 2,
  valueInImage: 1 << 3,
} as const;

/** The size of what stands in a record for a string in the binary's image (HW_HF_*_IN_IMAGE): its offset from ro_lo. */
export const IMAGE_OFFSET_BYTES = 8;

/** struct hw_event: byte offsets of its fixed fields. */
export const eventLayout = {
  size: 80,
  ktimeNs: 0,
  goid: 8,
  requestPtr: 16,
  tgid: 24,
  tid: 28,
  nsTgid: 32,
  flags: 36,
  truncated: 40,
  nheadersTotal: 42,
  nheaders: 44,
  kind: 45,
  strLen: 46,
  via: 66,
  binaryId: 68,
  g: 72,
} as const;

/** struct hw_header_entry */
export const headerEntryLayout = { size: 8, keyLen: 0, valueLen: 2, nvalues: 4, flags: 6 } as const;

export const Abi = { register: 0, stack: 1 } as const;
export const MapKindCode = { hmap: 0, swiss: 1 } as const;

/** struct hw_probe_config: [name, offset, size in bytes] in declaration order. */
export const probeConfigFields = [
  ['abi', 0, 1],
  ['map_kind', 1, 1],
  ['stack_arg_offset', 2, 2],
  ['goid_offset', 4, 2],
  ['transport', 6, 1],
  ['ns_tgid', 8, 4],
  ['req_method', 16, 2],
  ['req_url', 18, 2],
  ['req_header', 20, 2],
  ['req_host', 22, 2],
  ['url_scheme', 24, 2],
  ['url_opaque', 26, 2],
  ['url_user', 28, 2],
  ['url_host', 30, 2],
  ['url_path', 32, 2],
  ['url_raw_path', 34, 2],
  ['url_force_query', 36, 2],
  ['url_raw_query', 38, 2],
  ['url_fragment', 40, 2],
  ['url_raw_fragment', 42, 2],
  ['hm_count', 44, 2],
  ['hm_flags', 46, 2],
  ['hm_b', 48, 2],
  ['hm_buckets', 50, 2],
  ['hm_oldbuckets', 52, 2],
  ['hm_bucket_size', 54, 2],
  ['hm_keys', 56, 2],
  ['hm_values', 58, 2],
  ['hm_overflow', 60, 2],
  ['sw_used', 62, 2],
  ['sw_dir_ptr', 64, 2],
  ['sw_dir_len', 66, 2],
  ['sw_global_depth', 68, 2],
  ['sw_local_depth', 70, 2],
  ['sw_groups_data', 72, 2],
  ['sw_groups_mask', 74, 2],
  ['sw_group_size', 76, 2],
  ['sw_group_ctrl', 78, 2],
  ['sw_group_slots', 80, 2],
  ['sw_slot_size', 82, 2],
  ['sw_slot_key', 84, 2],
  ['sw_slot_elem', 86, 2],
  ['response', 88, 1],
  ['ro_pie', 89, 1],
  ['g_tls_neg_offset', 90, 2],
  ['resp_status_code', 92, 2],
  ['result_stack_offset', 94, 2],
  ['ro_lo', 96, 8],
  ['ro_hi', 104, 8],
  ['executable_start', 112, 8],
  ['nest_lo', 120, 8],
  ['nest_hi', 128, 8],
] as const;
export type ProbeConfigField = (typeof probeConfigFields)[number][0];
export const probeConfigSize = 136;

/** enum hw_counter */
export const counterIndex = {
  events: 0,
  ringDrops: 1,
  readErrors: 2,
  hits: 3,
  holdsSkipped: 4,
  scratchDrops: 5,
} as const;

/* ---- Lifecycle (the end of bpf/httpwatcher.h) ---- */

/** The tick of /proc/<pid>/stat start times on x86 and arm64 (HW_USER_HZ). */
export const USER_HZ = 100;

/** struct hw_traced: the `traced_procs` map value, a `struct hw_probe_config` after two fixed fields. */
export const tracedLayout = {
  startTicks: 0,
  binaryId: 8,
  config: 16,
  size: (16 + probeConfigSize + 7) & ~7,
} as const;

/** struct hw_binary_key: key of the `watched` and `ignored` maps. */
export const binaryKeyLayout = { size: 16, dev: 0, ino: 8 } as const;

/** struct hw_watch: value of `watched`. */
export const watchLayout = { size: 8, binaryId: 0, parentTgid: 4 } as const;

/** struct hw_probe_site: key of `probe_sites` (the compat build's process check); its value is one byte, 1. */
export const probeSiteLayout = { size: 16, binaryId: 0, codeOffset: 8 } as const;

/** HW_MAX_SITES_PER_BINARY: uprobe sites one binary may have in `probe_sites`. */
export const MAX_SITES_PER_BINARY = 64;

/** struct hw_ignore: value of `ignored`. */
export const ignoreLayout = { size: 16, mtimeSec: 0, mtimeNsec: 8 } as const;

/** enum hw_exec_policy_slot: indexes of the `exec_policy` array. */
export const ExecPolicySlot = { mode: 0, exemptParent: 1, holdSubtree: 2 } as const;

/** struct hw_held: value of the `held` map (processes stopped at exec). */
export const heldLayout = { size: 16, startTicks: 0, heldKtimeNs: 8 } as const;

/** enum hw_exec_policy */
export const ExecPolicy = { watchedOnly: 0, reportUnknown: 1, holdUnknown: 2 } as const;

/** enum hw_lifecycle_kind */
export const LifecycleKind = { exit: 2, exec: 3 } as const;

/** enum hw_lifecycle_flags */
export const LifecycleFlag = { traced: 1 << 0, held: 1 << 1, tracedProcsFull: 1 << 2, replaced: 1 << 3 } as const;

/** struct hw_lifecycle: exit and exec records. `kind` sits where struct hw_event has it. */
export const lifecycleLayout = {
  size: 72,
  ktimeNs: 0,
  dev: 8,
  ino: 16,
  tgid: 24,
  ppid: 28,
  nsTgid: 32,
  exitCode: 36,
  binaryId: 40,
  flags: 44,
  kind: 45,
  startTicks: 48,
  mtimeSec: 56,
  mtimeNsec: 64,
} as const;

/* ---- Responses (the end of bpf/httpwatcher.h) ---- */

/** enum hw_response_kind */
export const ResponseKind = 4;

/** enum hw_response_flags */
export const ResponseFlag = { error: 1 << 0, noResponse: 1 << 1, readError: 1 << 2 } as const;

/** struct hw_response: one completed call. `kind` sits where struct hw_event has it. */
export const responseLayout = {
  size: 56,
  ktimeNs: 0,
  goid: 8,
  requestPtr: 16,
  tgid: 24,
  tid: 28,
  nsTgid: 32,
  flags: 36,
  status: 40,
  via: 42,
  kind: 45,
  startKtimeNs: 48,
} as const;

/* ---- Client-call ends (the end of bpf/httpwatcher.h) ---- */

/** enum hw_call_end_kind */
export const CallEndKind = 5;

/** struct hw_call_end: a return of net/http.(*Client).do with the transport probe. `kind` sits where struct hw_event has it. */
export const callEndLayout = {
  size: 48,
  ktimeNs: 0,
  goid: 8,
  g: 16,
  tgid: 24,
  tid: 28,
  nsTgid: 32,
  kind: 45,
} as const;
