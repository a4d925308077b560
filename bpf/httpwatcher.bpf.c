// SPDX-License-Identifier: GPL-2.0-only
/*
 * Uprobe on net/http.(*Client).do (placed after the prologue's stack-bound check, so a
 * morestack restart does not fire it twice): reads the *http.Request out of the Go process and
 * writes one variable-length record per call into the `events` ring buffer.
 * Layouts come per process from user space (struct hw_target); nothing Go-version specific is
 * compiled in. Build: clang -target bpf -O2 -g -D__TARGET_ARCH_{x86,arm64}.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "httpwatcher.h"

char LICENSE[] SEC("license") = "GPL";

#if defined(__TARGET_ARCH_x86)
/* arch/x86/include/uapi/asm/ptrace.h (64-bit), the layout the kernel hands a uprobe program. */
struct hw_pt_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#define HW_REQ_REG(r) ((r)->bx) /* ABIInternal arg 2 (RAX = receiver, RBX = req) */
#define HW_G_REG(r)   ((r)->r14)
#define HW_SP(r)      ((r)->sp)
#elif defined(__TARGET_ARCH_arm64)
/* arch/arm64/include/uapi/asm/ptrace.h: struct user_pt_regs */
struct hw_pt_regs {
	__u64 regs[31];
	__u64 sp, pc, pstate;
};
#define HW_REQ_REG(r) ((r)->regs[1]) /* ABIInternal arg 2 (R0 = receiver, R1 = req) */
#define HW_G_REG(r)   ((r)->regs[28])
#define HW_SP(r)      ((r)->sp)
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif

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

/* Bounds that keep every walk finite; hitting one sets HW_F_HEADERS_INCOMPLETE. */
#define HW_MAX_WALK_STEPS	4096
#define HW_MAX_CHAIN		64
#define HW_MAX_GROUPS_PER_TABLE 1024

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
	__u64 busy; /* a hit on this CPU is using the scratch (see client_do) */
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

struct loop_ctx {
	struct hw_scratch *s;
	const struct hw_target *t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct hw_traced);
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hw_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HW_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Force a reader wakeup each time this much more data is pending (see ring_flags); between, user
 * space's timed flush collects records. Waking on every record costs ~1.4 µs inside the probe.
 * Set at load time. */
const volatile __u64 wakeup_bytes = 256 * 1024;

/* Ring flags for a record of `size` bytes: a forced wakeup only when the pending data crosses a
 * multiple of wakeup_bytes, not for every record above it. A wakeup is an irq_work self-IPI (an
 * APIC MSR write: a VM exit under virtualization), and a reader that is busy, or that stops a
 * drain early to bound its batch, leaves more than wakeup_bytes pending for many records. */
static __always_inline __u64 ring_flags(__u64 size)
{
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (!wakeup_bytes || (pending + size) / wakeup_bytes != pending / wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);
	if (c)
		*c += 1;
}

