/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-CPU scratch client_do builds its record in (too large for the 512-byte BPF stack):
 * HW_SCRATCH_SLOTS slots per CPU, each with the record buffer, the Go structs read so far and the
 * state of the header walk; how a hit claims a slot; and the helpers that access the slot's byte
 * arrays in ways the verifier accepts.
 */
#ifndef HW_SCRATCH_BPF_H
#define HW_SCRATCH_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "httpwatcher.h"

/* Scratch buffer: records are built here, then copied into the ring with their exact size. */
#define HW_BUF_SIZE  16384 /* power of two, > the largest record (72 + 10*64 + 16*(8+64+512)) */
#define HW_BUF_MASK  (HW_BUF_SIZE - 1)
#define HW_BUF_SLACK 1024 /* >= the largest single write, so masked positions stay in bounds */
#define HW_COPY_SIZE 512  /* largest map bucket or group copied for parsing */

/* Go structs copied whole up to the last field used, with one read (see read_prefix). */
#define HW_PREFIX_WORDS 32 /* 256 bytes: Request.Host and URL.RawFragment end at byte 144 (Go 1.15-1.27) */
#define HW_PREFIX_SIZE	(HW_PREFIX_WORDS * 8)
#define HW_VALUES_WORDS 64  /* the value headers of all headers, read at once when this close */
#define HW_URL_TEXT	512 /* power of two: the URL's strings, read at once when this close */

/* Keeps clang from dropping a mask whose only purpose is to show the verifier a bound. */
#define hw_bound(v, mask)                                                                                              \
	({                                                                                                             \
		__u64 __v = (v);                                                                                       \
		asm volatile("" : "+r"(__v));                                                                          \
		__v &(mask);                                                                                           \
	})

struct hw_header_ref {
	__u64 key_ptr, key_len;
	__u64 values_ptr, values_len;
};

/*
 * Mutable state of the header walk and of the record being written. It lives in the per-CPU
 * map value, not on the stack, on purpose: the verifier does not track values in map memory,
 * so each bpf_loop iteration starts from unknown scalars and its states converge at once,
 * instead of forking per concrete count. Every use is bounded explicitly (masks, clamps).
 */
struct hw_walk_state {
	__u64 buckets, oldbuckets, cur;
	__u64 dir_ptr, groups;
	__u32 next_bucket, nbuckets, noldbuckets, chain, in_old;
	__u32 dir_i, dir_len, group_i, ngroups, global_depth;
	__u32 n;	  /* references collected */
	__u32 incomplete; /* a bound was hit or a read failed */
	__u64 group;	  /* the bucket or group read_group reads piecewise */
	__u32 live;	  /* live-slot mask of the bucket or group in `copy` */
	__u32 partial;	  /* it was read piecewise: only control bytes and live slots are valid */
	__u32 unreadable; /* a live slot could not be read */
};

struct hw_emit_state {
	__u32 pos; /* end of the record so far */
	__u32 err; /* some read failed */
	__u32 used, value_start, value_flags;
	__u32 values_len;	    /* bytes of user memory from values_lo in `values` (0: none) */
	__u64 values_lo, values_hi; /* the span the headers' value headers cover */
	__u32 text_len;		    /* bytes of user memory from text_lo in `url_text` (0: none) */
	__u64 text_lo;
};

struct hw_scratch {
	__u64 busy; /* a hit on this CPU holds this slot (see claim_scratch) */
	struct hw_walk_state w;
	struct hw_emit_state e;
	struct hw_header_ref refs[HW_MAX_HEADERS];
	/* Prefixes of the http.Request, its url.URL and its Header map's runtime struct; one spare
	 * word past the end keeps a string header at any masked offset in bounds. */
	__u64 request[HW_PREFIX_WORDS + 1];
	__u64 url[HW_PREFIX_WORDS + 1];
	__u64 map[HW_PREFIX_WORDS + 1];
	__u64 values[HW_VALUES_WORDS + 1];	 /* see read_value_headers */
	__u8 url_text[HW_URL_TEXT + HW_MAX_STR]; /* see read_url_text; slack for whole-word copies */
	__u8 copy[HW_COPY_SIZE * 2] __attribute__((aligned(8)));
	__u8 buf[HW_BUF_SIZE + HW_BUF_SLACK]; /* the record; struct hw_event at offset 0 */
};

