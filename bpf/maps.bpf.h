/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maps the programs share with user space and with each other (every map but the per-CPU
 * scratch, which scratch.bpf.h defines with its layout), the load-time constant, and the helpers
 * that count and submit records.
 */
#ifndef HW_MAPS_BPF_H
#define HW_MAPS_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "httpwatcher.h"

/* Traced processes by host tgid: written by user space (attach by PID) and by process_exec. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct hw_traced);
} traced_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HW_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Binaries whose new processes are traced from their first instruction (attachBinary, spawn). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hw_binary_key);
	__type(value, struct hw_watch);
} watched SEC(".maps");

/* The layout of each probed binary, by binary id; copied into `traced_procs` on exec. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct hw_probe_config);
} probe_configs SEC(".maps");

/* The uprobe sites of each probed binary, for the compat build's process check (struct
 * hw_probe_site); the default build checks the uprobe's cookie instead. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024 * HW_MAX_SITES_PER_BINARY);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* memory for the sites written, not for the capacity */
	__type(key, struct hw_probe_site);
	__type(value, __u8);
} probe_sites SEC(".maps");

/* Binaries found not traceable, so that their execs cost nothing after the first (attachAll). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct hw_binary_key);
	__type(value, struct hw_ignore);
} ignored SEC(".maps");

/* Indexed by enum hw_exec_policy_slot (see httpwatcher.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HW_EXEC_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} exec_policy SEC(".maps");

/* Processes stopped at exec (attachAll({ hold })), until the tracer or its guardian resumes them.
 * Full: the next process to hold is let run instead (HW_CNT_HOLDS_SKIPPED). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct hw_held);
} held SEC(".maps");

#define HW_MAX_CALLS 16384

/* A call in flight: its goroutine, which function (enum hw_via) and how deep in the goroutine's
 * stack (call_depth). Client.do and, below it, Transport.roundTrip are in flight on one goroutine
 * at once, and so are nested calls of one function (a RoundTripper that fetches a token with its
 * own Client.Do, a Proxy func that sends a request): each has its own key. */
struct hw_call_key {
	__u64 g;
	__u32 tgid;
	__u32 depth;
	__u8 via;
	__u8 _pad[7];
};

struct hw_call_start {
	__u64 ktime_ns;
	__u64 request_ptr;
};

/* Calls of net/http.(*Client).do and (transport probe) of net/http.(*Transport).roundTrip in
 * flight, for response tracing (responses.bpf.h). A call that never returns (a panic through it,
 * the process killed) is evicted by newer ones, or overwritten by its goroutine's next call at the
 * same depth. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HW_MAX_CALLS);
	__type(key, struct hw_call_key);
	__type(value, struct hw_call_start);
} calls SEC(".maps");

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

#endif
