/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The one definition of what crosses the kernel/user boundary: the per-binary layout (struct
 * hw_probe_config, in the `probe_configs` map and in each `traced_procs` entry), the per-process entry (struct
 * hw_traced, in the `traced_procs` map), the records the BPF programs write into the `events` ring
 * buffer, and the names user space finds in the object.
 *
 * packages/httpwatcher/src/bpf-abi.ts mirrors this file; its test compiles this header with the
 * host compiler and compares every size and offset, so the two cannot drift.
 */
#ifndef HTTPWATCHER_H
#define HTTPWATCHER_H

/* The host compiler reads this header too, as C (bpf-abi.test.ts) and as C++ (the addon). */
#ifdef __cplusplus
#define HW_STATIC_ASSERT(cond, message) static_assert(cond, message)
#else
#define HW_STATIC_ASSERT(cond, message) _Static_assert(cond, message)
#endif

#define HW_MAX_STR     64 /* method and each URL component */
#define HW_MAX_HEADERS 16
#define HW_MAX_KEY     64
#define HW_MAX_VALUE   512 /* one header's values, joined with ", " */
#define HW_MAX_VALUES  16  /* values of one header read before giving up (flagged) */

enum hw_str_field {
	HW_STR_METHOD = 0,
	HW_STR_SCHEME,
	HW_STR_OPAQUE,
	HW_STR_HOST,
	HW_STR_PATH,
	HW_STR_RAW_PATH,
	HW_STR_RAW_QUERY,
	HW_STR_FRAGMENT,
	HW_STR_RAW_FRAGMENT,
	HW_STR_REQUEST_HOST, /* http.Request.Host */
	HW_NSTR,
};

enum hw_event_kind {
	HW_KIND_REQUEST = 1,
};

enum hw_event_flags {
	HW_F_USERINFO = 1 << 0,		  /* URL.User was set (never read) */
	HW_F_FORCE_QUERY = 1 << 1,	  /* URL.ForceQuery */
	HW_F_HEADERS_TRUNCATED = 1 << 2,  /* the map held more entries than were captured */
	HW_F_HEADERS_INCOMPLETE = 1 << 3, /* the walk stopped early: bound reached or a read failed */
	HW_F_READ_ERROR = 1 << 4,	  /* some user memory read failed; affected fields are empty */
	HW_F_NO_URL = 1 << 5,		  /* Request.URL was nil */
};

enum hw_header_flags {
	HW_HF_KEY_TRUNCATED = 1 << 0,
	HW_HF_VALUE_TRUNCATED = 1 << 1,
	/* The key (value) bytes lie in the binary's read-only data (hw_probe_config.ro_lo/ro_hi), where the
	 * file holds them too: the record carries their 8-byte offset from ro_lo instead, and user
	 * space reads key_len (value_len) bytes from the file (the literal in
	 * `h.Set("Accept", "text/html")`). */
	HW_HF_KEY_IN_IMAGE = 1 << 2,
	HW_HF_VALUE_IN_IMAGE = 1 << 3,
};

/*
 * Record layout: struct hw_event, then the HW_NSTR strings' bytes back to back (lengths in
 * str_len), then `nheaders` times (struct hw_header_entry, key bytes, value bytes). No padding
 * between variable parts; read with unaligned loads.
 */
struct hw_event {
	__u64 ktime_ns;	      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 goid;	      /* runtime.g.goid, 0 when unknown */
	__u64 request_ptr;    /* the *http.Request, for correlation */
	__u32 tgid;	      /* host PID */
	__u32 tid;	      /* host thread id */
	__u32 ns_tgid;	      /* PID inside the process's own PID namespace (from the probe config) */
	__u32 flags;	      /* enum hw_event_flags */
	__u16 truncated;      /* bit i set: string field i was cut to its limit */
	__u16 nheaders_total; /* entries in the Header map (saturates at 65535) */
	__u8 nheaders;	      /* entries that follow (<= HW_MAX_HEADERS) */
	__u8 kind;	      /* enum hw_event_kind */
	__u16 str_len[HW_NSTR];
	__u8 via; /* enum hw_via: which probe wrote the record */
	__u8 _pad;
	__u32 binary_id; /* the uprobe's cookie: which binary's image HW_HF_*_IN_IMAGE addresses are in */
	__u64 g;	 /* the calling goroutine's runtime.g pointer (0 when unknown): joins transport
			  * records to the client call of the same goroutine (docs/transport-probes.md) */
};