static __always_inline __u64 read_u64(struct hw_scratch *s, __u64 addr)
{
	__u64 v = 0;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		s->e.err = 1;
	return v;
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

struct go_string {
	__u64 ptr;
	__u64 len;
};

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

/* ---- struct prefixes: one bpf_probe_read_user per Go struct instead of one per field ---- */

static __always_inline __u32 max_u32(__u32 a, __u32 b)
{
	return a > b ? a : b;
}

/*
 * Copies the first `end` bytes of the Go struct at `addr` into `words`, where field offsets stay
 * what they are in Go. Returns -1 when it cannot: the prefix does not fit, a word field is not
 * 8-aligned (`align`: their offsets OR-ed), or the read failed. The caller then reads the fields
 * one by one (read_field): a struct's never-written tail can lie in a page never faulted in (see
 * read_group), where a field the program needs is not.
 */
static __always_inline int read_prefix(__u64 *words, __u64 addr, __u32 end, __u32 align)
{
	if ((align & 7) || end > HW_PREFIX_SIZE)
		return -1;
	end = hw_bound(end - 1, HW_PREFIX_SIZE - 1) + 1;
	return bpf_probe_read_user(words, end, (void *)addr) ? -1 : 0;
}

/* A field of `size` (1, 8 or 16) bytes at `off` has a place in a prefix; one that has none
 * (never so in Go's layouts) is unreadable and reads as zero. */
static __always_inline int field_fits(__u32 off, __u32 size)
{
	return off <= HW_PREFIX_SIZE - size && (size == 1 || !(off & 7));
}

/* Fallback of read_prefix: copies the field of `size` (a constant) bytes at `off` to the same
 * place in `words`. Non-zero when it cannot be read; it then reads as zero (the helper zeroes its
 * destination on failure). */
static __always_inline int read_field(__u64 *words, __u64 addr, __u32 off, __u32 size)
{
	if (!field_fits(off, size))
		return -1;
	__u8 *at = (__u8 *)words + hw_bound(off, HW_PREFIX_SIZE - 1);
	return bpf_probe_read_user(at, size, (void *)(addr + off));
}

static __always_inline __u64 word_at(const __u64 *words, __u32 off)
{
	return field_fits(off, 8) ? words[hw_bound(off >> 3, HW_PREFIX_WORDS - 1)] : 0;
}

static __always_inline __u8 byte_at(const __u64 *words, __u32 off)
{
	return field_fits(off, 1) ? ((const __u8 *)words)[hw_bound(off, HW_PREFIX_SIZE - 1)] : 0;
}

/* Widens [*lo, *hi) over the bytes put_string uses of the Go string whose header is at `off`. */
static __always_inline void span_text(__u64 *lo, __u64 *hi, const __u64 *words, __u32 off)
{
	if (!field_fits(off, 16))
		return;
	__u32 i = hw_bound(off >> 3, HW_PREFIX_WORDS - 1);
	__u64 ptr = words[i], len = words[i + 1];
	if (!len)
		return;
	if (ptr < *lo)
		*lo = ptr;
	if (ptr + (len > HW_MAX_STR ? HW_MAX_STR : len) > *hi)
		*hi = ptr + (len > HW_MAX_STR ? HW_MAX_STR : len);
}

/*
 * url.Parse slices the string it parses (net/url/url.go), and NewRequest sets Request.Host to
 * URL.Host, so a request's URL strings mostly lie within one string: one read of the span they
 * cover replaces a read per string. A span wider than HW_URL_TEXT, or one that cannot be read,
 * leaves put_string reading each string on its own.
 */
static __always_inline void read_url_text(struct hw_scratch *s, const struct hw_target *t)
{
	__u64 lo = ~0ull, hi = 0;
	span_text(&lo, &hi, s->url, t->url_scheme);
	span_text(&lo, &hi, s->url, t->url_opaque);
	span_text(&lo, &hi, s->url, t->url_host);
	span_text(&lo, &hi, s->url, t->url_path);
	span_text(&lo, &hi, s->url, t->url_raw_path);
	span_text(&lo, &hi, s->url, t->url_raw_query);
	span_text(&lo, &hi, s->url, t->url_fragment);
	span_text(&lo, &hi, s->url, t->url_raw_fragment);
	span_text(&lo, &hi, s->request, t->req_host);
	s->e.text_len = 0;
	if (hi <= lo || hi - lo > HW_URL_TEXT)
		return;
	__u32 span = hw_bound(hi - lo - 1, HW_URL_TEXT - 1) + 1;
	if (!bpf_probe_read_user(s->url_text, span, (void *)lo)) {
		s->e.text_lo = lo;
		s->e.text_len = span;
	}
}

/* Appends the Go string whose header is at `off` in `words` as string field `field`. */
static __always_inline void put_string(struct hw_scratch *s, struct hw_event *ev, int field, const __u64 *words,
				       __u32 off)
{
	if (!field_fits(off, 16))
		return;
	__u32 i = hw_bound(off >> 3, HW_PREFIX_WORDS - 1);
	__u64 ptr = words[i], len = words[i + 1];
	__u32 n = len > HW_MAX_STR ? HW_MAX_STR : (__u32)len;
	__u64 rel = ptr - s->e.text_lo; /* wraps to a huge value below text_lo */
	if (n && rel < s->e.text_len && rel + n <= s->e.text_len) {
		/* whole words from url_text; the last may run past n, into bytes overwritten next */
		__u32 pos = hw_bound(s->e.pos, HW_BUF_MASK);
		__u32 from = hw_bound(rel, HW_URL_TEXT - 1);
#pragma unroll
		for (__u32 k = 0; k < HW_MAX_STR; k += 8) {
			if (k >= n)
				break;
			store_word(&s->buf[pos + k], load_word(&s->url_text[from + k]));
		}
		s->e.pos = pos + n;
		ev->str_len[field] = n;
	} else {
		int cut = 0; /* the same as len > HW_MAX_STR, below */
		ev->str_len[field] = put_bytes(s, ptr, len, HW_MAX_STR, &cut);
	}
	if (len > HW_MAX_STR)
		ev->truncated |= 1 << field;
}

/* ---- header map walks: collect up to HW_MAX_HEADERS (key, values) references ---- */

/* The 8-byte word at `off` (< HW_COPY_SIZE + 16) of s->copy (see load_word). */
static __always_inline __u64 copy_word(const struct hw_scratch *s, __u32 off)
{
	return load_word(&s->copy[off]);
}

/* Offsets of slot i's key (a Go string) and elem (a []string) in a bucket or group. */
static __always_inline __u32 slot_key(const struct hw_target *t, __u32 i)
{
	if (t->map_kind == HW_MAP_SWISS)
		return t->sw_group_slots + i * t->sw_slot_size + t->sw_slot_key;
	return t->hm_keys + i * 16;
}

static __always_inline __u32 slot_elem(const struct hw_target *t, __u32 i)
{
	if (t->map_kind == HW_MAP_SWISS)
		return t->sw_group_slots + i * t->sw_slot_size + t->sw_slot_elem;
	return t->hm_values + i * 24;
}

/* Bit i set: slot i of the bucket or group in s->copy holds an entry. hmap (runtime/map.go):
 * tophash byte i >= minTopHash (5). Swiss (internal/runtime/maps/group.go): control byte i is
 * byte i of the little-endian ctrl word, high bit clear = full (empty 0x80, deleted 0xFE).
 * Computed on all 8 bytes at once (SWAR), without branches the verifier would have to follow. */
static __always_inline __u32 live_slots(struct hw_scratch *s, const struct hw_target *t, __u32 ctrl_off)
{
	const __u64 high = 0x8080808080808080ull;
	__u64 ctrl = copy_word(s, hw_bound(ctrl_off, HW_COPY_SIZE - 1));
	/* per byte: low 7 bits + 0x7b carries into bit 7 iff they are >= 5; no carry crosses bytes */
	__u64 hmap_live = (((ctrl & ~high) + 0x7b7b7b7b7b7b7b7bull) | ctrl) & high;
	__u64 swiss_live = ~ctrl & high;
	__u64 swiss = -(__u64)(t->map_kind == HW_MAP_SWISS);
	__u64 bits = (swiss_live & swiss) | (hmap_live & ~swiss);
	/* gather bit 7 of each byte into bits 0..7 */
	return (__u32)(((bits >> 7) * 0x0102040810204080ull) >> 56);
}

/* bpf_loop callback: copies slot i's key and elem headers from w.group into s->copy if live. */
static int read_slot(__u32 i, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	i &= 7;
	if (!(s->w.live & (1u << i)))
		return 0;
	__u32 k = hw_bound(slot_key(c->t, i), HW_COPY_SIZE - 1);
	__u32 e = hw_bound(slot_elem(c->t, i), HW_COPY_SIZE - 1);
	if (bpf_probe_read_user(&s->copy[k], 16, (void *)(s->w.group + k)) ||
	    bpf_probe_read_user(&s->copy[e], 16, (void *)(s->w.group + e))) {
		s->w.live = 0;
		s->w.unreadable = 1;
		return 1;
	}
	return 0;
}

/*
 * Copies the bucket or group at `addr` into s->copy and sets w.live to its live-slot mask;
 * returns -1 when it cannot be read. Go does not zero memory fresh from the OS (nor scavenged
 * memory), so the never-written tail of a bucket or group can lie in a page that was never
 * faulted in, and bpf_probe_read_user, which cannot fault, then fails on the whole range (seen on
 * Go 1.15: about 1 request in 1 000 lost its headers). Such a page reads as zeros in the process,
 * so the fallback reads only what the walk uses, all of it written by Go: the control bytes,
 * then the key and elem headers of live slots. It sets w.partial: nothing else was read.
 */
static __always_inline int read_group(struct loop_ctx *c, __u64 addr, __u32 size, __u32 ctrl_off)
{
	struct hw_scratch *s = c->s;
	s->w.partial = 0;
	s->w.unreadable = 0;
	if (!bpf_probe_read_user(s->copy, size, (void *)addr)) {
		s->w.live = live_slots(s, c->t, ctrl_off);
		return 0;
	}
	ctrl_off = hw_bound(ctrl_off, HW_COPY_SIZE - 1);
	if (bpf_probe_read_user(&s->copy[ctrl_off], 8, (void *)(addr + ctrl_off)))
		return -1;
	s->w.live = live_slots(s, c->t, ctrl_off);
	s->w.group = addr;
	s->w.partial = 1;
	bpf_loop(8, read_slot, c, 0);
	return s->w.unreadable ? -1 : 0;
}

/* Records the live slots of the bucket or group in s->copy as references w.n on (key: Go string
 * header; elem: []string header), unrolled over the 8 slots. A dead slot's reference is written
 * and then overwritten, since w.n only advances for live ones. */
static __always_inline void add_refs(struct loop_ctx *c)
{
	struct hw_scratch *s = c->s;
	const struct hw_target *t = c->t;
	__u32 key0 = t->hm_keys, elem0 = t->hm_values, key_step = 16, elem_step = 24;
	if (t->map_kind == HW_MAP_SWISS) {
		key0 = t->sw_group_slots + t->sw_slot_key;
		elem0 = t->sw_group_slots + t->sw_slot_elem;
		key_step = elem_step = t->sw_slot_size;
	}
#pragma unroll
	for (__u32 i = 0; i < 8; i++) {
		if (s->w.n >= HW_MAX_HEADERS)
			break;
		struct hw_header_ref *r = &s->refs[hw_bound(s->w.n, HW_MAX_HEADERS - 1)];
		__u32 k = hw_bound(key0 + i * key_step, HW_COPY_SIZE - 1);
		__u32 e = hw_bound(elem0 + i * elem_step, HW_COPY_SIZE - 1);
		__u64 live = (s->w.live >> i) & 1;
		__u64 values_ptr = copy_word(s, e), values_len = copy_word(s, e + 8);
		r->key_ptr = copy_word(s, k);
		r->key_len = copy_word(s, k + 8);
		r->values_ptr = values_ptr;
		r->values_len = values_len;
		if (live && values_len) {
			/* widen the span of value headers emit_value reads (see read_value_headers) */
			__u64 end = values_ptr + (values_len > HW_MAX_VALUES ? HW_MAX_VALUES : values_len) * 16;
			if (values_ptr < s->e.values_lo)
				s->e.values_lo = values_ptr;
			if (end > s->e.values_hi)
				s->e.values_hi = end;
		}
		s->w.n += live;
	}
}

/* runtime/map.go (Go <= 1.23), runtime/map_noswiss.go (1.24/1.25 noswissmap): tophash values
 * 0..4 mark empty or evacuated slots, >= 5 (minTopHash) live ones. While the map grows, old
 * buckets whose tophash[0] is 2..4 (evacuatedX/Y/Empty) were moved whole to the new array, so
 * walking the remaining old chains and then every new bucket sees each entry exactly once. */
static int hmap_step(__u32 index, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	const struct hw_target *t = c->t;
	struct hw_walk_state *w = &s->w;
	__u32 bsize = t->hm_bucket_size;

	if (w->n >= HW_MAX_HEADERS)
		return 1;
	if (bsize == 0 || bsize > HW_COPY_SIZE) {
		w->incomplete = 1;
		return 1;
	}
	if (!w->cur) {
		if (w->in_old) {
			if (w->next_bucket >= w->noldbuckets) {
				w->in_old = 0;
				w->next_bucket = 0;
				return 0;
			}
			w->cur = w->oldbuckets + (__u64)w->next_bucket * bsize;
		} else {
			if (w->next_bucket >= w->nbuckets)
				return 1;
			w->cur = w->buckets + (__u64)w->next_bucket * bsize;
		}
		w->next_bucket++;
		w->chain = 0;
	}
	if (read_group(c, w->cur, bsize, 0) < 0) {
		w->incomplete = 1;
		return 1;
	}
	if (w->in_old && w->chain == 0 && s->copy[0] >= 2 && s->copy[0] <= 4) {
		w->cur = 0;
		return 0;
	}
	add_refs(c);

	__u64 ovf = 0;
	__u32 ovf_off = hw_bound(t->hm_overflow, HW_COPY_SIZE - 1);
	if (!w->partial) {
		ovf = copy_word(s, ovf_off);
	} else {
		/* emptyRest (tophash 0, Go >= 1.14): no entry after this slot, overflows included. */
		__u64 tophash = copy_word(s, 0);
		__u64 zero_byte = (tophash - 0x0101010101010101ull) & ~tophash & 0x8080808080808080ull;
		if (!zero_byte && bpf_probe_read_user(&ovf, 8, (void *)(w->cur + ovf_off)))
			w->incomplete = 1; /* the bucket is full and its overflow word unreadable */
	}
	w->cur = ovf;
	if (++w->chain > HW_MAX_CHAIN) {
		w->incomplete = 1;
		w->cur = 0;
	}
	return 0;
}

/* Scans one swiss group (internal/runtime/maps/group.go: ctrl word, then 8 key/elem slots). */
static __always_inline void swiss_scan_group(struct loop_ctx *c, __u64 group)
{
	struct hw_walk_state *w = &c->s->w;
	__u32 gsize = c->t->sw_group_size;
	if (gsize == 0 || gsize > HW_COPY_SIZE || read_group(c, group, gsize, c->t->sw_group_ctrl) < 0) {
		w->incomplete = 1;
		return;
	}
	add_refs(c);
}

/* internal/runtime/maps/map.go: with dirLen > 0, dirPtr is an array of dirLen *table; a table
 * whose localDepth < globalDepth fills 2^(globalDepth-localDepth) consecutive entries, so the
 * walk skips ahead by that much and sees every table once. Tables never hold a half-moved state
 * (grow/split build a complete new table and swap it in), so there is no old array to merge. */
static int swiss_step(__u32 index, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	const struct hw_target *t = c->t;
	struct hw_walk_state *w = &s->w;

	if (w->n >= HW_MAX_HEADERS)
		return 1;
	if (!w->groups) {
		if (w->dir_i >= w->dir_len)
			return 1;
		__u64 table = 0, data = 0, mask = 0;
		__u8 local_depth = 0;
		int bad = bpf_probe_read_user(&table, 8, (void *)(w->dir_ptr + (__u64)w->dir_i * 8));
		if (!bad && table) {
			bad |= bpf_probe_read_user(&local_depth, 1, (void *)(table + t->sw_local_depth));
			bad |= bpf_probe_read_user(&data, 8, (void *)(table + t->sw_groups_data));
			bad |= bpf_probe_read_user(&mask, 8, (void *)(table + t->sw_groups_mask));
		}
		if (bad || !table || !data || mask >= HW_MAX_GROUPS_PER_TABLE) {
			w->incomplete = 1;
			return 1;
		}
		__u32 shift = local_depth <= w->global_depth ? w->global_depth - local_depth : 0;
		w->dir_i += 1u << (shift & 15);
		w->groups = data;
		w->ngroups = (__u32)mask + 1;
		w->group_i = 0;
	}
	swiss_scan_group(c, w->groups + (__u64)w->group_i * t->sw_group_size);
	if (++w->group_i >= w->ngroups)
		w->groups = 0;
	return 0;
}

/* ---- writing the collected headers into the record ---- */

/* The string header of one value at `at`: from s->values when read_value_headers got it. */
static __always_inline int read_value_header(struct hw_scratch *s, __u64 at, struct go_string *str)
{
	__u64 rel = at - s->e.values_lo; /* wraps to a huge value below values_lo */
	if (rel < s->e.values_len && rel + 16 <= s->e.values_len && !(rel & 7)) {
		__u32 k = hw_bound(rel >> 3, HW_VALUES_WORDS - 1);
		str->ptr = s->values[k];
		str->len = s->values[k + 1];
		return 0;
	}
	return bpf_probe_read_user(str, sizeof(*str), (void *)at);
}

/* Appends value v of the current header, ", " between values. Each write is bounded by
 * HW_MAX_VALUE on its own; the joined value is cut to HW_MAX_VALUE afterwards by moving the end
 * of the record back (the slack after the buffer absorbs the overshoot). */
static int emit_value(__u32 v, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	struct hw_header_ref *r = &s->refs[hw_bound(s->w.n, HW_MAX_HEADERS - 1)];
	struct go_string str = {};
	int cut = 0;

	if (v >= r->values_len)
		return 1;
	if (s->e.used >= HW_MAX_VALUE) {
		s->e.value_flags |= HW_HF_VALUE_TRUNCATED;
		return 1;
	}
	if (read_value_header(s, r->values_ptr + (__u64)v * 16, &str)) {
		s->e.err = 1;
		return 1;
	}
	if (v > 0) {
		__u32 p = hw_bound(s->e.pos, HW_BUF_MASK);
		s->buf[p] = ',';
		s->buf[p + 1] = ' ';
		s->e.pos = p + 2;
		s->e.used += 2;
	}
	s->e.used += put_bytes(s, str.ptr, str.len, HW_MAX_VALUE, &cut);
	if (cut)
		s->e.used = HW_MAX_VALUE + 1;
	return 0;
}

/* Whether the `len` bytes at `ptr` (0 < len <= max) lie in the binary's read-only data. */
static __always_inline int in_image(const struct hw_target *t, __u64 ptr, __u64 len, __u32 max)
{
	return len && len <= max && ptr >= t->ro_lo && ptr < t->ro_hi && len <= t->ro_hi - ptr;
}

/* Appends where a string lies in the binary's image instead of its bytes (HW_HF_*_IN_IMAGE): its
 * offset from ro_lo, the same in every process of the binary. A string literal costs no read of
 * user memory. */
static __always_inline void put_image_offset(struct hw_scratch *s, const struct hw_target *t, __u64 ptr)
{
	__u32 pos = hw_bound(s->e.pos, HW_BUF_MASK);
	store_word(&s->buf[pos], ptr - t->ro_lo);
	s->e.pos = pos + 8;
}

/* Writes header i: struct hw_header_entry, key bytes, joined value bytes. `w.n` is reused as
 * the index of the header being written once the walk is over. */
static int emit_header(__u32 i, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	struct hw_event *ev = (struct hw_event *)s->buf;
	if (i >= ev->nheaders)
		return 1;
	i = hw_bound(i, HW_MAX_HEADERS - 1);
	s->w.n = i;
	struct hw_header_ref *r = &s->refs[i];
	__u32 entry_pos = hw_bound(s->e.pos, HW_BUF_MASK);
	struct hw_header_entry entry __attribute__((aligned(8))) = {};
	s->e.pos = entry_pos + sizeof(entry);

	int cut = 0;
	if (in_image(c->t, r->key_ptr, r->key_len, HW_MAX_KEY)) {
		put_image_offset(s, c->t, r->key_ptr);
		entry.key_len = r->key_len;
		entry.flags |= HW_HF_KEY_IN_IMAGE;
	} else {
		entry.key_len = put_bytes(s, r->key_ptr, r->key_len, HW_MAX_KEY, &cut);
		if (cut)
			entry.flags |= HW_HF_KEY_TRUNCATED;
	}
	__u64 nvalues = r->values_len;
	entry.nvalues = nvalues > 0xffff ? 0xffff : nvalues;

	if (nvalues == 1) {
		/* the common case (Header.Set): one value, nothing to join */
		struct go_string str = {};
		if (read_value_header(s, r->values_ptr, &str)) {
			s->e.err = 1;
		} else if (in_image(c->t, str.ptr, str.len, HW_MAX_VALUE)) {
			put_image_offset(s, c->t, str.ptr);
			entry.value_len = str.len;
			entry.flags |= HW_HF_VALUE_IN_IMAGE;
		} else {
			entry.value_len = put_bytes(s, str.ptr, str.len, HW_MAX_VALUE, &cut);
			if (cut)
				entry.flags |= HW_HF_VALUE_TRUNCATED;
		}
	} else {
		s->e.value_start = s->e.pos;
		s->e.used = 0;
		s->e.value_flags = 0;
		bpf_loop(HW_MAX_VALUES, emit_value, c, 0);
		__u32 used = s->e.used;
		entry.flags |= s->e.value_flags;
		if (used > HW_MAX_VALUE) {
			used = HW_MAX_VALUE;
			entry.flags |= HW_HF_VALUE_TRUNCATED;
		}
		if (nvalues > HW_MAX_VALUES)
			entry.flags |= HW_HF_VALUE_TRUNCATED;
		entry.value_len = used;
		s->e.pos = s->e.value_start + used;
	}
	_Static_assert(sizeof(entry) == 8, "a header entry is one word");
	__u64 word;
	__builtin_memcpy(&word, &entry, sizeof(word));
	store_word(&s->buf[entry_pos], word);
	return 0;
}

/*
 * A header's values are a []string whose array Header.Set allocates on its own ([]string{value},
 * net/textproto.MIMEHeader.Set); the arrays of one request's headers, made one after another,
 * mostly lie side by side. So one read of the span they cover (widened by add_ref) replaces a
 * read per header when it is small; otherwise, or when it cannot be read, read_value_header reads
 * each on its own.
 */
static __always_inline void read_value_headers(struct hw_scratch *s)
{
	__u64 lo = s->e.values_lo, span = s->e.values_hi - lo;
	if (s->e.values_hi <= lo || span > HW_VALUES_WORDS * 8 || (lo & 7))
		return;
	span = hw_bound(span - 1, HW_VALUES_WORDS * 8 - 1) + 1;
	if (!bpf_probe_read_user(s->values, span, (void *)lo))
		s->e.values_len = span;
}

static __always_inline void capture_headers(struct loop_ctx *c, struct hw_event *ev, __u64 map)
{
	struct hw_scratch *s = c->s;
	const struct hw_target *t = c->t;
	struct hw_walk_state *w = &s->w;
	__u64 total = 0;
	int bad = 0;

	__builtin_memset(w, 0, sizeof(*w));
	s->e.values_lo = ~0ull; /* the span add_ref widens */
	s->e.values_hi = 0;
	s->e.values_len = 0;
	if (!map)
		return;
	if (t->map_kind == HW_MAP_SWISS) {
		__u32 end = max_u32(max_u32(t->sw_used, t->sw_dir_ptr), t->sw_dir_len) + 8;
		if (read_prefix(s->map, map, max_u32(end, t->sw_global_depth + 1),
				t->sw_used | t->sw_dir_ptr | t->sw_dir_len)) {
			bad |= read_field(s->map, map, t->sw_used, 8);
			bad |= read_field(s->map, map, t->sw_dir_ptr, 8);
			bad |= read_field(s->map, map, t->sw_dir_len, 8);
			bad |= read_field(s->map, map, t->sw_global_depth, 1);
		}
		total = word_at(s->map, t->sw_used);
		w->dir_ptr = word_at(s->map, t->sw_dir_ptr);
		__u64 dir_len = word_at(s->map, t->sw_dir_len);
		w->global_depth = byte_at(s->map, t->sw_global_depth);
		if (!bad && total && w->dir_ptr) {
			if (dir_len == 0) {
				/* small map: dirPtr points straight at one group of 8 slots */
				swiss_scan_group(c, w->dir_ptr);
			} else {
				w->dir_len = dir_len > (1u << 16) ? (1u << 16) : (__u32)dir_len;
				bpf_loop(HW_MAX_WALK_STEPS, swiss_step, c, 0);
			}
		}
	} else {
		__u32 end = max_u32(max_u32(t->hm_count, t->hm_buckets), t->hm_oldbuckets) + 8;
		end = max_u32(end, max_u32(t->hm_b, t->hm_flags) + 1);
		if (read_prefix(s->map, map, end, t->hm_count | t->hm_buckets | t->hm_oldbuckets)) {
			bad |= read_field(s->map, map, t->hm_count, 8);
			bad |= read_field(s->map, map, t->hm_b, 1);
			bad |= read_field(s->map, map, t->hm_flags, 1);
			bad |= read_field(s->map, map, t->hm_buckets, 8);
			/* Not growing, oldbuckets was never written and may lie in a page never faulted
			 * in (see read_group): an unreadable word there is nil. */
			read_field(s->map, map, t->hm_oldbuckets, 8);
		}
		total = word_at(s->map, t->hm_count);
		__u8 b = byte_at(s->map, t->hm_b);
		__u8 flags = byte_at(s->map, t->hm_flags);
		w->buckets = word_at(s->map, t->hm_buckets);
		w->oldbuckets = word_at(s->map, t->hm_oldbuckets);
		/* hashWriting: a writer is inside the map right now (a racing goroutine); what the
		 * walk sees may be torn. */
		if (flags & 4)
			w->incomplete = 1;
		if (!bad && b <= 24) {
			w->nbuckets = 1u << b;
			if (w->oldbuckets) {
				/* growing: the old array is half the size, or the same under sameSizeGrow (flags & 8) */
				w->noldbuckets = (flags & 8) ? w->nbuckets : w->nbuckets >> 1;
				w->in_old = 1;
			}
			if (total && w->buckets)
				bpf_loop(HW_MAX_WALK_STEPS, hmap_step, c, 0);
		} else {
			bad = 1;
		}
	}

	__u32 n = w->n > HW_MAX_HEADERS ? HW_MAX_HEADERS : w->n;
	ev->nheaders_total = total > 0xffff ? 0xffff : total;
	ev->nheaders = n;
	if (bad || w->incomplete)
		ev->flags |= HW_F_HEADERS_INCOMPLETE;
	if (total > n)
		ev->flags |= n >= HW_MAX_HEADERS ? HW_F_HEADERS_TRUNCATED : HW_F_HEADERS_INCOMPLETE;
	read_value_headers(s);
	bpf_loop(HW_MAX_HEADERS, emit_header, c, 0);
}

/* Lifecycle checks, defined at the end of this file. */
static __always_inline int probe_may_read(struct hw_pt_regs *ctx, const struct hw_traced *traced);
/* Response tracing, defined at the end of this file. */
static __always_inline void remember_call(struct hw_pt_regs *ctx, const struct hw_target *t, __u32 tgid, __u64 req,
					  __u64 ktime_ns);

SEC("uprobe")
int client_do(struct hw_pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	const struct hw_traced *traced = bpf_map_lookup_elem(&targets, &tgid);
	if (!traced || !probe_may_read(ctx, traced))
		return 0;
	const struct hw_target *t = &traced->target;
	count(HW_CNT_HITS);

	__u32 zero = 0;
	struct hw_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	/* Uprobe programs run with migration disabled, not preemption: on a preemptible kernel
	 * (preempt=full) a thread preempted in here can be followed on this CPU by another hit, which
	 * would build its record in the same per-CPU scratch. That hit is dropped, and counted. */
	if (__sync_lock_test_and_set(&s->busy, 1)) {
		count(HW_CNT_RING_DROPS);
		return 0;
	}
	struct hw_event *ev = (struct hw_event *)s->buf;
	struct loop_ctx c = {.s = s, .t = t};

	__builtin_memset(ev, 0, sizeof(*ev));
	s->e.pos = sizeof(*ev);
	s->e.err = 0;
	s->e.text_len = 0;
	ev->kind = HW_KIND_REQUEST;
	ev->ktime_ns = bpf_ktime_get_ns();
	ev->tgid = tgid;
	ev->tid = (__u32)pid_tgid;
	ev->ns_tgid = t->ns_tgid;
	ev->binary_id = traced->binary_id;

	__u64 req;
	if (t->abi == HW_ABI_STACK) {
		req = read_u64(s, HW_SP(ctx) + t->stack_arg_offset);
	} else {
		req = HW_REQ_REG(ctx);
		if (t->goid_offset)
			ev->goid = read_u64(s, HW_G_REG(ctx) + t->goid_offset);
	}
	if (!req) {
		s->busy = 0;
		return 0;
	}
	ev->request_ptr = req;

	/* net/http.Request (net/http/request.go): Method, URL, Header, Host */
	__u32 end = max_u32(max_u32(t->req_method, t->req_host) + 16, max_u32(t->req_url, t->req_header) + 8);
	if (read_prefix(s->request, req, end, t->req_method | t->req_url | t->req_header | t->req_host)) {
		int bad = read_field(s->request, req, t->req_method, 16);
		bad |= read_field(s->request, req, t->req_url, 8);
		bad |= read_field(s->request, req, t->req_header, 8);
		bad |= read_field(s->request, req, t->req_host, 16);
		if (bad)
			s->e.err = 1;
	}
	put_string(s, ev, HW_STR_METHOD, s->request, t->req_method);
	__u64 url = word_at(s->request, t->req_url);
	if (url) {
		/* net/url.URL (net/url/url.go) */
		end = max_u32(max_u32(t->url_scheme, t->url_opaque), max_u32(t->url_host, t->url_path));
		end = max_u32(end, max_u32(t->url_raw_path, t->url_raw_query));
		end = max_u32(end, max_u32(t->url_fragment, t->url_raw_fragment)) + 16;
		end = max_u32(end, max_u32(t->url_user + 8, t->url_force_query + 1));
		__u32 align = t->url_scheme | t->url_opaque | t->url_user | t->url_host | t->url_path |
			      t->url_raw_path | t->url_raw_query | t->url_fragment | t->url_raw_fragment;
		if (read_prefix(s->url, url, end, align)) {
			int bad = read_field(s->url, url, t->url_scheme, 16);
			bad |= read_field(s->url, url, t->url_opaque, 16);
			bad |= read_field(s->url, url, t->url_user, 8);
			bad |= read_field(s->url, url, t->url_host, 16);
			bad |= read_field(s->url, url, t->url_path, 16);
			bad |= read_field(s->url, url, t->url_raw_path, 16);
			bad |= read_field(s->url, url, t->url_raw_query, 16);
			bad |= read_field(s->url, url, t->url_fragment, 16);
			bad |= read_field(s->url, url, t->url_raw_fragment, 16);
			read_field(s->url, url, t->url_force_query, 1); /* unreadable: false */
			if (bad)
				s->e.err = 1;
		}
		read_url_text(s, t);
		put_string(s, ev, HW_STR_SCHEME, s->url, t->url_scheme);
		put_string(s, ev, HW_STR_OPAQUE, s->url, t->url_opaque);
		put_string(s, ev, HW_STR_HOST, s->url, t->url_host);
		put_string(s, ev, HW_STR_PATH, s->url, t->url_path);
		put_string(s, ev, HW_STR_RAW_PATH, s->url, t->url_raw_path);
		put_string(s, ev, HW_STR_RAW_QUERY, s->url, t->url_raw_query);
		put_string(s, ev, HW_STR_FRAGMENT, s->url, t->url_fragment);
		put_string(s, ev, HW_STR_RAW_FRAGMENT, s->url, t->url_raw_fragment);
		/* url.User is a *Userinfo: only whether it is set is read, never its contents. */
		if (word_at(s->url, t->url_user))
			ev->flags |= HW_F_USERINFO;
		if (byte_at(s->url, t->url_force_query))
			ev->flags |= HW_F_FORCE_QUERY;
	} else {
		ev->flags |= HW_F_NO_URL;
	}
	put_string(s, ev, HW_STR_REQUEST_HOST, s->request, t->req_host);

	capture_headers(&c, ev, word_at(s->request, t->req_header));

	if (s->e.err) {
		ev->flags |= HW_F_READ_ERROR;
		count(HW_CNT_READ_ERRORS);
	}
	__u32 size = s->e.pos;
	if (size > HW_BUF_SIZE)
		size = HW_BUF_SIZE;
	if (size < sizeof(*ev))
		size = sizeof(*ev);
	if (bpf_ringbuf_output(&events, s->buf, size, ring_flags(size)))
		count(HW_CNT_RING_DROPS);
	else
		count(HW_CNT_EVENTS);

	/* ---- response tracing: the start client_do_return reports against ---- */
	if (t->response)
		remember_call(ctx, t, tgid, req, ev->ktime_ns);
	/* ---- end of response tracing ---- */
	s->busy = 0;
	return 0;
}

/* ---- Lifecycle: exec and exit tracepoints, and the per-hit process check ---- */

/*
 * The few kernel fields read here, relocated by libbpf against the running kernel's BTF (CO-RE);
 * the ___hw suffix keeps these local views apart from any full definition.
 */
struct upid___hw {
	int nr;
} __attribute__((preserve_access_index));

struct pid___hw {
	unsigned int level;
	struct upid___hw numbers[1];
} __attribute__((preserve_access_index));

struct signal_struct___hw {
	struct {
		int counter;
	} live;
} __attribute__((preserve_access_index));

struct mm_struct___hw {
	unsigned long start_code;
} __attribute__((preserve_access_index));

struct task_struct___hw {
	struct mm_struct___hw *mm;
	int tgid;
	int exit_code;
	__u64 start_boottime;
	struct task_struct___hw *group_leader;
	struct task_struct___hw *real_parent;
	struct pid___hw *thread_pid;
	struct signal_struct___hw *signal;
} __attribute__((preserve_access_index));

struct super_block___hw {
	__u32 s_dev;
} __attribute__((preserve_access_index));

struct inode___hw {
	unsigned long i_ino;
	struct super_block___hw *i_sb;
	__s64 i_mtime_sec;
	__u32 i_mtime_nsec;
} __attribute__((preserve_access_index));

struct file___hw {
	struct inode___hw *f_inode;
} __attribute__((preserve_access_index));

struct linux_binprm___hw {
	struct file___hw *file;
} __attribute__((preserve_access_index));

#define HW_SIGSTOP	    19
#define HW_NS_PER_TICK	    (1000000000ull / HW_USER_HZ)
#define HW_MAX_PID_NS_LEVEL 31 /* MAX_PID_NS_LEVEL is 32 (kernel/pid_namespace.c) */

/* Binaries whose new processes are traced from their first instruction (attachBinary, spawn). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hw_binary_key);
	__type(value, struct hw_watch);
} watched SEC(".maps");

/* The layout of each probed binary, by binary id; copied into `targets` on exec. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct hw_target);
} configs SEC(".maps");

/* Binaries found not traceable, so that their execs cost nothing after the first (attachAll). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct hw_binary_key);
	__type(value, struct hw_ignore);
} ignored SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} exec_policy SEC(".maps");

static __always_inline __u64 start_ticks_of(struct task_struct___hw *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime) / HW_NS_PER_TICK;
}

/* The tgid as numbered in the task's own (innermost) PID namespace: pid->numbers[pid->level]. */
static __always_inline __u32 ns_tgid_of(struct task_struct___hw *task)
{
	struct pid___hw *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	int nr = 0;
	if (level > HW_MAX_PID_NS_LEVEL)
		return 0;
	__u64 at = (__u64)pid + bpf_core_field_offset(struct pid___hw, numbers) +
		   level * bpf_core_type_size(struct upid___hw) + bpf_core_field_offset(struct upid___hw, nr);
	bpf_probe_read_kernel(&nr, sizeof(nr), (void *)at);
	return nr;
}

/* The uprobe that fired belongs to the binary this process was traced as, and the process is
 * the one user space (or the exec tracepoint) saw: same PID and same start time. */
static __always_inline int probe_may_read(struct hw_pt_regs *ctx, const struct hw_traced *traced)
{
	if (traced->binary_id != bpf_get_attach_cookie(ctx))
		return 0;
	/* A BTF-typed task: its fields are plain loads, not two bpf_probe_read_kernel calls per hit. */
	struct task_struct___hw *task = (void *)bpf_get_current_task_btf();
	return traced->start_ticks == task->group_leader->start_boottime / HW_NS_PER_TICK;
}

static __always_inline void emit_lifecycle(struct hw_lifecycle *rec)
{
	rec->ktime_ns = bpf_ktime_get_ns();
	/* Rare and awaited (a held process waits for user space): wake the reader now. */
	if (bpf_ringbuf_output(&events, rec, sizeof(*rec), BPF_RB_FORCE_WAKEUP))
		count(HW_CNT_RING_DROPS);
}

SEC("raw_tp/sched_process_exec")
int process_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct___hw *task = (void *)ctx->args[0];
	struct linux_binprm___hw *bprm = (void *)ctx->args[2];
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct hw_lifecycle rec = {};
	rec.tgid = tgid;
	rec.ppid = BPF_CORE_READ(task, real_parent, tgid);
	rec.ns_tgid = ns_tgid_of(task);
	rec.start_ticks = start_ticks_of(task);

	/* The old program's offsets die with it. */
	struct hw_traced *old = bpf_map_lookup_elem(&targets, &tgid);
	if (old) {
		__u32 old_binary = old->binary_id;
		if (bpf_map_delete_elem(&targets, &tgid) == 0) {
			rec.kind = HW_KIND_EXIT;
			rec.flags = HW_LF_REPLACED;
			rec.binary_id = old_binary;
			emit_lifecycle(&rec);
		}
	}

	struct inode___hw *inode = BPF_CORE_READ(bprm, file, f_inode);
	struct hw_binary_key key = {};
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	rec.kind = HW_KIND_EXEC;
	rec.flags = 0;
	rec.binary_id = 0;
	rec.dev = key.dev;
	rec.ino = key.ino;
	if (bpf_core_field_exists(inode->i_mtime_sec)) { /* Linux >= 6.7; before, ignore rules match mtime 0 */
		rec.mtime_sec = BPF_CORE_READ(inode, i_mtime_sec);
		rec.mtime_nsec = BPF_CORE_READ(inode, i_mtime_nsec);
	}

	struct hw_watch *watch = bpf_map_lookup_elem(&watched, &key);
	if (watch && (!watch->parent_tgid || watch->parent_tgid == rec.ppid)) {
		__u32 binary_id = watch->binary_id;
		const struct hw_target *config = bpf_map_lookup_elem(&configs, &binary_id);
		if (config) {
			struct hw_traced traced = {};
			traced.start_ticks = rec.start_ticks;
			traced.binary_id = binary_id;
			__builtin_memcpy(&traced.target, config, sizeof(traced.target));
			traced.target.ns_tgid = rec.ns_tgid;
			if (traced.target.ro_pie) {
				/* A PIE's read-only data moved with its load bias, known now from the new mm. */
				__u64 start_code = BPF_CORE_READ(task, mm, start_code);
				__u64 bias = start_code - traced.target.ro_text;
				traced.target.ro_pie = 0;
				if (start_code >= traced.target.ro_text) {
					traced.target.ro_lo += bias;
					traced.target.ro_hi += bias;
				} else {
					traced.target.ro_lo = traced.target.ro_hi = 0;
				}
			}
			rec.binary_id = binary_id;
			rec.flags = bpf_map_update_elem(&targets, &tgid, &traced, BPF_ANY) ? HW_LF_TARGETS_FULL
											   : HW_LF_TRACED;
			emit_lifecycle(&rec);
			return 0;
		}
	}

	__u32 zero = 0;
	__u32 *policy = bpf_map_lookup_elem(&exec_policy, &zero);
	if (!policy || *policy == HW_EXEC_WATCHED_ONLY)
		return 0;
	struct hw_ignore *ignore = bpf_map_lookup_elem(&ignored, &key);
	if (ignore && ignore->mtime_sec == rec.mtime_sec && ignore->mtime_nsec == rec.mtime_nsec)
		return 0;
	/* Stopped before its first instruction; user space attaches or not, then sends SIGCONT. */
	__u32 one = 1;
	__u32 *exempt_parent = bpf_map_lookup_elem(&exec_policy, &one);
	if (*policy == HW_EXEC_HOLD_UNKNOWN && !(exempt_parent && *exempt_parent == rec.ppid) &&
	    bpf_send_signal(HW_SIGSTOP) == 0)
		rec.flags |= HW_LF_HELD;
	emit_lifecycle(&rec);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct hw_traced *traced = bpf_map_lookup_elem(&targets, &tgid);
	if (!traced)
		return 0;
	struct task_struct___hw *task = (void *)ctx->args[0];
	/* do_exit() decrements signal->live before this tracepoint: 0 means the last thread. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	struct hw_lifecycle rec = {};
	rec.kind = HW_KIND_EXIT;
	rec.binary_id = traced->binary_id;
	rec.start_ticks = traced->start_ticks;
	rec.ns_tgid = traced->target.ns_tgid;
	rec.tgid = tgid;
	rec.ppid = BPF_CORE_READ(task, real_parent, tgid);
	rec.exit_code = BPF_CORE_READ(task, exit_code);
	/* Two threads can both see live == 0; only the one whose delete succeeds reports. */
	if (bpf_map_delete_elem(&targets, &tgid) == 0)
		emit_lifecycle(&rec);
	return 0;
}

