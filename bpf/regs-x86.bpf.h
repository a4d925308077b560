/* SPDX-License-Identifier: GPL-2.0-only */
/* amd64: the registers a uprobe program sees, and where Go's ABIInternal keeps what the probes read. */
#ifndef HW_REGS_X86_BPF_H
#define HW_REGS_X86_BPF_H

/* arch/x86/include/uapi/asm/ptrace.h (64-bit), the layout the kernel hands a uprobe program. */
struct hw_pt_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#define HW_REQ_REG(r) ((r)->bx) /* ABIInternal arg 2 (RAX = receiver, RBX = req) */
#define HW_G_REG(r)   ((r)->r14)
#define HW_SP(r)      ((r)->sp)
#define HW_IP(r)      ((r)->ip) /* in a uprobe program: the probed instruction's address */
#define HW_FP(r)      ((r)->bp) /* the frame pointer: at a probe before the function's own frame, the caller's */

/* ABIInternal results (Go >= 1.17): RAX = *Response, RBX/RCX = error (itab, data). */
#define HW_RESULT0(r) ((r)->ax)
#define HW_RESULT1(r) ((r)->bx)
#define HW_RESULT2(r) ((r)->cx)

#endif
