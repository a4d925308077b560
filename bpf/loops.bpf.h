/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The request path's loops, one source for both builds (docs/kernels.md, "Two builds").
 *
 * The default build runs each loop with bpf_loop (Linux 5.17): the verifier checks its callback
 * once. The compat build (HW_COMPAT, for Linux 5.8 to 5.16) has no bpf_loop: a bounded loop calls
 * a global function per iteration, which the verifier also checks once, on its own (Linux 5.6).
 * Before Linux 5.12 a global function takes only scalars and the context, so it gets the scratch
 * slot and the PID and finds its loop_ctx again from the maps (same CPU: migration is disabled).
 *
 * HW_LOOP_CALLBACK(cb) goes after cb's definition and before the first HW_LOOP(n, cb, c).
 */
#ifndef HW_LOOPS_BPF_H
#define HW_LOOPS_BPF_H

#include "maps.bpf.h"
#include "scratch.bpf.h"

#ifdef HW_COMPAT

static __always_inline int loop_ctx_of(struct loop_ctx *c, __u32 slot, __u32 tgid)
{
	struct hw_scratch *s = bpf_map_lookup_elem(&scratch, &slot);
	const struct hw_traced *traced = bpf_map_lookup_elem(&traced_procs, &tgid);
	if (!s || !traced)
		return 0;
	c->s = s;
	c->t = &traced->config;
	c->slot = slot;
	c->tgid = tgid;
	return 1;
}

/* Iterations one call of a chunk function runs: a loop of n > HW_LOOP_CHUNK iterations is an
 * outer loop in the caller over global chunk functions, each an inner loop over the callback's
 * global function, so the verifier walks n / HW_LOOP_CHUNK + HW_LOOP_CHUNK iterations, not n
 * (Linux 5.10's verifier processed 537,516 instructions for client_do with one flat loop of 4,096). */
#define HW_LOOP_CHUNK 64

#define HW_LOOP_CALLBACK(cb)                                                                                           \
	__noinline int hw_each_##cb(__u32 i, __u32 slot, __u32 tgid)                                                   \
	{                                                                                                              \
		struct loop_ctx c = {};                                                                                \
		if (!loop_ctx_of(&c, slot, tgid))                                                                      \
			return 1;                                                                                      \
		return cb(i, &c);                                                                                      \
	}                                                                                                              \
	__noinline int hw_chunk_##cb(__u32 base, __u32 n, __u32 slot, __u32 tgid)                                      \
	{                                                                                                              \
		for (__u32 j = 0; j < HW_LOOP_CHUNK; j++)                                                              \
			if (base + j >= n || hw_each_##cb(base + j, slot, tgid))                                       \
				return 1;                                                                              \
		return 0;                                                                                              \
	}                                                                                                              \
	static __always_inline void hw_loop_##cb(__u32 n, struct loop_ctx *c)                                          \
	{                                                                                                              \
		if (n <= HW_LOOP_CHUNK) {                                                                              \
			for (__u32 i = 0; i < n; i++)                                                                  \
				if (hw_each_##cb(i, c->slot, c->tgid))                                                 \
					break;                                                                         \
			return;                                                                                        \
		}                                                                                                      \
		for (__u32 k = 0; k < (n + HW_LOOP_CHUNK - 1) / HW_LOOP_CHUNK; k++)                                    \
			if (hw_chunk_##cb(k * HW_LOOP_CHUNK, n, c->slot, c->tgid))                                     \
				break;                                                                                 \
	}
#define HW_LOOP(n, cb, c) hw_loop_##cb((n), (c))

#else

#define HW_LOOP_CALLBACK(cb)
#define HW_LOOP(n, cb, c) bpf_loop((n), cb, (c), 0)

#endif

#endif
