/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Responses: one record per completed call of net/http.(*Client).do and, with the transport probe,
 * of net/http.(*Transport).roundTrip. The entry probes remember each call's start (remember_call);
 * client_do_return and transport_round_trip_return, plain uprobes on every RET of their function,
 * report its result against it.
 *
 * No uretprobe: it would replace the return address on the goroutine's stack, which the Go
 * runtime copies elsewhere when the stack grows, and the program dies ("unexpected return pc").
 * User space finds each RET instruction by decoding the function (@httpwatcher/go-elf returnSites)
 * and attaches the return program there; a call is matched with its start by goroutine, function and
 * stack depth: the g pointer stays the same for the goroutine's life however often its stack moves,
 * a goroutine inside Client.do is inside roundTrip too for each hop (docs/transport-probes.md), and
 * a call of either inside another of the same function is deeper (call_depth).
 */
#ifndef HW_RESPONSES_BPF_H
#define HW_RESPONSES_BPF_H

#include "kernel-views.bpf.h"
#include "lifecycle.bpf.h"
#include "maps.bpf.h"
#include "preempt.bpf.h"
#include "regs.bpf.h"

/* The calling goroutine's g. Go <= 1.16 on amd64 keeps it in TLS, at fs_base - 8 in executables
 * (runtime.tlsg; the offset is read from the function's prologue); otherwise R14 / X28 hold it. */
static __always_inline __u64 call_goroutine(struct hw_pt_regs *ctx, const struct hw_probe_config *t)
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

/* runtime.g begins with its stack bounds, stack.lo then stack.hi, in every Go version (the
 * runtime's assembly depends on it). */
#define HW_G_STACK_HI 8

/* How deep in goroutine g's stack the current function runs: stack.hi − SP. The entry probes sit
 * after the stack check, before the frame is made, and a RET runs once it is gone, so both see the
 * SP the function was entered with; and a stack copy (growth, or shrinking by the GC while the call
 * waits) keeps every frame's distance from stack.hi. So the entry and the returns of one call
 * agree, and a nested call of the same function on the same goroutine is deeper. */
static __always_inline __u32 call_depth(struct hw_pt_regs *ctx, __u64 g)
{
	__u64 hi = 0;
	if (bpf_probe_read_user(&hi, sizeof(hi), (void *)(g + HW_G_STACK_HI)))
		return 0;
	return (__u32)(hi - HW_SP(ctx));
}

static __always_inline struct hw_call_key call_key(struct hw_pt_regs *ctx, const struct hw_probe_config *t, __u32 tgid,
						   __u8 via)
{
	struct hw_call_key key = {.g = call_goroutine(ctx, t), .tgid = tgid, .via = via};
	if (key.g)
		key.depth = call_depth(ctx, key.g);
	return key;
}

/* Called by the entry probes for a process traced with responses: the start the return of the same
 * call reports against. */
static __always_inline void remember_call(struct hw_pt_regs *ctx, const struct hw_probe_config *t, __u32 tgid, __u8 via,
					  __u64 req, __u64 ktime_ns)
{
	struct hw_call_key key = call_key(ctx, t, tgid, via);
	struct hw_call_start start = {.ktime_ns = ktime_ns, .request_ptr = req};
	if (key.g)
		bpf_map_update_elem(&calls, &key, &start, BPF_ANY);
}

/* With the transport probe: the end of a Client.do call on goroutine g, which closes its hops in user space. */
static __always_inline void report_call_end(const struct hw_probe_config *t, __u64 pid_tgid, __u64 g)
{
	struct hw_call_end rec = {};
	rec.ktime_ns = bpf_ktime_get_ns();
	rec.kind = HW_KIND_CALL_END;
	rec.g = g;
	rec.tgid = pid_tgid >> 32;
	rec.tid = (__u32)pid_tgid;
	rec.ns_tgid = t->ns_tgid;
	if (t->goid_offset && t->abi == HW_ABI_REGISTER)
		bpf_probe_read_user(&rec.goid, sizeof(rec.goid), (void *)(g + t->goid_offset));
	if (bpf_ringbuf_output(&events, &rec, sizeof(rec), ring_flags(sizeof(rec))))
		count(HW_CNT_RING_DROPS);
	else
		count(HW_CNT_EVENTS);
}

/* The result of the call `key` names, against its remembered start: a response record. Both
 * functions have the shape func (recv *T) f(req *Request) (*Response, error), so the results are
 * at the same places for both. */
static __always_inline void report_response(struct hw_pt_regs *ctx, const struct hw_probe_config *t,
					    struct hw_call_key *key, __u64 pid_tgid)
{
	struct hw_call_start *start = bpf_map_lookup_elem(&calls, key);
	if (!start)
		return;

	struct hw_response rec = {};
	rec.start_ktime_ns = start->ktime_ns;
	rec.request_ptr = start->request_ptr;
	bpf_map_delete_elem(&calls, key);
	rec.ktime_ns = bpf_ktime_get_ns();
	rec.kind = HW_KIND_RESPONSE;
	rec.via = key->via;
	rec.tgid = key->tgid;
	rec.tid = (__u32)pid_tgid;
	rec.ns_tgid = t->ns_tgid;
	if (t->goid_offset)
		bpf_probe_read_user(&rec.goid, sizeof(rec.goid), (void *)(key->g + t->goid_offset));

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
		else if (code < 0)
			rec.status = 0;
		else
			rec.status = code > 0xffff ? 0xffff : (__u16)code;
	}
	if (rec.flags & HW_RF_READ_ERROR)
		count(HW_CNT_READ_ERRORS);

	if (bpf_ringbuf_output(&events, &rec, sizeof(rec), ring_flags(sizeof(rec))))
		count(HW_CNT_RING_DROPS);
	else
		count(HW_CNT_EVENTS);
}

/* One return of Client.do: with the transport probe the call's end, then its result. A subprogram,
 * as on_request. */
static __noinline void on_client_do_return(struct hw_pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	const struct hw_traced *traced = bpf_map_lookup_elem(&traced_procs, &tgid);
	if (!traced || !(traced->config.response || traced->config.transport) || !probe_may_read(ctx, traced))
		return;
	const struct hw_probe_config *t = &traced->config;
	struct hw_call_key key = call_key(ctx, t, tgid, HW_VIA_CLIENT);
	if (!key.g)
		return;
	if (t->transport)
		report_call_end(t, pid_tgid, key.g);
	if (t->response)
		report_response(ctx, t, &key, pid_tgid);
}

/* One return of roundTrip (transport probe with responses): the result of one request on the wire. */
static __noinline void on_round_trip_return(struct hw_pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	const struct hw_traced *traced = bpf_map_lookup_elem(&traced_procs, &tgid);
	if (!traced || !traced->config.response || !probe_may_read(ctx, traced))
		return;
	const struct hw_probe_config *t = &traced->config;
	struct hw_call_key key = call_key(ctx, t, tgid, HW_VIA_TRANSPORT);
	if (key.g)
		report_response(ctx, t, &key, pid_tgid);
}

SEC("uprobe")
int client_do_return(struct hw_pt_regs *ctx)
{
	hw_preempt_disable(); /* first: see preempt.bpf.h */
	on_client_do_return(ctx);
	hw_preempt_enable();
	return 0;
}

SEC("uprobe")
int transport_round_trip_return(struct hw_pt_regs *ctx)
{
	hw_preempt_disable(); /* first: see preempt.bpf.h */
	on_round_trip_return(ctx);
	hw_preempt_enable();
	return 0;
}

#endif
