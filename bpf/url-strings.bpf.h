/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The request's strings into the record: method, the URL's components and Request.Host, each cut
 * to HW_MAX_STR bytes, mostly copied from one read of the text they share (read_url_text).
 */
#ifndef HW_URL_STRINGS_BPF_H
#define HW_URL_STRINGS_BPF_H

#include "go-struct.bpf.h"

/* Widens [*lo, *hi) over the bytes put_string uses of the Go string whose header is at `off`. */
static __always_inline void span_text(__u64 *lo, __u64 *hi, const __u64 *words, __u32 off)
{
	if (!field_fits(off, 16))
		return;
	__u32 i = hw_bound(off >> 3, HW_PREFIX_WORDS - 1);
	__u64 ptr = words[i], len = words[i + 1];
	if (!len)
		return;
	if (ptr < *lo)
		*lo = ptr;
	if (ptr + (len > HW_MAX_STR ? HW_MAX_STR : len) > *hi)
		*hi = ptr + (len > HW_MAX_STR ? HW_MAX_STR : len);
}

/*
 * url.Parse slices the string it parses (net/url/url.go), and NewRequest sets Request.Host to
 * URL.Host, so a request's URL strings mostly lie within one string: one read of the span they
 * cover replaces a read per string. A span wider than HW_URL_TEXT, or one that cannot be read,
 * leaves put_string reading each string on its own.
 */
static __always_inline void read_url_text(struct hw_scratch *s, const struct hw_probe_config *t)
{
	__u64 lo = ~0ull, hi = 0;
	span_text(&lo, &hi, s->url, t->url_scheme);
	span_text(&lo, &hi, s->url, t->url_opaque);
	span_text(&lo, &hi, s->url, t->url_host);
	span_text(&lo, &hi, s->url, t->url_path);
	span_text(&lo, &hi, s->url, t->url_raw_path);
	span_text(&lo, &hi, s->url, t->url_raw_query);
	span_text(&lo, &hi, s->url, t->url_fragment);
	span_text(&lo, &hi, s->url, t->url_raw_fragment);
	span_text(&lo, &hi, s->request, t->req_host);
	s->e.text_len = 0;
	if (hi <= lo || hi - lo > HW_URL_TEXT)
		return;
	__u32 span = hw_bound(hi - lo - 1, HW_URL_TEXT - 1) + 1;
	if (!bpf_probe_read_user(s->url_text, span, (void *)lo)) {
		s->e.text_lo = lo;
		s->e.text_len = span;
	}
}

/* Appends the Go string whose header is at `off` in `words` as string field `field`. */
static __always_inline void put_string(struct hw_scratch *s, struct hw_event *ev, int field, const __u64 *words,
				       __u32 off)
{
	if (!field_fits(off, 16))
		return;
	__u32 i = hw_bound(off >> 3, HW_PREFIX_WORDS - 1);
	__u64 ptr = words[i], len = words[i + 1];
	__u32 n = len > HW_MAX_STR ? HW_MAX_STR : (__u32)len;
	__u64 rel = ptr - s->e.text_lo; /* wraps to a huge value below text_lo */
	if (n && rel < s->e.text_len && rel + n <= s->e.text_len) {
		/* whole words from url_text; the last may run past n, into bytes overwritten next */
		__u32 pos = hw_bound(s->e.pos, HW_BUF_MASK);
		__u32 from = hw_bound(rel, HW_URL_TEXT - 1);
#pragma unroll
		for (__u32 k = 0; k < HW_MAX_STR; k += 8) {
			if (k >= n)
				break;
			store_word(&s->buf[pos + k], load_word(&s->url_text[from + k]));
		}
		s->e.pos = pos + n;
		ev->str_len[field] = n;
	} else {
		int cut = 0; /* the same as len > HW_MAX_STR, below */
		ev->str_len[field] = put_bytes(s, ptr, len, HW_MAX_STR, &cut);
	}
	if (len > HW_MAX_STR)
		ev->truncated |= 1 << field;
}

/* The URL read by read_url into the record: its strings and flags. */
static __always_inline void put_url(struct hw_scratch *s, struct hw_event *ev, const struct hw_probe_config *t)
{
	read_url_text(s, t);
	put_string(s, ev, HW_STR_SCHEME, s->url, t->url_scheme);
	put_string(s, ev, HW_STR_OPAQUE, s->url, t->url_opaque);
	put_string(s, ev, HW_STR_HOST, s->url, t->url_host);
	put_string(s, ev, HW_STR_PATH, s->url, t->url_path);
	put_string(s, ev, HW_STR_RAW_PATH, s->url, t->url_raw_path);
	put_string(s, ev, HW_STR_RAW_QUERY, s->url, t->url_raw_query);
	put_string(s, ev, HW_STR_FRAGMENT, s->url, t->url_fragment);
	put_string(s, ev, HW_STR_RAW_FRAGMENT, s->url, t->url_raw_fragment);
	/* url.User is a *Userinfo: only whether it is set is read, never its contents. */
	if (word_at(s->url, t->url_user))
		ev->flags |= HW_F_USERINFO;
	if (byte_at(s->url, t->url_force_query))
		ev->flags |= HW_F_FORCE_QUERY;
}

#endif
