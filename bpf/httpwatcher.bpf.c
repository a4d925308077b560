// SPDX-License-Identifier: GPL-2.0-only
/*
 * Uprobes on net/http.(*Client).do and net/http.(*Transport).roundTrip (placed after the prologue's stack-bound check, so a
 * morestack restart does not fire it twice): reads the *http.Request out of the Go process and
 * writes one variable-length record per call into the `events` ring buffer.
 * Layouts come per process from user space (struct hw_probe_config); nothing Go-version specific is
 * compiled in. Build: clang -target bpf -O2 -g -D__TARGET_ARCH_{x86,arm64}.
 *
 * One compilation unit, one object; its parts are in the headers below, each included after
 * what it uses:
 *   regs.bpf.h          registers per architecture (regs-x86.bpf.h, regs-arm64.bpf.h)
 *   kernel-views.bpf.h  the kernel fields read through CO-RE
 *   maps.bpf.h          every map but the scratch; counting and ring flags
 *   preempt.bpf.h       keeping the uprobe programs from being preempted (6.10+)
 *   scratch.bpf.h       the per-CPU scratch the record is built in
 *   loops.bpf.h         the request path's loops: bpf_loop, or global functions (compat build)
 *   go-struct.bpf.h     Go struct reads (http.Request, url.URL)
 *   url-strings.bpf.h   method, URL and Host strings into the record
 *   map-walk.bpf.h      what the walks of Request.Header share
 *   hmap-walk.bpf.h     the runtime.hmap walk
 *   swiss-walk.bpf.h    the swiss-table walk
 *   header-emit.bpf.h   the collected headers into the record
 *   lifecycle.bpf.h     the per-hit process check, exec and exit tracepoints
 *   responses.bpf.h     call starts, call ends and the return probes of both functions
 *   nesting.bpf.h       whether golang.org/x/net/http2's transport was called from roundTrip
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "httpwatcher.h"
#include "regs.bpf.h"
#include "kernel-views.bpf.h"
#include "maps.bpf.h"
#include "preempt.bpf.h"
#include "scratch.bpf.h"
#include "loops.bpf.h"
#include "go-struct.bpf.h"
#include "url-strings.bpf.h"
#include "map-walk.bpf.h"
#include "hmap-walk.bpf.h"
#include "swiss-walk.bpf.h"
#include "header-emit.bpf.h"
#include "lifecycle.bpf.h"
#include "responses.bpf.h"
#include "nesting.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Request.Header into the record: collect up to HW_MAX_HEADERS entries with the binary's map
 * walk, then write them. */
static __always_inline void capture_headers(struct loop_ctx *c, struct hw_event *ev, __u64 map)
{
	struct hw_scratch *s = c->s;
	struct hw_walk_state *w = &s->w;
	__u64 total = 0;
	int bad = 0;

	__builtin_memset(w, 0, sizeof(*w));
	s->e.values_lo = ~0ull; /* the span add_refs widens */
	s->e.values_hi = 0;
	s->e.values_len = 0;
	if (!map)
		return;
	if (c->t->map_kind == HW_MAP_SWISS)
		total = walk_swiss(c, map, &bad);
	else
		total = walk_hmap(c, map, &bad);

	__u32 n = w->n > HW_MAX_HEADERS ? HW_MAX_HEADERS : w->n;
	ev->nheaders_total = total > 0xffff ? 0xffff : total;
	ev->nheaders = n;
	if (bad || w->incomplete)
		ev->flags |= HW_F_HEADERS_INCOMPLETE;
	if (total > n)
		ev->flags |= n >= HW_MAX_HEADERS ? HW_F_HEADERS_TRUNCATED : HW_F_HEADERS_INCOMPLETE;
	read_value_headers(s);
	HW_LOOP(HW_MAX_HEADERS, emit_header, c);
}