/* Which probe wrote a request record. */
enum hw_via {
	HW_VIA_CLIENT = 0,    /* the entry of net/http.(*Client).do: one record per Client.Do call */
	HW_VIA_TRANSPORT = 1, /* the entry of net/http.(*Transport).roundTrip, or of golang.org/x/net/http2's
			       * transport: one per request the transport sends */
};

struct hw_header_entry {
	__u16 key_len;
	__u16 value_len;
	__u16 nvalues; /* values in the []string (the joined value may hold fewer) */
	__u8 flags;    /* enum hw_header_flags */
	__u8 _pad;
};

enum hw_abi {
	HW_ABI_REGISTER = 0, /* ABIInternal: req in RBX (amd64) / X1 (arm64), g in R14 / X28 */
	HW_ABI_STACK = 1,    /* ABI0: req at SP + stack_arg_offset */
};

enum hw_map_kind {
	HW_MAP_HMAP = 0,
	HW_MAP_SWISS = 1,
};

/* The layout of one probed binary: the value of the `probe_configs` map (keyed by binary id), and the
 * `config` of each process's `traced_procs` entry (struct hw_traced). Offsets in bytes, from
 * @httpwatcher/go-offsets. */
struct hw_probe_config {
	__u8 abi;
	__u8 map_kind;
	__u16 stack_arg_offset;
	__u16 goid_offset; /* 0: goroutine id unknown */
	__u8 transport;	   /* non-zero: the transport probe is attached; client_do_return writes call-end records */
	__u8 _pad0;
	__u32 ns_tgid;
	__u32 _pad1;

	__u16 req_method, req_url, req_header, req_host;
	__u16 url_scheme, url_opaque, url_user, url_host, url_path, url_raw_path;
	__u16 url_force_query, url_raw_query, url_fragment, url_raw_fragment;

	/* runtime.hmap and its bmap for map[string][]string */
	__u16 hm_count, hm_flags, hm_b, hm_buckets, hm_oldbuckets;
	__u16 hm_bucket_size, hm_keys, hm_values, hm_overflow;

	/* internal/runtime/maps.Map, table and group for map[string][]string */
	__u16 sw_used, sw_dir_ptr, sw_dir_len, sw_global_depth;
	__u16 sw_local_depth, sw_groups_data, sw_groups_mask;
	__u16 sw_group_size, sw_group_ctrl, sw_group_slots, sw_slot_size, sw_slot_key, sw_slot_elem;

	/* Response tracing: client_do remembers each call's start, client_do_return (a uprobe on
	 * every RET of the function, never a uretprobe) reports its result. */
	__u8 response; /* non-zero: trace responses for this process */
	__u8 ro_pie;   /* ro_lo/ro_hi are link-time addresses: exec adds the load bias (see executable_start) */
	__u16 g_tls_neg_offset;	   /* stack ABI on amd64: g is at fs_base - this (Go <= 1.16: 8) */
	__u16 resp_status_code;	   /* net/http.Response.StatusCode */
	__u16 result_stack_offset; /* stack ABI: at RET, *Response at SP + this, the error after it */

	/* The binary's read-only data as mapped in the process, [ro_lo, ro_hi): immutable bytes equal to
	 * the file's, so strings there are sent as offsets (HW_HF_*_IN_IMAGE). 0, 0: none. */
	__u64 ro_lo;
	__u64 ro_hi;
	/* ro_pie: the link-time start of the lowest executable segment. The kernel sets mm->start_code
	 * to it plus the load bias (fs/binfmt_elf.c), so at exec the bias is start_code - executable_start. */
	__u64 executable_start;