/* ---- Responses: a plain uprobe on every RET of net/http.(*Client).do ---- */

/*
 * No uretprobe: it would replace the return address on the goroutine's stack, which the Go
 * runtime copies elsewhere when the stack grows, and the program dies ("unexpected return pc").
 * User space finds each RET instruction by decoding the function (@httpwatcher/go-elf returnSites)
 * and attaches this program there; a call is matched with its start by goroutine: the g pointer
 * stays the same for the goroutine's life however often its stack moves.
 */

#if defined(__TARGET_ARCH_x86)
/* ABIInternal results (Go >= 1.17): RAX = *Response, RBX/RCX = error (itab, data). */
#define HW_RESULT0(r) ((r)->ax)
#define HW_RESULT1(r) ((r)->bx)
#define HW_RESULT2(r) ((r)->cx)

struct thread_struct___hwr {
	unsigned long fsbase;
} __attribute__((preserve_access_index));

struct task_struct___hwr {
	struct thread_struct___hwr thread;
} __attribute__((preserve_access_index));
#else
/* ABIInternal results (Go >= 1.18): X0 = *Response, X1/X2 = error (itab, data). */
#define HW_RESULT0(r) ((r)->regs[0])
#define HW_RESULT1(r) ((r)->regs[1])
#define HW_RESULT2(r) ((r)->regs[2])
#endif

