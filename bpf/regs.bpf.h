/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct hw_pt_regs and the register macros of the target architecture: HW_REQ_REG (the
 * *http.Request argument), HW_G_REG (the current goroutine), HW_SP, HW_RESULT0..2 (the results of
 * net/http.(*Client).do). Build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64.
 */
#ifndef HW_REGS_BPF_H
#define HW_REGS_BPF_H

#if defined(__TARGET_ARCH_x86)
#include "regs-x86.bpf.h"
#elif defined(__TARGET_ARCH_arm64)
#include "regs-arm64.bpf.h"
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif

#endif