	/* golang.org/x/net/http2's transport (the h2_round_trip program): a call made from inside
	 * net/http.(*Transport).roundTrip (the x/net transport that http2.ConfigureTransport registers
	 * with it) is the request roundTrip has already reported, so its record is not written. Told
	 * by the return addresses of the innermost HW_NEST_FRAMES frames: roundTrip's code is
	 * (nest_lo, nest_hi] relative to the probed instruction, so no load bias is needed. Equal: no
	 * roundTrip in the binary. */
	__s64 nest_lo;
	__s64 nest_hi;
};

/* Frames whose return addresses h2_round_trip checks (docs/transport-probes.md, "x/net"). */
#define HW_NEST_FRAMES 6

/* Indexes of the per-CPU `counters` array. */
enum hw_counter {
	HW_CNT_EVENTS = 0,    /* records submitted */
	HW_CNT_RING_DROPS,    /* records lost: the ring buffer was full */
	HW_CNT_READ_ERRORS,   /* events with HW_F_READ_ERROR */
	HW_CNT_HITS,	      /* probe hits for a traced process */
	HW_CNT_HOLDS_SKIPPED, /* exec: a process to hold was let run, its record or its `held` entry had no room */
	HW_CNT_SCRATCH_DROPS, /* client_do hits lost without a record: every scratch slot of the CPU was held */
	HW_NCOUNTERS,
};

/* ---- Lifecycle: processes keyed by PID and start time, binaries watched across exec ---- */

#define HW_USER_HZ 100 /* the tick of /proc/<pid>/stat start times on x86 and arm64 */

/*
 * Value of the `traced_procs` map, keyed by host tgid. A process is read only by the uprobe whose
 * BPF cookie is `binary_id` and only while its start time is `start_ticks`, so a reused PID or
 * an exec into another traced binary can never be read with offsets meant for another program.
 */
struct hw_traced {
	__u64 start_ticks; /* field 22 of /proc/<pid>/stat: task start_boottime in HW_USER_HZ ticks */
	__u32 binary_id;   /* cookie of the one uprobe allowed to read this process */
	__u32 _pad;
	struct hw_probe_config config;
};

/*
 * Key of the `probe_sites` map (value: one byte, 1). The compat build (Linux 5.8-5.16 has no BPF
 * cookies) checks with it what the cookie checks in the default build: that the uprobe that fired
 * is one of the sites of the binary the process is traced as. A uprobe program sees the probed
 * instruction's address; its offset from the process's mm->start_code is the site's link-time
 * address less executable_start (see hw_probe_config), the same in every process of the binary.
 */
struct hw_probe_site {
	__u32 binary_id;
	__u32 _pad;
	__u64 code_offset;
};

/* Sites (entries and return instructions) one binary may have in `probe_sites`; the map holds
 * maxBinaries times this many. */
#define HW_MAX_SITES_PER_BINARY 64

/* Key of the `watched` and `ignored` maps: an executable file as the kernel sees it. */
struct hw_binary_key {
	__u64 dev; /* super_block.s_dev, kernel encoding (major << 20 | minor) */
	__u64 ino;
};

/* Value of `watched`: a process that execs this binary gets its `traced_procs` entry from the exec
 * tracepoint, before its first instruction runs. The layout is `probe_configs[binary_id]`. */
struct hw_watch {
	__u32 binary_id;
	__u32 parent_tgid; /* non-zero: only children of this process (spawn); 0: every process */
};

/* Value of `ignored`: the binary is not traceable (not Go, no net/http client); valid while the
 * file's mtime is unchanged, so a file rewritten in place is looked at again. */
struct hw_ignore {
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 _pad;
};

/* Slots of the `exec_policy` array. */
enum hw_exec_policy_slot {
	HW_EXEC_POLICY_SLOT_MODE = 0,	       /* enum hw_exec_policy: what exec does with unknown binaries */
	HW_EXEC_POLICY_SLOT_EXEMPT_PARENT = 1, /* a tgid whose children are never held (the tracer's own
						* process, which may wait for a child synchronously and
						* could then never answer); 0: none */
	HW_EXEC_POLICY_SLOT_HOLD_SUBTREE = 2,  /* non-zero: only descendants of this tgid are held */
	HW_EXEC_POLICY_SLOTS,
};