#define HW_MAX_CALLS 16384

struct hw_call_key {
	__u64 g;
	__u32 tgid;
	__u32 _pad;
};

struct hw_call_start {
	__u64 ktime_ns;
	__u64 request_ptr;
};

/* Calls in flight. A call that never returns (a panic through it, the process killed) is evicted
 * by newer ones, and a goroutine's next call overwrites its own entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HW_MAX_CALLS);
	__type(key, struct hw_call_key);
	__type(value, struct hw_call_start);
} calls SEC(".maps");

/* The calling goroutine's g. Go <= 1.16 on amd64 keeps it in TLS, at fs_base - 8 in executables
 * (runtime.tlsg; the offset is read from the function's prologue); otherwise R14 / X28 hold it. */
static __always_inline __u64 call_goroutine(struct hw_pt_regs *ctx, const struct hw_target *t)
{
#if defined(__TARGET_ARCH_x86)
	if (t->abi == HW_ABI_STACK) {
		struct task_struct___hwr *task = (void *)bpf_get_current_task();
		__u64 fsbase = BPF_CORE_READ(task, thread.fsbase);
		__u64 g = 0;
		if (!t->g_tls_neg_offset || bpf_probe_read_user(&g, sizeof(g), (void *)(fsbase - t->g_tls_neg_offset)))
			return 0;
		return g;
	}
#endif
	return HW_G_REG(ctx);
}

