/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading Go structs out of the traced process: one bpf_probe_read_user per struct prefix instead
 * of one per field, with a field-by-field fallback, and the two structs the request path starts
 * from (net/http.Request, net/url.URL). Field offsets come per binary in struct hw_probe_config.
 */
#ifndef HW_GO_STRUCT_BPF_H
#define HW_GO_STRUCT_BPF_H

#include "scratch.bpf.h"

struct go_string {
	__u64 ptr;
	__u64 len;
};

static __always_inline __u64 read_u64(struct hw_scratch *s, __u64 addr)
{
	__u64 v = 0;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		s->e.err = 1;
	return v;
}

static __always_inline __u32 max_u32(__u32 a, __u32 b)
{
	return a > b ? a : b;
}

/*
 * Copies the first `end` bytes of the Go struct at `addr` into `words`, where field offsets stay
 * what they are in Go. Returns -1 when it cannot: the prefix does not fit, a word field is not
 * 8-aligned (`align`: their offsets OR-ed), or the read failed. The caller then reads the fields
 * one by one (read_field): a struct's never-written tail can lie in a page never faulted in (see
 * read_group), where a field the program needs is not.
 */
static __always_inline int read_prefix(__u64 *words, __u64 addr, __u32 end, __u32 align)
{
	if ((align & 7) || end > HW_PREFIX_SIZE)
		return -1;
	end = hw_bound(end - 1, HW_PREFIX_SIZE - 1) + 1;
	return bpf_probe_read_user(words, end, (void *)addr) ? -1 : 0;
}

/* A field of `size` (1, 8 or 16) bytes at `off` has a place in a prefix; one that has none
 * (never so in Go's layouts) is unreadable and reads as zero. */
static __always_inline int field_fits(__u32 off, __u32 size)
{
	return off <= HW_PREFIX_SIZE - size && (size == 1 || !(off & 7));
}

/* Fallback of read_prefix: copies the field of `size` (a constant) bytes at `off` to the same
 * place in `words`. Non-zero when it cannot be read; it then reads as zero (the helper zeroes its
 * destination on failure). */
static __always_inline int read_field(__u64 *words, __u64 addr, __u32 off, __u32 size)
{
	if (!field_fits(off, size))
		return -1;
	__u8 *at = (__u8 *)words + hw_bound(off, HW_PREFIX_SIZE - 1);
	return bpf_probe_read_user(at, size, (void *)(addr + off));
}

static __always_inline __u64 word_at(const __u64 *words, __u32 off)
{
	return field_fits(off, 8) ? words[hw_bound(off >> 3, HW_PREFIX_WORDS - 1)] : 0;
}

static __always_inline __u8 byte_at(const __u64 *words, __u32 off)
{
	return field_fits(off, 1) ? ((const __u8 *)words)[hw_bound(off, HW_PREFIX_SIZE - 1)] : 0;
}

/* net/http.Request (net/http/request.go) into s->request: Method, URL, Header, Host. */
static __always_inline void read_request(struct hw_scratch *s, const struct hw_probe_config *t, __u64 req)
{
	__u32 end = max_u32(max_u32(t->req_method, t->req_host) + 16, max_u32(t->req_url, t->req_header) + 8);
	if (read_prefix(s->request, req, end, t->req_method | t->req_url | t->req_header | t->req_host)) {
		int bad = read_field(s->request, req, t->req_method, 16);
		bad |= read_field(s->request, req, t->req_url, 8);
		bad |= read_field(s->request, req, t->req_header, 8);
		bad |= read_field(s->request, req, t->req_host, 16);
		if (bad)
			s->e.err = 1;
	}
}

/* net/url.URL (net/url/url.go) into s->url: its strings, User and ForceQuery. */
static __always_inline void read_url(struct hw_scratch *s, const struct hw_probe_config *t, __u64 url)
{
	__u32 end = max_u32(max_u32(t->url_scheme, t->url_opaque), max_u32(t->url_host, t->url_path));
	end = max_u32(end, max_u32(t->url_raw_path, t->url_raw_query));
	end = max_u32(end, max_u32(t->url_fragment, t->url_raw_fragment)) + 16;
	end = max_u32(end, max_u32(t->url_user + 8, t->url_force_query + 1));
	__u32 align = t->url_scheme | t->url_opaque | t->url_user | t->url_host | t->url_path | t->url_raw_path |
		      t->url_raw_query | t->url_fragment | t->url_raw_fragment;
	if (read_prefix(s->url, url, end, align)) {
		int bad = read_field(s->url, url, t->url_scheme, 16);
		bad |= read_field(s->url, url, t->url_opaque, 16);
		bad |= read_field(s->url, url, t->url_user, 8);
		bad |= read_field(s->url, url, t->url_host, 16);
		bad |= read_field(s->url, url, t->url_path, 16);
		bad |= read_field(s->url, url, t->url_raw_path, 16);
		bad |= read_field(s->url, url, t->url_raw_query, 16);
		bad |= read_field(s->url, url, t->url_fragment, 16);
		bad |= read_field(s->url, url, t->url_raw_fragment, 16);
		read_field(s->url, url, t->url_force_query, 1); /* unreadable: false */
		if (bad)
			s->e.err = 1;
	}
}

#endif