/* How many ancestors the exec tracepoint walks to find HW_EXEC_POLICY_SLOT_HOLD_SUBTREE. */
#define HW_HOLD_SUBTREE_DEPTH 32

/* Value of the `held` map, keyed by host tgid: a process the exec tracepoint stopped. Written
 * before the SIGSTOP, so that whoever resumes it (the tracer, or its hold guardian past the
 * deadline or once the tracer is gone) finds every stopped process here. */
struct hw_held {
	__u64 start_ticks;   /* as in struct hw_traced: resume only this process, never a reused PID */
	__u64 held_ktime_ns; /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) when it was stopped */
};

/* What the exec tracepoint does with unknown binaries (HW_EXEC_POLICY_SLOT_MODE). */
enum hw_exec_policy {
	HW_EXEC_WATCHED_ONLY = 0,   /* nothing: only watched binaries are traced across exec */
	HW_EXEC_REPORT_UNKNOWN = 1, /* emit an exec record so user space can decide */
	HW_EXEC_HOLD_UNKNOWN = 2,   /* also SIGSTOP the process until user space decides */
};

enum hw_lifecycle_kind {
	HW_KIND_EXIT = 2, /* a traced process exited or replaced its program */
	HW_KIND_EXEC = 3, /* a watched or (by policy) unknown binary was exec'd */
};

enum hw_lifecycle_flags {
	HW_LF_TRACED = 1 << 0,		  /* exec: the kernel inserted the process's traced_procs entry */
	HW_LF_HELD = 1 << 1,		  /* exec: stopped with SIGSTOP; user space sends SIGCONT */
	HW_LF_TRACED_PROCS_FULL = 1 << 2, /* exec: watched, but the traced_procs map was full */
	HW_LF_REPLACED = 1 << 3,	  /* exit: the process exec'd; its old program is gone */
};

/* Exit and exec records, written into the `events` ring between request records. */
struct hw_lifecycle {
	__u64 ktime_ns;
	__u64 dev; /* exec: the new executable (struct hw_binary_key) */
	__u64 ino;
	__u32 tgid;	 /* host PID (same offset as in struct hw_event) */
	__u32 ppid;	 /* host PID of the parent */
	__u32 ns_tgid;	 /* PID inside the process's PID namespace (same offset as in struct hw_event) */
	__u32 exit_code; /* exit: wait status, (code << 8) | signal */
	__u32 binary_id; /* the binary the process is (exec) or was (exit) traced as; 0 if none */
	__u8 flags;	 /* enum hw_lifecycle_flags */
	__u8 kind;	 /* enum hw_lifecycle_kind, at the offset of hw_event.kind */
	__u16 _pad;
	__u64 start_ticks; /* as in struct hw_traced */
	__s64 mtime_sec;   /* exec: the executable's mtime (struct hw_ignore) */
	__u32 mtime_nsec;
	__u32 _pad1;
};

HW_STATIC_ASSERT(__builtin_offsetof(struct hw_lifecycle, kind) == __builtin_offsetof(struct hw_event, kind),
		 "records are told apart by their kind byte");

/* ---- Responses: one record per completed call of net/http.(*Client).do, and with the transport
 * probe of net/http.(*Transport).roundTrip ---- */

enum hw_response_kind {
	HW_KIND_RESPONSE = 4,
};

enum hw_response_flags {
	HW_RF_ERROR = 1 << 0,	    /* the returned error was non-nil */
	HW_RF_NO_RESPONSE = 1 << 1, /* the returned *Response was nil */
	HW_RF_READ_ERROR = 1 << 2,  /* StatusCode could not be read */
};

struct hw_response {
	__u64 ktime_ns;	   /* at the return */
	__u64 goid;	   /* runtime.g.goid, 0 when unknown */
	__u64 request_ptr; /* the *http.Request the call started with (as in its request record) */
	__u32 tgid;	   /* same offsets as in struct hw_event */
	__u32 tid;
	__u32 ns_tgid;
	__u32 flags;  /* enum hw_response_flags */
	__u16 status; /* Response.StatusCode (0 without a response; saturates at 65535) */
	__u8 via;     /* enum hw_via: the function that returned, as the via of the call's request record */
	__u8 _pad0[2];
	__u8 kind; /* HW_KIND_RESPONSE, at the offset of hw_event.kind */
	__u16 _pad1;
	__u64 start_ktime_ns; /* ktime_ns of the call's request record */
};

