/* SPDX-License-Identifier: GPL-2.0-only */
/* arm64: the registers a uprobe program sees, and where Go's ABIInternal keeps what the probes read. */
#ifndef HW_REGS_ARM64_BPF_H
#define HW_REGS_ARM64_BPF_H

/* arch/arm64/include/uapi/asm/ptrace.h: struct user_pt_regs */
struct hw_pt_regs {
	__u64 regs[31];
	__u64 sp, pc, pstate;
};
#define HW_REQ_REG(r) ((r)->regs[1]) /* ABIInternal arg 2 (R0 = receiver, R1 = req) */
#define HW_G_REG(r)   ((r)->regs[28])
#define HW_SP(r)      ((r)->sp)
#define HW_IP(r)      ((r)->pc)	      /* in a uprobe program: the probed instruction's address */
#define HW_FP(r)      ((r)->regs[29]) /* the frame pointer: at a probe before the function's own frame, the caller's */
#define HW_LR(r)      ((r)->regs[30]) /* before the prologue saves it: the return address */

/* ABIInternal results (Go >= 1.18): X0 = *Response, X1/X2 = error (itab, data). */
#define HW_RESULT0(r) ((r)->regs[0])
#define HW_RESULT1(r) ((r)->regs[1])
#define HW_RESULT2(r) ((r)->regs[2])

#endif
