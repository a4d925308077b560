// SPDX-License-Identifier: GPL-2.0-only
/* The bare-uprobe floor of the benchmarks: a uprobe program that only counts its hits. Whatever
 * a tracer costs per call beyond this is its own; this much is the kernel's trap. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("uprobe")
int count_hit(void *ctx)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&hits, &zero);
	if (c)
		*c += 1;
	return 0;
}