static __always_inline void remember_call(struct hw_pt_regs *ctx, const struct hw_target *t, __u32 tgid, __u64 req,
					  __u64 ktime_ns)
{
	struct hw_call_key key = {.g = call_goroutine(ctx, t), .tgid = tgid};
	struct hw_call_start start = {.ktime_ns = ktime_ns, .request_ptr = req};
	if (key.g)
		bpf_map_update_elem(&calls, &key, &start, BPF_ANY);
}

SEC("uprobe")
int client_do_return(struct hw_pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	const struct hw_traced *traced = bpf_map_lookup_elem(&targets, &tgid);
	if (!traced || !traced->target.response || !probe_may_read(ctx, traced))
		return 0;
	const struct hw_target *t = &traced->target;
	struct hw_call_key key = {.g = call_goroutine(ctx, t), .tgid = tgid};
	if (!key.g)
		return 0;
	struct hw_call_start *start = bpf_map_lookup_elem(&calls, &key);
	if (!start)
		return 0;

	struct hw_response rec = {};
	rec.start_ktime_ns = start->ktime_ns;
	rec.request_ptr = start->request_ptr;
	bpf_map_delete_elem(&calls, &key);
	rec.ktime_ns = bpf_ktime_get_ns();
	rec.kind = HW_KIND_RESPONSE;
	rec.tgid = tgid;
	rec.tid = (__u32)pid_tgid;
	rec.ns_tgid = t->ns_tgid;
	if (t->goid_offset)
		bpf_probe_read_user(&rec.goid, sizeof(rec.goid), (void *)(key.g + t->goid_offset));

	/* (retres *Response, reterr error): in registers, or (ABI0) on the stack after the argument,
	 * where the frame is already popped at RET so SP is what it was at the entry. */
	__u64 results[3] = {};
	if (t->abi == HW_ABI_STACK) {
		if (bpf_probe_read_user(results, sizeof(results), (void *)(HW_SP(ctx) + t->result_stack_offset)))
			rec.flags |= HW_RF_READ_ERROR;
	} else {
		results[0] = HW_RESULT0(ctx);
		results[1] = HW_RESULT1(ctx);
		results[2] = HW_RESULT2(ctx);
	}
	if (results[1]) /* a nil interface has a nil itab */
		rec.flags |= HW_RF_ERROR;
	if (!results[0]) {
		rec.flags |= HW_RF_NO_RESPONSE;
	} else {
		__s64 code = 0;
		if (bpf_probe_read_user(&code, sizeof(code), (void *)(results[0] + t->resp_status_code)))
			rec.flags |= HW_RF_READ_ERROR;
		else
			rec.status = code < 0 ? 0 : code > 0xffff ? 0xffff : (__u16)code;
	}
	if (rec.flags & HW_RF_READ_ERROR)
		count(HW_CNT_READ_ERRORS);

	if (bpf_ringbuf_output(&events, &rec, sizeof(rec), ring_flags(sizeof(rec))))
		count(HW_CNT_RING_DROPS);
	else
		count(HW_CNT_EVENTS);
	return 0;
}
