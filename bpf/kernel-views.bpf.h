/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel fields the programs read, relocated by libbpf against the running kernel's BTF
 * (CO-RE), and the accessors built on them. The ___hw suffix keeps these local views apart from
 * any full definition.
 */
#ifndef HW_KERNEL_VIEWS_BPF_H
#define HW_KERNEL_VIEWS_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "httpwatcher.h"

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

#if defined(__TARGET_ARCH_x86)
/* The thread's fs_base, where Go <= 1.16 on amd64 keeps the current g (see call_goroutine). */
struct thread_struct___hwr {
	unsigned long fsbase;
} __attribute__((preserve_access_index));

struct task_struct___hwr {
	struct thread_struct___hwr thread;
} __attribute__((preserve_access_index));
#endif

#define HW_NS_PER_TICK	    (1000000000ull / HW_USER_HZ)
#define HW_MAX_PID_NS_LEVEL 31 /* MAX_PID_NS_LEVEL is 32 (kernel/pid_namespace.c) */

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

#endif
