/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keeping a uprobe program from being preempted, where the kernel allows it.
 *
 * Uprobe programs run with migration disabled, but not preemption. On a kernel with full or lazy
 * preemption a hit can be preempted mid-program and another hit run on the same CPU, and two
 * things are per CPU: the scratch slots (scratch.bpf.h), and, from Linux 6.13 on x86-64, the
 * program's own stack. The JIT gives a program whose frame is 64 bytes or more a per-CPU private
 * stack, and uprobe programs (BPF_PROG_TYPE_KPROBE) qualify: the second hit then overwrites the
 * first one's stack slots (seen on 7.3 with lazy preemption: records with another request's URL,
 * requests missing). So each uprobe program disables preemption as its very first call, before
 * anything is spilled to its stack, and enables it as its last.
 */
#ifndef HW_PREEMPT_BPF_H
#define HW_PREEMPT_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/*
 * Kernel functions that keep this CPU from switching tasks (Linux 6.10+). Weak: on an older kernel
 * libbpf leaves them unresolved, bpf_ksym_exists() is a constant 0 and the verifier drops the calls.
 * Kernels before 6.13 have no private stacks; the scratch slots cover their preemption.
 */
extern void bpf_preempt_disable(void) __weak __ksym;
extern void bpf_preempt_enable(void) __weak __ksym;

/* HW_NO_PREEMPT_GUARD builds the bench's baseline: with HW_SCRATCH_SLOTS=1, the program as it was
 * before slots and the guard (bench/src/scratch-slots.ts). The compat build (loops.bpf.h) has no
 * guard either: the kernels it is for (5.8-5.16) have neither these kfuncs nor private stacks, and
 * Linux 6.10-6.12's verifier refuses its global function calls with preemption disabled. */
#if defined(HW_COMPAT) && !defined(HW_NO_PREEMPT_GUARD)
#define HW_NO_PREEMPT_GUARD
#endif
static __always_inline void hw_preempt_disable(void)
{
#ifndef HW_NO_PREEMPT_GUARD
	if (bpf_ksym_exists(bpf_preempt_disable))
		bpf_preempt_disable();
#endif
}

static __always_inline void hw_preempt_enable(void)
{
#ifndef HW_NO_PREEMPT_GUARD
	if (bpf_ksym_exists(bpf_preempt_enable))
		bpf_preempt_enable();
#endif
}

#endif
