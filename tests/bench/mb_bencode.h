/*
 * mb_bencode.h: bencode as rtpengine's ng control protocol uses it, for
 * mediabench's rtpengine mode (mb_ng.c).  An encoder into the caller's
 * fixed buffer (an overflow only sets ->err) and a decoder that skips
 * one value and finds a key in a dictionary, every length checked
 * against the end of the input, nesting at most NG_DEPTH.
 * Owns: nothing (no allocation, no globals).  Thread: pure; called by
 * mediabench and tests/fuzz/fuzz_bencode.c.
 */
#ifndef MB_BENCODE_H
#define MB_BENCODE_H

#include <stddef.h>

#define NG_DEPTH	8		/* bencode nesting we follow */
#define NG_RX_MAX	65536		/* one reply, and a string's bound */

struct ng_buf {
	char	*p;
	size_t	 len, cap;
	int	 err;
};

void	ng_buf_init(struct ng_buf *, char *mem, size_t cap);
void	ng_put_raw(struct ng_buf *, const void *, size_t);
void	ng_put_strn(struct ng_buf *, const char *, size_t);
void	ng_put_str(struct ng_buf *, const char *);
void	ng_put_int(struct ng_buf *, long long);
void	ng_put_ch(struct ng_buf *, char);	/* 'd', 'l', 'e' */
void	ng_put_kv(struct ng_buf *, const char *key, const char *val);
/* What follows the value at p, or NULL (malformed, past end, too deep). */
const char *ng_skip(const char *p, const char *end, int depth);
/* The whole bencoded value of key in dictionary d: 0, or -1. */
int	ng_dict_get(const char *d, size_t len, const char *key,
	    const char **v, size_t *vlen);
/* A string value of key in d: 0, or -1 (missing, not a string). */
int	ng_dict_str(const char *d, size_t len, const char *key,
	    const char **s, size_t *slen);

#endif
