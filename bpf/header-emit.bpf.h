/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing the headers a walk collected (s->refs) into the record: per header a struct
 * hw_header_entry, the key's bytes, then its values' bytes joined with ", ". Strings that lie in
 * the binary's read-only data are sent as offsets into its image instead (HW_HF_*_IN_IMAGE).
 */
#ifndef HW_HEADER_EMIT_BPF_H
#define HW_HEADER_EMIT_BPF_H

#include "go-struct.bpf.h"
#include "loops.bpf.h"

/* The string header of one value at `at`: from s->values when read_value_headers got it. */
static __always_inline int read_value_header(struct hw_scratch *s, __u64 at, struct go_string *str)
{
	__u64 rel = at - s->e.values_lo; /* wraps to a huge value below values_lo */
	if (rel < s->e.values_len && rel + 16 <= s->e.values_len && !(rel & 7)) {
		__u32 k = hw_bound(rel >> 3, HW_VALUES_WORDS - 1);
		str->ptr = s->values[k];
		str->len = s->values[k + 1];
		return 0;
	}
	return bpf_probe_read_user(str, sizeof(*str), (void *)at);
}

/* Appends value v of the current header, ", " between values. Each write is bounded by
 * HW_MAX_VALUE on its own; the joined value is cut to HW_MAX_VALUE afterwards by moving the end
 * of the record back (the slack after the buffer absorbs the overshoot). */
static int emit_value(__u32 v, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	struct hw_header_ref *r = &s->refs[hw_bound(s->w.n, HW_MAX_HEADERS - 1)];
	struct go_string str = {};
	int cut = 0;

	if (v >= r->values_len)
		return 1;
	if (s->e.used >= HW_MAX_VALUE) {
		s->e.value_flags |= HW_HF_VALUE_TRUNCATED;
		return 1;
	}
	if (read_value_header(s, r->values_ptr + (__u64)v * 16, &str)) {
		s->e.err = 1;
		return 1;
	}
	if (v > 0) {
		__u32 p = hw_bound(s->e.pos, HW_BUF_MASK);
		s->buf[p] = ',';
		s->buf[p + 1] = ' ';
		s->e.pos = p + 2;
		s->e.used += 2;
	}
	s->e.used += put_bytes(s, str.ptr, str.len, HW_MAX_VALUE, &cut);
	if (cut)
		s->e.used = HW_MAX_VALUE + 1;
	return 0;
}
HW_LOOP_CALLBACK(emit_value)

/* Whether the `len` bytes at `ptr` (0 < len <= max) lie in the binary's read-only data. */
static __always_inline int in_image(const struct hw_probe_config *t, __u64 ptr, __u64 len, __u32 max)
{
	return len && len <= max && ptr >= t->ro_lo && ptr < t->ro_hi && len <= t->ro_hi - ptr;
}

/* Appends where a string lies in the binary's image instead of its bytes (HW_HF_*_IN_IMAGE): its
 * offset from ro_lo, the same in every process of the binary. A string literal costs no read of
 * user memory. */
static __always_inline void put_image_offset(struct hw_scratch *s, const struct hw_probe_config *t, __u64 ptr)
{
	__u32 pos = hw_bound(s->e.pos, HW_BUF_MASK);
	store_word(&s->buf[pos], ptr - t->ro_lo);
	s->e.pos = pos + 8;
}

/* Writes header i: struct hw_header_entry, key bytes, joined value bytes. `w.n` is reused as
 * the index of the header being written once the walk is over. */
static int emit_header(__u32 i, void *ctx)
{
	struct loop_ctx *c = ctx;
	struct hw_scratch *s = c->s;
	struct hw_event *ev = (struct hw_event *)s->buf;
	if (i >= ev->nheaders)
		return 1;
	i = hw_bound(i, HW_MAX_HEADERS - 1);
	s->w.n = i;
	struct hw_header_ref *r = &s->refs[i];
	__u32 entry_pos = hw_bound(s->e.pos, HW_BUF_MASK);
	struct hw_header_entry entry __attribute__((aligned(8))) = {};
	s->e.pos = entry_pos + sizeof(entry);

	int cut = 0;
	if (in_image(c->t, r->key_ptr, r->key_len, HW_MAX_KEY)) {
		put_image_offset(s, c->t, r->key_ptr);
		entry.key_len = r->key_len;
		entry.flags |= HW_HF_KEY_IN_IMAGE;
	} else {
		entry.key_len = put_bytes(s, r->key_ptr, r->key_len, HW_MAX_KEY, &cut);
		if (cut)
			entry.flags |= HW_HF_KEY_TRUNCATED;
	}
	__u64 nvalues = r->values_len;
	entry.nvalues = nvalues > 0xffff ? 0xffff : nvalues;

	if (nvalues == 1) {
		/* the common case (Header.Set): one value, nothing to join */
		struct go_string str = {};
		if (read_value_header(s, r->values_ptr, &str)) {
			s->e.err = 1;
		} else if (in_image(c->t, str.ptr, str.len, HW_MAX_VALUE)) {
			put_image_offset(s, c->t, str.ptr);
			entry.value_len = str.len;
			entry.flags |= HW_HF_VALUE_IN_IMAGE;
		} else {
			entry.value_len = put_bytes(s, str.ptr, str.len, HW_MAX_VALUE, &cut);
			if (cut)
				entry.flags |= HW_HF_VALUE_TRUNCATED;
		}
	} else {
		s->e.value_start = s->e.pos;
		s->e.used = 0;
		s->e.value_flags = 0;
		HW_LOOP(HW_MAX_VALUES, emit_value, c);
		__u32 used = s->e.used;
		entry.flags |= s->e.value_flags;
		if (used > HW_MAX_VALUE) {
			used = HW_MAX_VALUE;
			entry.flags |= HW_HF_VALUE_TRUNCATED;
		}
		if (nvalues > HW_MAX_VALUES)
			entry.flags |= HW_HF_VALUE_TRUNCATED;
		entry.value_len = used;
		s->e.pos = s->e.value_start + used;
	}
	_Static_assert(sizeof(entry) == 8, "a header entry is one word");
	__u64 word;
	__builtin_memcpy(&word, &entry, sizeof(word));
	store_word(&s->buf[entry_pos], word);
	return 0;
}
HW_LOOP_CALLBACK(emit_header)

/*
 * A header's values are a []string whose array Header.Set allocates on its own ([]string{value},
 * net/textproto.MIMEHeader.Set); the arrays of one request's headers, made one after another,
 * mostly lie side by side. So one read of the span they cover (widened by add_refs) replaces a
 * read per header when it is small; otherwise, or when it cannot be read, read_value_header reads
 * each on its own.
 */
static __always_inline void read_value_headers(struct hw_scratch *s)
{
	__u64 lo = s->e.values_lo, span = s->e.values_hi - lo;
	if (s->e.values_hi <= lo || span > HW_VALUES_WORDS * 8 || (lo & 7))
		return;
	span = hw_bound(span - 1, HW_VALUES_WORDS * 8 - 1) + 1;
	if (!bpf_probe_read_user(s->values, span, (void *)lo))
		s->e.values_len = span;
}

#endif
