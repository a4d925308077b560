/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The walk of a runtime.hmap (Go <= 1.23, and 1.24/1.25 built with GOEXPERIMENT=noswissmap):
 * buckets of 8 slots chained by overflow pointers, and while the map grows, an old bucket array
 * being evacuated into the new one.
 */
#ifndef HW_HMAP_WALK_BPF_H
#define HW_HMAP_WALK_BPF_H

#include "go-struct.bpf.h"
#include "map-walk.bpf.h"

/* Overflow buckets followed per bucket; more sets HW_F_HEADERS_INCOMPLETE. */
#define HW_MAX_CHAIN 64

/* runtime/map.go (Go <= 1.23), runtime/map_noswiss.go (1.24/1.25 noswissmap): tophash values
 * 0..4 mark empty or evacuated slots, >= 5 (minTopHash) live ones. While the map grows, old
 * buckets whose tophash[0] is 2..4 (evacuatedX/Y/Empty) were moved whole to the new array, so
 * walking the remaining old chains and then every new bucket sees each entry exactly once. */
static int hmap_step(__u32 index, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	const struct hw_probe_config *t = c->t;
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
HW_LOOP_CALLBACK(hmap_step)

/* Reads the runtime.hmap at `map` (non-nil) into s->map and walks it; returns its count. Sets
 * *bad_out when the hmap itself could not be read. */
static __always_inline __u64 walk_hmap(struct loop_ctx *c, __u64 map, int *bad_out)
{
	struct hw_scratch *s = c->s;
	const struct hw_probe_config *t = c->t;
	struct hw_walk_state *w = &s->w;
	int bad = 0;

	__u32 end = max_u32(max_u32(t->hm_count, t->hm_buckets), t->hm_oldbuckets) + 8;
	end = max_u32(end, max_u32(t->hm_b, t->hm_flags) + 1);
	if (read_prefix(s->map, map, end, t->hm_count | t->hm_buckets | t->hm_oldbuckets)) {
		bad = read_field(s->map, map, t->hm_count, 8);
		int rest = read_field(s->map, map, t->hm_b, 1);
		rest |= read_field(s->map, map, t->hm_flags, 1);
		rest |= read_field(s->map, map, t->hm_buckets, 8);
		/* An empty map (count 0) is never written past hash0: a 48-byte hmap that straddles
		 * into a page never faulted in (see read_group) has its buckets word there, unreadable
		 * and nil. Only a map with entries needs the rest. Not growing, oldbuckets was never
		 * written either: an unreadable word there is nil. */
		if (word_at(s->map, t->hm_count))
			bad |= rest;
		read_field(s->map, map, t->hm_oldbuckets, 8);
	}
	__u64 total = word_at(s->map, t->hm_count);
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
			HW_LOOP(HW_MAX_WALK_STEPS, hmap_step, c);
	} else {
		bad = 1;
	}
	*bad_out = bad;
	return total;
}

#endif