/* What every loop callback of the request path gets (loops.bpf.h). */
struct loop_ctx {
	struct hw_scratch *s;
	const struct hw_probe_config *t;
	__u32 slot; /* s's index in `scratch`, and the process: how the compat build finds s and t again */
	__u32 tgid;
};

/* Slots per CPU: hits in flight at once on one CPU, each preempted by the next, that still get a
 * slot. Where the kernel has bpf_preempt_disable (6.10+) a hit is never preempted while it holds
 * its slot (preempt.bpf.h), and the first slot is always free; older kernels with full preemption
 * need the rest. */
#ifndef HW_SCRATCH_SLOTS
#define HW_SCRATCH_SLOTS 4
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HW_SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct hw_scratch);
} scratch SEC(".maps");

/*
 * The first free slot of this CPU's, marked busy, its index in *slot; NULL when every slot is held.
 * Uprobe programs run with migration disabled but, without hw_preempt_disable (before 6.10),
 * preemptible: a hit preempted while it holds a slot can be followed on this CPU by other hits,
 * which finish in any order. Each slot has its own flag, so a slot is never handed to two hits,
 * whatever order they finish in (a nesting depth would hand the slot of a hit that finished early
 * to a new hit while a deeper one still holds it).
 *
 * Default build: the flag is taken with one atomic exchange and released with a plain store (only
 * this CPU uses these slots). Compat build: Linux before 5.12 has atomic add but no exchange, so a
 * hit adds 1 and owns the slot if the flag is then 1, else takes its 1 back; two hits racing for one
 * slot can then both move on to the next, never both own it. The release is an atomic add too: a
 * plain store of 0 would wipe the 1 a racing hit is about to take back.
 */
static __always_inline struct hw_scratch *claim_scratch(__u32 *slot)
{
#pragma unroll
	for (__u32 i = 0; i < HW_SCRATCH_SLOTS; i++) {
		__u32 key = i;
		struct hw_scratch *s = bpf_map_lookup_elem(&scratch, &key);
		if (!s)
			continue;
#ifdef HW_COMPAT
		__sync_fetch_and_add(&s->busy, 1);
		if (*(volatile __u64 *)&s->busy == 1) {
			*slot = i;
			return s;
		}
		__sync_fetch_and_add(&s->busy, -1);
#else
		if (!__sync_lock_test_and_set(&s->busy, 1)) {
			*slot = i;
			return s;
		}
#endif
	}
	return 0;
}

static __always_inline void release_scratch(struct hw_scratch *s)
{
#ifdef HW_COMPAT
	__sync_fetch_and_add(&s->busy, -1);
#else
	s->busy = 0;
#endif
}

/*
 * One 8-byte access at any offset of a byte array. Through `void *`, clang takes the word's own
 * alignment; addressed as an array element it assumes 1 and emits eight byte accesses plus
 * shifts. Unaligned words are fine: x86 and arm64 allow them, and so does the verifier there.
 */
static __always_inline __u64 load_word(const void *p)
{
	return *(const __u64 *)p;
}

static __always_inline void store_word(void *p, __u64 v)
{
	*(__u64 *)p = v;
}

/* Copies up to `max` (<= HW_MAX_VALUE) bytes of a Go string's data to the end of the record;
 * returns the bytes written and sets *cut when the string was longer. */
static __always_inline __u32 put_bytes(struct hw_scratch *s, __u64 ptr, __u64 len, __u32 max, int *cut)
{
	__u32 n = len > max ? max : (__u32)len;
	*cut = len > max;
	n = hw_bound(n, 1023);
	if (n > HW_MAX_VALUE)
		n = HW_MAX_VALUE;
	if (n == 0)
		return 0;
	__u32 pos = hw_bound(s->e.pos, HW_BUF_MASK);
	if (bpf_probe_read_user(&s->buf[pos], n, (void *)ptr)) {
		s->e.err = 1;
		return 0;
	}
	s->e.pos = pos + n;
	return n;
}

#endif