/* The request record of one hit, built in slot `s` and written into the ring. */
static __always_inline void capture_request(struct hw_pt_regs *ctx, struct hw_scratch *s, __u32 slot,
					    const struct hw_traced *traced, __u64 pid_tgid, __u8 via)
{
	const struct hw_probe_config *t = &traced->config;
	struct hw_event *ev = (struct hw_event *)s->buf;
	__u32 tgid = pid_tgid >> 32;
	struct loop_ctx c = {.s = s, .t = t, .slot = slot, .tgid = tgid};

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
	ev->via = via;
	if (t->transport)
		ev->g = call_goroutine(ctx, t);

	__u64 req;
	if (t->abi == HW_ABI_STACK) {
		req = read_u64(s, HW_SP(ctx) + t->stack_arg_offset);
	} else {
		req = HW_REQ_REG(ctx);
		if (t->goid_offset)
			ev->goid = read_u64(s, HW_G_REG(ctx) + t->goid_offset);
	}
	/* A request pointer that cannot be read (Go 1.15/1.16 pass it on the stack; a page being
	 * migrated reads as a fault) still makes a record, flagged and counted, never a silent loss. */
	if (req) {
		ev->request_ptr = req;
		read_request(s, t, req);
		put_string(s, ev, HW_STR_METHOD, s->request, t->req_method);
		__u64 url = word_at(s->request, t->req_url);
		if (url) {
			read_url(s, t, url);
			put_url(s, ev, t);
		} else {
			ev->flags |= HW_F_NO_URL;
		}
		put_string(s, ev, HW_STR_REQUEST_HOST, s->request, t->req_host);
		capture_headers(&c, ev, word_at(s->request, t->req_header));
	} else {
		s->e.err = 1;
	}

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

	if (t->response)
		remember_call(ctx, t, tgid, via, req, ev->ktime_ns);
}

/* One hit: the process check, then the record in a free scratch slot of this CPU. A subprogram, so
 * that the program itself holds nothing but ctx, in a register, around hw_preempt_disable. */
static __noinline void on_request(struct hw_pt_regs *ctx, __u8 via, __u8 x_net)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	const struct hw_traced *traced = bpf_map_lookup_elem(&traced_procs, &tgid);
	if (!traced || !probe_may_read(ctx, traced))
		return;
	if (x_net && called_from_round_trip(ctx, &traced->config))
		return; /* the request of the roundTrip below, already reported */
	count(HW_CNT_HITS);
	__u32 slot = 0;
	struct hw_scratch *s = claim_scratch(&slot);
	if (s) {
		capture_request(ctx, s, slot, traced, pid_tgid, via);
		release_scratch(s);
	} else {
		count(HW_CNT_SCRATCH_DROPS);
	}
}

SEC("uprobe")
int client_do(struct hw_pt_regs *ctx)
{
	/* First, before anything is on the stack, where the kernel allows it (preempt.bpf.h): the
	 * program's stack, its scratch slot and the counters are then this hit's alone. */
	hw_preempt_disable();
	on_request(ctx, HW_VIA_CLIENT, 0);
	hw_preempt_enable();
	return 0;
}

/*
 * Uprobe on net/http.(*Transport).roundTrip, after its stack-bound check as for client_do: the
 * request the standard transport sends, with the same reader. Its req argument and g are where
 * they are for (*Client).do (same shape: pointer receiver, one pointer argument).
 */
SEC("uprobe")
int transport_round_trip(struct hw_pt_regs *ctx)
{
	hw_preempt_disable(); /* first: see client_do */
	on_request(ctx, HW_VIA_TRANSPORT, 0);
	hw_preempt_enable();
	return 0;
}

/*
 * Uprobe on golang.org/x/net/http2's transport used directly (its RoundTripOpt, or roundTripViaPool
 * where x/net has one), after its stack-bound check: the same *http.Request, with the receiver and
 * the request where roundTrip has them. Written as a transport record, unless called from inside
 * roundTrip (nesting.bpf.h).
 */
SEC("uprobe")
int h2_round_trip(struct hw_pt_regs *ctx)
{
	hw_preempt_disable(); /* first: see client_do */
	on_request(ctx, HW_VIA_TRANSPORT, 1);
	hw_preempt_enable();
	return 0;
}

/* Every name httpwatcher.h gives user space is defined above: a name missing from the object fails
 * this build instead of the load. */
#define HW_DEFINED(name) HW_STATIC_ASSERT(sizeof(&(name)) != 0, #name " is defined");
HW_MAPS(HW_DEFINED)
HW_UPROBE_PROGRAMS(HW_DEFINED)
HW_LIFECYCLE_PROGRAMS(HW_DEFINED)
HW_DEFINED(HW_WAKEUP_BYTES_CONST)
