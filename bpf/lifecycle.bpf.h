/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Processes keyed by PID and start time: the check every uprobe hit makes before reading a
 * process, and the exec and exit tracepoints that keep `traced_procs` in step with the processes
 * (watched binaries traced from their first instruction, unknown ones reported or held).
 */
#ifndef HW_LIFECYCLE_BPF_H
#define HW_LIFECYCLE_BPF_H

#include "kernel-views.bpf.h"
#include "maps.bpf.h"
#include "regs.bpf.h"

#define HW_SIGSTOP 19

/* The uprobe that fired belongs to the binary this process was traced as, and the process is
 * the one user space (or the exec tracepoint) saw: same PID and same start time. */
#ifdef HW_COMPAT
/* Linux 5.8-5.16: no cookie, no BTF-typed task. The probed address, as an offset from the
 * process's start_code, must be one of the binary's sites (struct hw_probe_site). */
static __always_inline int probe_may_read(struct hw_pt_regs *ctx, const struct hw_traced *traced)
{
	struct task_struct___hw *task = (void *)bpf_get_current_task();
	if (traced->start_ticks != start_ticks_of(task))
		return 0;
	struct hw_probe_site site = {};
	site.binary_id = traced->binary_id;
	site.code_offset = HW_IP(ctx) - BPF_CORE_READ(task, mm, start_code);
	return bpf_map_lookup_elem(&probe_sites, &site) != 0;
}
#else
static __always_inline int probe_may_read(struct hw_pt_regs *ctx, const struct hw_traced *traced)
{
	if (traced->binary_id != bpf_get_attach_cookie(ctx))
		return 0;
	/* A BTF-typed task: its fields are plain loads, not two bpf_probe_read_kernel calls per hit. */
	struct task_struct___hw *task = (void *)bpf_get_current_task_btf();
	return traced->start_ticks == task->group_leader->start_boottime / HW_NS_PER_TICK;
}
#endif

static __always_inline void emit_lifecycle(struct hw_lifecycle *rec)
{
	rec->ktime_ns = bpf_ktime_get_ns();
	/* Rare and awaited (a held process waits for user space): wake the reader now. */
	if (bpf_ringbuf_output(&events, rec, sizeof(*rec), BPF_RB_FORCE_WAKEUP))
		count(HW_CNT_RING_DROPS);
}

/* Not a child of the exempt parent (the tracer), and below the hold subtree's root when one is set. */
static __always_inline int may_hold(struct task_struct___hw *task, __u32 ppid)
{
	__u32 slot = HW_EXEC_POLICY_SLOT_EXEMPT_PARENT;
	__u32 *exempt_parent = bpf_map_lookup_elem(&exec_policy, &slot);
	if (exempt_parent && *exempt_parent == ppid)
		return 0;
	slot = HW_EXEC_POLICY_SLOT_HOLD_SUBTREE;
	__u32 *root = bpf_map_lookup_elem(&exec_policy, &slot);
	if (!root || !*root)
		return 1;
	struct task_struct___hw *ancestor = task;
	for (int depth = 0; depth < HW_HOLD_SUBTREE_DEPTH; depth++) {
		ancestor = BPF_CORE_READ(ancestor, real_parent);
		if (!ancestor)
			return 0;
		__u32 tgid = BPF_CORE_READ(ancestor, tgid);
		if (tgid == *root)
			return 1;
		if (tgid <= 1)
			return 0;
	}
	return 0;
}

/* Records the hold, then stops the process (it stops on its way back to user space, before its
 * first instruction). False, and nothing stopped, when the `held` map is full or the signal fails. */
static __always_inline int hold_process(__u32 tgid, __u64 start_ticks)
{
	struct hw_held entry = {};
	entry.start_ticks = start_ticks;
	entry.held_ktime_ns = bpf_ktime_get_ns();
	/* BPF_ANY: an entry left by a held process that was killed is for a PID now reused. */
	if (bpf_map_update_elem(&held, &tgid, &entry, BPF_ANY))
		return 0;
	if (bpf_send_signal(HW_SIGSTOP) == 0)
		return 1;
	bpf_map_delete_elem(&held, &tgid);
	return 0;
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
	struct hw_traced *old = bpf_map_lookup_elem(&traced_procs, &tgid);
	if (old) {
		__u32 old_binary = old->binary_id;
		if (bpf_map_delete_elem(&traced_procs, &tgid) == 0) {
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
		const struct hw_probe_config *config = bpf_map_lookup_elem(&probe_configs, &binary_id);
		if (config) {
			struct hw_traced traced = {};
			traced.start_ticks = rec.start_ticks;
			traced.binary_id = binary_id;
			__builtin_memcpy(&traced.config, config, sizeof(traced.config));
			traced.config.ns_tgid = rec.ns_tgid;
			if (traced.config.ro_pie) {
				/* A PIE's read-only data moved with its load bias, known now from the new mm. */
				__u64 start_code = BPF_CORE_READ(task, mm, start_code);
				__u64 bias = start_code - traced.config.executable_start;
				traced.config.ro_pie = 0;
				if (start_code >= traced.config.executable_start) {
					traced.config.ro_lo += bias;
					traced.config.ro_hi += bias;
				} else {
					traced.config.ro_lo = traced.config.ro_hi = 0;
				}
			}
			rec.binary_id = binary_id;
			rec.flags = bpf_map_update_elem(&traced_procs, &tgid, &traced, BPF_ANY)
					    ? HW_LF_TRACED_PROCS_FULL
					    : HW_LF_TRACED;
			emit_lifecycle(&rec);
			return 0;
		}
	}

	__u32 slot = HW_EXEC_POLICY_SLOT_MODE;
	__u32 *policy = bpf_map_lookup_elem(&exec_policy, &slot);
	if (!policy || *policy == HW_EXEC_WATCHED_ONLY)
		return 0;
	struct hw_ignore *ignore = bpf_map_lookup_elem(&ignored, &key);
	if (ignore && ignore->mtime_sec == rec.mtime_sec && ignore->mtime_nsec == rec.mtime_nsec)
		return 0;
	int hold = *policy == HW_EXEC_HOLD_UNKNOWN && may_hold(task, rec.ppid);
	/* The record's room first: a process is stopped only when user space is sure to hear of it. */
	struct hw_lifecycle *out = bpf_ringbuf_reserve(&events, sizeof(*out), 0);
	if (!out) {
		count(HW_CNT_RING_DROPS);
		if (hold)
			count(HW_CNT_HOLDS_SKIPPED);
		return 0;
	}
	if (hold && hold_process(tgid, rec.start_ticks))
		rec.flags |= HW_LF_HELD;
	else if (hold)
		count(HW_CNT_HOLDS_SKIPPED);
	rec.ktime_ns = bpf_ktime_get_ns();
	__builtin_memcpy(out, &rec, sizeof(rec));
	/* Rare and awaited (a held process waits for user space): wake the reader now. */
	bpf_ringbuf_submit(out, BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct hw_traced *traced = bpf_map_lookup_elem(&traced_procs, &tgid);
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
	rec.ns_tgid = traced->config.ns_tgid;
	rec.tgid = tgid;
	rec.ppid = BPF_CORE_READ(task, real_parent, tgid);
	rec.exit_code = BPF_CORE_READ(task, exit_code);
	/* Two threads can both see live == 0; only the one whose delete succeeds reports. */
	if (bpf_map_delete_elem(&traced_procs, &tgid) == 0)
		emit_lifecycle(&rec);
	return 0;
}

#endif
