/*
 * fuzz_bencode.c: libFuzzer harness for tests/bench/mb_bencode.c, the
 * bencode decoder mediabench uses on rtpengine's ng replies.
 *
 * Input: any bytes, taken as one reply dictionary.  ng_skip() must end
 * inside the input or say NULL; every value ng_dict_get() and
 * ng_dict_str() return must lie inside the input, and a string from
 * ng_dict_str() must be its value's payload.  Then the encoder: a
 * dictionary with the input's first bytes as a string value, built in
 * a buffer too small for it and in one big enough: the small one says
 * err, the big one decodes back to the same bytes.  Invariants are
 * checked with __builtin_trap().
 *
 * Owns: stack buffers only.  Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/bench/mb_bencode.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const keys[] = {
	"result", "sdp", "error-reason", "warning", "tag", "",
};

static void
decode(const char *d, size_t len)
{
	const char	*end = d + len, *v, *next;
	size_t		 vlen, i;

	next = ng_skip(d, end, 0);
	CHECK(next == NULL || (next > d && next <= end));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (ng_dict_get(d, len, keys[i], &v, &vlen) == 0)
			CHECK(v > d && v + vlen <= end && vlen > 0);
		if (ng_dict_str(d, len, keys[i], &v, &vlen) == 0)
			CHECK(v > d && v + vlen <= end);
	}
}

static void
round_trip(const char *data, size_t len)
{
	char		 small[16], big[600];
	struct ng_buf	 b;
	const char	*s;
	size_t		 n = len > 500 ? 500 : len, slen;

	ng_buf_init(&b, small, sizeof(small));
	ng_put_ch(&b, 'd');
	ng_put_str(&b, "sdp");
	ng_put_strn(&b, data, n);
	ng_put_ch(&b, 'e');
	CHECK(b.err == (n + 9 + (n >= 10) + (n >= 100) > sizeof(small)));
	ng_buf_init(&b, big, sizeof(big));
	ng_put_ch(&b, 'd');
	ng_put_kv(&b, "result", "ok");
	ng_put_str(&b, "sdp");
	ng_put_strn(&b, data, n);
	ng_put_str(&b, "n");
	ng_put_int(&b, -(long long)n);
	ng_put_ch(&b, 'e');
	CHECK(!b.err);
	CHECK(ng_skip(big, big + b.len, 0) == big + b.len);
	CHECK(ng_dict_str(big, b.len, "sdp", &s, &slen) == 0);
	CHECK(slen == n && memcmp(s, data, n) == 0);
	CHECK(ng_dict_str(big, b.len, "n", &s, &slen) == -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode((const char *)data, size);
	round_trip((const char *)data, size);
	return 0;
}
