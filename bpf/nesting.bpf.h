/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Is this call of golang.org/x/net/http2's transport made from inside net/http.(*Transport).roundTrip?
 * http2.ConfigureTransport registers the x/net transport with an http.Transport, which then calls it
 * from roundTrip on the same goroutine, for a request roundTrip has already reported.
 *
 * Go keeps frame pointers on amd64 and arm64. The probe sits after the stack-bound check, before the
 * function makes its frame, so the return address is at [SP] (amd64) or in LR (arm64), and the
 * frame pointer register is still the caller's: in every Go frame, [FP] is the next frame pointer up
 * and [FP + 8] that frame's return address. A bounded walk up HW_NEST_FRAMES return addresses:
 * roundTrip is the 2nd to 4th of them when it called the x/net transport (through the registered
 * noDialH2RoundTripper, RoundTrip, roundTripOpt), while a request made by a callback roundTrip
 * runs on its goroutine (a Proxy func calling Client.Do) is 8 or more calls below it. The reads only
 * read; a frame chain the program itself corrupted can only hide or show its own request.
 */
#ifndef HW_NESTING_BPF_H
#define HW_NESTING_BPF_H

#include "regs.bpf.h"

static __always_inline int called_from_round_trip(struct hw_pt_regs *ctx, const struct hw_probe_config *t)
{
	if (t->nest_lo >= t->nest_hi)
		return 0;
	__u64 site = HW_IP(ctx);
	__u64 ret = 0;
	__u64 fp = HW_FP(ctx);
#if defined(__TARGET_ARCH_x86)
	if (bpf_probe_read_user(&ret, sizeof(ret), (void *)HW_SP(ctx)))
		return 0;
#else
	ret = HW_LR(ctx);
#endif
	for (int i = 0; i < HW_NEST_FRAMES; i++) {
		__s64 off = (__s64)(ret - site);
		/* A return address follows its call: within (entry, end] of the caller. */
		if (off > t->nest_lo && off <= t->nest_hi)
			return 1;
		__u64 frame[2];
		if (!fp || bpf_probe_read_user(frame, sizeof(frame), (void *)fp))
			return 0;
		if (frame[0] <= fp) /* frames lie further up the stack, at higher addresses */
			return 0;
		fp = frame[0];
		ret = frame[1];
	}
	return 0;
}

#endif
