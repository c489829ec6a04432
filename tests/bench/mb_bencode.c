/*
 * mb_bencode.c: bencode for rtpengine's ng protocol (see mb_bencode.h).
 * Owns: nothing.  Thread: pure.
 */
#include <stdio.h>
#include <string.h>

#include "tests/bench/mb_bencode.h"

void
ng_buf_init(struct ng_buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->err = cap == 0;
}

void
ng_put_raw(struct ng_buf *b, const void *p, size_t len)
{
	if (b->err || len > b->cap - b->len) {
		b->err = 1;
		return;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

void
ng_put_strn(struct ng_buf *b, const char *s, size_t len)
{
	char	hdr[24];
	int	n = snprintf(hdr, sizeof(hdr), "%zu:", len);

	ng_put_raw(b, hdr, (size_t)n);
	ng_put_raw(b, s, len);
}

void
ng_put_str(struct ng_buf *b, const char *s)
{
	ng_put_strn(b, s, strlen(s));
}

void
ng_put_int(struct ng_buf *b, long long v)
{
	char	tmp[32];
	int	n = snprintf(tmp, sizeof(tmp), "i%llde", v);

	ng_put_raw(b, tmp, (size_t)n);
}

/* 'd' or 'l' to open, 'e' to close. */
void
ng_put_ch(struct ng_buf *b, char c)
{
	ng_put_raw(b, &c, 1);
}

void
ng_put_kv(struct ng_buf *b, const char *key, const char *val)
{
	ng_put_str(b, key);
	ng_put_str(b, val);
}

/* A string "len:bytes" at p: its bytes and length; the end, or NULL. */
static const char *
ng_str_at(const char *p, const char *end, const char **s, size_t *len)
{
	size_t	n = 0;

	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	while (p < end && *p >= '0' && *p <= '9') {
		if (n > NG_RX_MAX)
			return NULL;
		n = n * 10 + (size_t)(*p++ - '0');
	}
	if (p >= end || *p++ != ':' || n > (size_t)(end - p))
		return NULL;
	*s = p;
	*len = n;
	return p + n;
}

/* One value at p: what follows it, or NULL if it is malformed, runs past
 * end or nests deeper than NG_DEPTH. */
const char *
ng_skip(const char *p, const char *end, int depth)
{
	const char	*s;
	size_t		 n;

	if (p >= end || depth > NG_DEPTH)
		return NULL;
	switch (*p) {
	case 'i':
		p++;
		if (p < end && *p == '-')
			p++;
		n = 0;
		while (p < end && *p >= '0' && *p <= '9' && n++ < 20)
			p++;
		return n > 0 && p < end && *p == 'e' ? p + 1 : NULL;
	case 'l':
	case 'd':
		for (p++; p != NULL && p < end && *p != 'e';)
			p = ng_skip(p, end, depth + 1);
		return p != NULL && p < end ? p + 1 : NULL;
	default:
		return ng_str_at(p, end, &s, &n);
	}
}

/* The value of key in the dictionary d (len bytes): *v, *vlen span the
 * whole bencoded value.  0, or -1 if d is no dictionary or lacks key. */
int
ng_dict_get(const char *d, size_t len, const char *key, const char **v,
    size_t *vlen)
{
	const char	*p = d, *end = d + len, *k, *next;
	size_t		 klen;

	if (len == 0 || *p++ != 'd')
		return -1;
	while (p < end && *p != 'e') {
		if ((p = ng_str_at(p, end, &k, &klen)) == NULL ||
		    (next = ng_skip(p, end, 1)) == NULL)
			return -1;
		if (klen == strlen(key) && memcmp(k, key, klen) == 0) {
			*v = p;
			*vlen = (size_t)(next - p);
			return 0;
		}
		p = next;
	}
	return -1;
}

/* A string value of key in d: 0, or -1 (missing, not a string). */
int
ng_dict_str(const char *d, size_t len, const char *key, const char **s,
    size_t *slen)
{
	const char	*v;
	size_t		 vlen;

	if (ng_dict_get(d, len, key, &v, &vlen) == -1)
		return -1;
	return ng_str_at(v, v + vlen, s, slen) == v + vlen ? 0 : -1;
}

