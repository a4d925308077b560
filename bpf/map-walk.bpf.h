/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the walks of Request.Header (a map[string][]string) share, whether the binary's map is a
 * runtime.hmap (hmap-walk.bpf.h) or a swiss table (swiss-walk.bpf.h): reading one bucket or group
 * of 8 slots into s->copy, finding its live slots, and collecting up to HW_MAX_HEADERS
 * (key, values) references for header-emit.bpf.h.
 */
#ifndef HW_MAP_WALK_BPF_H
#define HW_MAP_WALK_BPF_H

#include "scratch.bpf.h"
#include "loops.bpf.h"

/* Bound of every walk's loop; hitting it sets HW_F_HEADERS_INCOMPLETE. */
#define HW_MAX_WALK_STEPS 4096

/* The 8-byte word at `off` (< HW_COPY_SIZE + 16) of s->copy (see load_word). */
static __always_inline __u64 copy_word(const struct hw_scratch *s, __u32 off)
{
	return load_word(&s->copy[off]);
}

/* Offsets of slot i's key (a Go string) and elem (a []string) in a bucket or group. */
static __always_inline __u32 slot_key(const struct hw_probe_config *t, __u32 i)
{
	if (t->map_kind == HW_MAP_SWISS)
		return t->sw_group_slots + i * t->sw_slot_size + t->sw_slot_key;
	return t->hm_keys + i * 16;
}

static __always_inline __u32 slot_elem(const struct hw_probe_config *t, __u32 i)
{
	if (t->map_kind == HW_MAP_SWISS)
		return t->sw_group_slots + i * t->sw_slot_size + t->sw_slot_elem;
	return t->hm_values + i * 24;
}

/* Bit i set: slot i of the bucket or group in s->copy holds an entry. hmap (runtime/map.go):
 * tophash byte i >= minTopHash (5). Swiss (internal/runtime/maps/group.go): control byte i is
 * byte i of the little-endian ctrl word, high bit clear = full (empty 0x80, deleted 0xFE).
 * Computed on all 8 bytes at once (SWAR), without branches the verifier would have to follow. */
static __always_inline __u32 live_slots(struct hw_scratch *s, const struct hw_probe_config *t, __u32 ctrl_off)
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

/* Loop callback: copies slot i's key and elem headers from w.group into s->copy if live. */
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
HW_LOOP_CALLBACK(read_slot)

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
	HW_LOOP(8, read_slot, c);
	return s->w.unreadable ? -1 : 0;
}

/* Records the live slots of the bucket or group in s->copy as references w.n on (key: Go string
 * header; elem: []string header), unrolled over the 8 slots. A dead slot's reference is written
 * and then overwritten, since w.n only advances for live ones. */
static __always_inline void add_refs(struct loop_ctx *c)
{
	struct hw_scratch *s = c->s;
	const struct hw_probe_config *t = c->t;
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

#endif
