/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The walk of a swiss-table map (internal/runtime/maps, Go >= 1.24): a directory of tables, each
 * an array of groups of 8 slots, or for a small map one group and no directory.
 */
#ifndef HW_SWISS_WALK_BPF_H
#define HW_SWISS_WALK_BPF_H

#include "go-struct.bpf.h"
#include "map-walk.bpf.h"

/* Groups read per table at most; a larger table sets HW_F_HEADERS_INCOMPLETE. */
#define HW_MAX_GROUPS_PER_TABLE 1024

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
	const struct hw_probe_config *t = c->t;
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
HW_LOOP_CALLBACK(swiss_step)

/* Reads the internal/runtime/maps.Map at `map` (non-nil) into s->map and walks it; returns its
 * used count. Sets *bad_out when the Map itself could not be read. */
static __always_inline __u64 walk_swiss(struct loop_ctx *c, __u64 map, int *bad_out)
{
	struct hw_scratch *s = c->s;
	const struct hw_probe_config *t = c->t;
	struct hw_walk_state *w = &s->w;
	int bad = 0;

	__u32 end = max_u32(max_u32(t->sw_used, t->sw_dir_ptr), t->sw_dir_len) + 8;
	if (read_prefix(s->map, map, max_u32(end, t->sw_global_depth + 1),
			t->sw_used | t->sw_dir_ptr | t->sw_dir_len)) {
		bad = read_field(s->map, map, t->sw_used, 8);
		int rest = read_field(s->map, map, t->sw_dir_ptr, 8);
		rest |= read_field(s->map, map, t->sw_dir_len, 8);
		rest |= read_field(s->map, map, t->sw_global_depth, 1);
		/* An empty Map is never written past its seed (see walk_hmap): the rest may be
		 * unreadable, and is nil. */
		if (word_at(s->map, t->sw_used))
			bad |= rest;
	}
	__u64 total = word_at(s->map, t->sw_used);
	w->dir_ptr = word_at(s->map, t->sw_dir_ptr);
	__u64 dir_len = word_at(s->map, t->sw_dir_len);
	w->global_depth = byte_at(s->map, t->sw_global_depth);
	if (!bad && total && w->dir_ptr) {
		if (dir_len == 0) {
			/* small map: dirPtr points straight at one group of 8 slots */
			swiss_scan_group(c, w->dir_ptr);
		} else {
			w->dir_len = dir_len > (1u << 16) ? (1u << 16) : (__u32)dir_len;
			HW_LOOP(HW_MAX_WALK_STEPS, swiss_step, c);
		}
	}
	*bad_out = bad;
	return total;
}

#endif