HW_STATIC_ASSERT(__builtin_offsetof(struct hw_response, kind) == __builtin_offsetof(struct hw_event, kind),
		 "records are told apart by their kind byte");

/* ---- Client-call ends: with the transport probe, one record per return of net/http.(*Client).do ---- */

enum hw_call_end_kind {
	HW_KIND_CALL_END = 5,
};

/* The end of a Client.do call: the transport records of its goroutine since its request record
 * (via = HW_VIA_CLIENT) are the call's hops. */
struct hw_call_end {
	__u64 ktime_ns; /* at the return */
	__u64 goid;	/* runtime.g.goid, 0 when unknown */
	__u64 g;	/* the goroutine's runtime.g pointer, as in its request records */
	__u32 tgid;	/* same offsets as in struct hw_event */
	__u32 tid;
	__u32 ns_tgid;
	__u32 _pad0;
	__u8 _pad1[5];
	__u8 kind; /* HW_KIND_CALL_END, at the offset of hw_event.kind */
	__u16 _pad2;
};

HW_STATIC_ASSERT(__builtin_offsetof(struct hw_call_end, kind) == __builtin_offsetof(struct hw_event, kind),
		 "records are told apart by their kind byte");

/* ---- Names user space finds in the object: libbpf looks maps, programs and constants up by name ---- */

/*
 * As identifiers, so that the BPF side can check each is defined (end of httpwatcher.bpf.c) and
 * the addon can turn them into strings (packages/bpf-native/src/object-names.h). The addon's
 * object-names test compares them with the compiled object's symbols and with the names its
 * TypeScript uses.
 */
#define HW_TRACED_PROCS_MAP traced_procs /* struct hw_traced by host tgid */
#define HW_EVENTS_MAP	    events	 /* the ring buffer every record goes through */
#define HW_COUNTERS_MAP	    counters	 /* enum hw_counter, per CPU */
/* Every map of the object, X(name) for each. */
#define HW_MAPS(X)                                                                                                     \
	X(traced_procs)                                                                                                \
	X(events)                                                                                                      \
	X(counters) X(scratch) X(watched) X(probe_configs) X(ignored) X(exec_policy) X(calls) X(held) X(probe_sites)
/* The maps user space reads and writes by name. */
#define HW_SHARED_MAPS(X)  X(traced_procs) X(watched) X(probe_configs) X(ignored) X(exec_policy) X(held) X(probe_sites)
#define HW_HELD_MAP	   held	       /* struct hw_held by host tgid: processes stopped at exec */
#define HW_EXEC_POLICY_MAP exec_policy /* enum hw_exec_policy_slot: the addon's guardian watch stops holding */
/* Sized at load from the tracer's options (maxBinaries, maxUntraceable), like traced_procs. */
#define HW_WATCHED_MAP	     watched
#define HW_PROBE_CONFIGS_MAP probe_configs
#define HW_IGNORED_MAP	     ignored
#define HW_PROBE_SITES_MAP   probe_sites /* maxBinaries * HW_MAX_SITES_PER_BINARY */
/* Uprobes user space attaches: the entry of net/http.(*Client).do (the default), its return sites, the
 * entry of net/http.(*Transport).roundTrip and its return sites, and the entry of golang.org/x/net/http2's
 * transport (whose return sites take transport_round_trip_return). */
#define HW_UPROBE_PROGRAMS(X)                                                                                          \
	X(client_do) X(client_do_return) X(transport_round_trip) X(transport_round_trip_return) X(h2_round_trip)
#define HW_ENTRY_PROGRAM client_do
/* Raw tracepoints attached for the tracer's whole life; each program's section names its tracepoint. */
#define HW_LIFECYCLE_PROGRAMS(X) X(process_exec) X(process_exit)
/* The `const volatile` user space sets before loading: the ring's wakeup threshold in bytes. */
#define HW_WAKEUP_BYTES_CONST wakeup_bytes

#endif
