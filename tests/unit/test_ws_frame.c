/*
 * test_ws_frame.c: cmocka unit tests for signaling/ws_frame.c, one test
 * per RFC 6455 server-side framing rule, good and bad.
 *
 * Owns: one struct ws_parser per test (setup/teardown).
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/ws_frame.h"

#define FIN	0x80
#define MAXREC	32

static const uint8_t mkey[4] = { 0x37, 0xfa, 0x21, 0x3d };

struct rec {
	enum ws_ev	type;
	uint16_t	code;
	size_t		len;
	uint8_t		data[512];
};

/* Client frame: b0 = FIN|RSV|opcode; lenbytes 0 = minimal, 2 or 8. */
static size_t
mkframe(uint8_t *out, uint8_t b0, int masked, const void *payload,
    size_t len, int lenbytes)
{
	const uint8_t	*pl = payload;
	size_t		 n = 0, i;

	out[n++] = b0;
	if (lenbytes == 0)
		lenbytes = len <= 125 ? 0 : len <= 0xffff ? 2 : 8;
	out[n++] = (masked ? 0x80 : 0) |
	    (lenbytes == 0 ? (uint8_t)len : lenbytes == 2 ? 126 : 127);
	for (i = lenbytes; i > 0; i--)
		out[n++] = (uint8_t)((uint64_t)len >> (8 * (i - 1)));
	if (masked) {
		memcpy(out + n, mkey, 4);
		n += 4;
	}
	for (i = 0; i < len; i++)
		out[n + i] = pl[i] ^ (masked ? mkey[i & 3] : 0);
	return n + len;
}

static size_t
mkclose(uint8_t *out, uint16_t code, const char *reason, size_t rlen)
{
	uint8_t	pl[125];

	pl[0] = code >> 8;
	pl[1] = code & 0xff;
	memcpy(pl + 2, reason, rlen);
	return mkframe(out, FIN | WS_OP_CLOSE, 1, pl, 2 + rlen, 0);
}

static int
setup(void **state)
{
	struct ws_parser	*p = malloc(sizeof(*p));

	if (p == NULL || ws_parser_init(p, NULL) == -1)
		return -1;
	*state = p;
	return 0;
}

static int
teardown(void **state)
{
	ws_parser_free(*state);
	free(*state);
	return 0;
}

static void
relimit(struct ws_parser *p, size_t frame, size_t msg)
{
	struct ws_limits	lim = { frame, msg };

	ws_parser_free(p);
	assert_int_equal(ws_parser_init(p, &lim), 0);
}

static void
expect_ev(struct ws_parser *p, const uint8_t *b, size_t n, enum ws_ev type,
    const void *data, size_t len)
{
	struct ws_event	ev;

	assert_int_equal(ws_parse(p, b, n, &ev), n);
	assert_int_equal(ev.type, type);
	assert_int_equal(ev.len, len);
	if (len > 0)
		assert_memory_equal(ev.data, data, len);
}

static void
expect_err(struct ws_parser *p, const uint8_t *b, size_t n, uint16_t code)
{
	struct ws_event	ev;

	assert_true(ws_parse(p, b, n, &ev) <= n);
	assert_int_equal(ev.type, WS_EV_ERROR);
	assert_int_equal(ev.close_code, code);
	assert_non_null(ev.data);
	assert_int_equal(ws_parse(p, b, n, &ev), 0);
	assert_int_equal(ev.type, WS_EV_ERROR);
	assert_int_equal(ev.close_code, code);
}

/* Feed b in chunks of the given sizes (cycled), record all events. */
static size_t
feed(struct ws_parser *p, const uint8_t *b, size_t n, const size_t *chunks,
    size_t nchunks, struct rec *r)
{
	struct ws_event	ev;
	size_t		off = 0, c = 0, k, used, nrec = 0;

	while (off < n && nrec < MAXREC) {
		k = chunks[c++ % nchunks];
		k = k < n - off ? k : n - off;
		used = ws_parse(p, b + off, k, &ev);
		assert_true(used <= k);
		off += used;
		if (ev.type == WS_EV_NEED_MORE) {
			assert_int_equal(used, k);
			continue;
		}
		c--;		/* retry the rest of this chunk */
		assert_true(ev.len <= sizeof(r->data));
		r[nrec].type = ev.type;
		r[nrec].code = ev.close_code;
		r[nrec].len = ev.len;
		if (ev.len > 0)
			memcpy(r[nrec].data, ev.data, ev.len);
		nrec++;
		if (ev.type == WS_EV_CLOSE || ev.type == WS_EV_ERROR)
			break;
	}
	return nrec;
}

static void
test_rfc_example_masked_text(void **state)
{
	static const uint8_t f[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
	    0x7f, 0x9f, 0x4d, 0x51, 0x58 };

	expect_ev(*state, f, sizeof(f), WS_EV_TEXT, "Hello", 5);
}

static void
test_unmasked_rejected(void **state)
{
	static const uint8_t f[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };

	expect_err(*state, f, sizeof(f), 1002);
}

static void
test_rsv_bits_rejected(void **state)
{
	uint8_t		f[32];
	struct ws_parser *p = *state;
	int		i;

	for (i = 0; i < 3; i++) {
		relimit(p, 1024, 1024);
		mkframe(f, FIN | (0x40 >> i) | WS_OP_TEXT, 1, "x", 1, 0);
		expect_err(p, f, 7, 1002);
	}
}

static void
test_unknown_opcodes_rejected(void **state)
{
	static const uint8_t bad[] = { 3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe,
	    0xf };
	struct ws_parser *p = *state;
	uint8_t		f[32];
	size_t		i, n;

	for (i = 0; i < sizeof(bad); i++) {
		relimit(p, 1024, 1024);
		n = mkframe(f, FIN | bad[i], 1, "x", 1, 0);
		expect_err(p, f, n, 1002);
	}
}

static void
test_binary_and_lengths(void **state)
{
	struct ws_parser *p = *state;
	static uint8_t	pl[70000], f[70020];
	size_t		n, i;

	for (i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)(i * 7);
	n = mkframe(f, FIN | WS_OP_BINARY, 1, pl, 125, 0);
	expect_ev(p, f, n, WS_EV_BINARY, pl, 125);
	n = mkframe(f, FIN | WS_OP_BINARY, 1, pl, 126, 0);
	assert_int_equal(n, 2 + 2 + 4 + 126);
	expect_ev(p, f, n, WS_EV_BINARY, pl, 126);
	relimit(p, 100000, 100000);
	n = mkframe(f, FIN | WS_OP_BINARY, 1, pl, 70000, 0);
	assert_int_equal(n, 2 + 8 + 4 + 70000);
	expect_ev(p, f, n, WS_EV_BINARY, pl, 70000);
}

static void
test_non_minimal_length_accepted(void **state)
{
	uint8_t	f[64];
	size_t	n;

	n = mkframe(f, FIN | WS_OP_TEXT, 1, "abc", 3, 2);
	expect_ev(*state, f, n, WS_EV_TEXT, "abc", 3);
	n = mkframe(f, FIN | WS_OP_TEXT, 1, "abcd", 4, 8);
	expect_ev(*state, f, n, WS_EV_TEXT, "abcd", 4);
	n = mkframe(f, FIN | WS_OP_PING, 1, "", 0, 0);
	expect_ev(*state, f, n, WS_EV_PING, NULL, 0);
}

static void
test_length_msb_rejected(void **state)
{
	static const uint8_t f[] = { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1,
	    1, 2, 3, 4 };

	expect_err(*state, f, sizeof(f), 1002);
}

static void
test_ping_pong(void **state)
{
	uint8_t	f[200], pl[125];
	size_t	n;

	n = mkframe(f, FIN | WS_OP_PING, 1, "ping!", 5, 0);
	expect_ev(*state, f, n, WS_EV_PING, "ping!", 5);
	n = mkframe(f, FIN | WS_OP_PONG, 1, "pong", 4, 0);
	expect_ev(*state, f, n, WS_EV_PONG, "pong", 4);
	memset(pl, 'p', sizeof(pl));
	n = mkframe(f, FIN | WS_OP_PING, 1, pl, 125, 0);
	expect_ev(*state, f, n, WS_EV_PING, pl, 125);
}

static void
test_control_too_long_rejected(void **state)
{
	uint8_t	f[200], pl[126];
	size_t	n;

	memset(pl, 'a', sizeof(pl));
	n = mkframe(f, FIN | WS_OP_PING, 1, pl, 126, 0);
	expect_err(*state, f, n, 1002);
}

static void
test_control_fragmented_rejected(void **state)
{
	uint8_t	f[32];
	size_t	n;

	n = mkframe(f, WS_OP_PING, 1, "x", 1, 0);
	expect_err(*state, f, n, 1002);
}

static void
test_fragmented_with_ping(void **state)
{
	struct ws_parser *p = *state;
	uint8_t		 f[128];
	size_t		 n;

	n = mkframe(f, WS_OP_TEXT, 1, "Hel", 3, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_PING, 1, "hb", 2, 0);
	expect_ev(p, f, n, WS_EV_PING, "hb", 2);
	n = mkframe(f, WS_OP_CONT, 1, "", 0, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_PONG, 1, "", 0, 0);
	expect_ev(p, f, n, WS_EV_PONG, NULL, 0);
	n = mkframe(f, FIN | WS_OP_CONT, 1, "lo", 2, 0);
	expect_ev(p, f, n, WS_EV_TEXT, "Hello", 5);
	n = mkframe(f, FIN | WS_OP_BINARY, 1, "next", 4, 0);
	expect_ev(p, f, n, WS_EV_BINARY, "next", 4);
}

static void
test_close_inside_fragmented(void **state)
{
	uint8_t	f[64];
	size_t	n;

	n = mkframe(f, WS_OP_TEXT, 1, "Hel", 3, 0);
	expect_ev(*state, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkclose(f, 1001, "", 0);
	expect_ev(*state, f, n, WS_EV_CLOSE, NULL, 0);
}

static void
test_continuation_without_message(void **state)
{
	uint8_t	f[32];
	size_t	n;

	n = mkframe(f, FIN | WS_OP_CONT, 1, "x", 1, 0);
	expect_err(*state, f, n, 1002);
}

static void
test_data_inside_fragmented_message(void **state)
{
	uint8_t	f[32];
	size_t	n;

	n = mkframe(f, WS_OP_BINARY, 1, "ab", 2, 0);
	expect_ev(*state, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_TEXT, 1, "cd", 2, 0);
	expect_err(*state, f, n, 1002);
}

static void
test_max_frame(void **state)
{
	struct ws_parser *p = *state;
	uint8_t		 f[64], pl[17];
	size_t		 n;

	memset(pl, 'z', sizeof(pl));
	relimit(p, 16, 64);
	n = mkframe(f, FIN | WS_OP_TEXT, 1, pl, 16, 0);
	expect_ev(p, f, n, WS_EV_TEXT, pl, 16);
	n = mkframe(f, FIN | WS_OP_TEXT, 1, pl, 17, 0);
	expect_err(p, f, n, 1009);
}

static void
test_max_frame_before_payload(void **state)
{
	static const uint8_t f[] = { 0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0,
	    1, 2, 3, 4 };
	struct ws_event	ev;

	/* Rejected on the header alone, nothing buffered. */
	assert_int_equal(ws_parse(*state, f, sizeof(f), &ev), sizeof(f));
	assert_int_equal(ev.type, WS_EV_ERROR);
	assert_int_equal(ev.close_code, 1009);
	assert_null(((struct ws_parser *)*state)->msg);
}

static void
test_max_message(void **state)
{
	struct ws_parser *p = *state;
	uint8_t		 f[64], pl[32];
	size_t		 n;

	memset(pl, 'm', sizeof(pl));
	relimit(p, 16, 32);
	n = mkframe(f, WS_OP_BINARY, 1, pl, 16, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_CONT, 1, pl, 16, 0);
	expect_ev(p, f, n, WS_EV_BINARY, pl, 32);
	assert_true(p->msg_cap <= 32);
	n = mkframe(f, WS_OP_BINARY, 1, pl, 16, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, WS_OP_CONT, 1, pl, 16, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_CONT, 1, pl, 1, 0);
	expect_err(p, f, n, 1009);
}

static void
test_buffer_reused(void **state)
{
	struct ws_parser *p = *state;
	static uint8_t	 pl[1000], f[1100];
	uint8_t		*buf;
	size_t		 n, cap, i;

	memset(pl, 'r', sizeof(pl));
	n = mkframe(f, FIN | WS_OP_TEXT, 1, pl, sizeof(pl), 0);
	expect_ev(p, f, n, WS_EV_TEXT, pl, sizeof(pl));
	buf = p->msg;
	cap = p->msg_cap;
	for (i = 0; i < 100; i++)
		expect_ev(p, f, n, WS_EV_TEXT, pl, sizeof(pl));
	assert_ptr_equal(p->msg, buf);
	assert_int_equal(p->msg_cap, cap);
}

static const struct {
	const char	*s;
	size_t		 len;
	int		 valid;
} utf8_cases[] = {
	{ "", 0, 1 },
	{ "plain ascii text!!", 18, 1 },
	{ "\xc2\x80", 2, 1 },
	{ "\xdf\xbf", 2, 1 },
	{ "\xe0\xa0\x80", 3, 1 },
	{ "\xed\x9f\xbf", 3, 1 },
	{ "\xee\x80\x80", 3, 1 },
	{ "\xef\xbf\xbf", 3, 1 },
	{ "\xf0\x90\x80\x80", 4, 1 },
	{ "\xf4\x8f\xbf\xbf", 4, 1 },
	{ "0123456789abcdefg\xe2\x82\xac", 20, 1 },
	{ "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, 1 },
	{ "\xc0\x80", 2, 0 },			/* overlong NUL */
	{ "\xc1\xbf", 2, 0 },			/* overlong */
	{ "\xe0\x80\xaf", 3, 0 },		/* overlong '/' */
	{ "\xe0\x9f\xbf", 3, 0 },
	{ "\xf0\x80\x80\xaf", 4, 0 },
	{ "\xf0\x8f\xbf\xbf", 4, 0 },
	{ "\xed\xa0\x80", 3, 0 },		/* U+D800 */
	{ "\xed\xbf\xbf", 3, 0 },		/* U+DFFF */
	{ "\xf4\x90\x80\x80", 4, 0 },		/* U+110000 */
	{ "\xf5\x80\x80\x80", 4, 0 },
	{ "\xff", 1, 0 },
	{ "\x80", 1, 0 },
	{ "\xc2", 1, 0 },			/* truncated */
	{ "\xe2\x82", 2, 0 },
	{ "\xf0\x90\x80", 3, 0 },
	{ "\xc2\x41", 2, 0 },
	{ "\xe2\x28\xa1", 3, 0 },
	{ "abcdefgh\x80", 9, 0 },
};

static void
test_utf8_text(void **state)
{
	struct ws_parser *p = *state;
	uint8_t		 f[64];
	size_t		 i, n;

	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		relimit(p, 1024, 1024);
		n = mkframe(f, FIN | WS_OP_TEXT, 1, utf8_cases[i].s,
		    utf8_cases[i].len, 0);
		if (utf8_cases[i].valid)
			expect_ev(p, f, n, WS_EV_TEXT, utf8_cases[i].s,
			    utf8_cases[i].len);
		else
			expect_err(p, f, n, 1007);
	}
}

static void
test_utf8_split_across_fragments(void **state)
{
	struct ws_parser *p = *state;
	uint8_t		 f[32];
	size_t		 n;

	n = mkframe(f, WS_OP_TEXT, 1, "\xf0\x9f", 2, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_CONT, 1, "\x98\x80", 2, 0);
	expect_ev(p, f, n, WS_EV_TEXT, "\xf0\x9f\x98\x80", 4);
	n = mkframe(f, WS_OP_TEXT, 1, "\xf0\x9f", 2, 0);
	expect_ev(p, f, n, WS_EV_NEED_MORE, NULL, 0);
	n = mkframe(f, FIN | WS_OP_CONT, 1, "", 0, 0);
	expect_err(p, f, n, 1007);
}

static void
test_binary_not_utf8_checked(void **state)
{
	uint8_t	f[32];
	size_t	n;

	n = mkframe(f, FIN | WS_OP_BINARY, 1, "\xff\xc0\x80", 3, 0);
	expect_ev(*state, f, n, WS_EV_BINARY, "\xff\xc0\x80", 3);
}

static void
test_empty_messages(void **state)
{
	uint8_t	f[32];
	size_t	n;

	n = mkframe(f, FIN | WS_OP_TEXT, 1, "", 0, 0);
	expect_ev(*state, f, n, WS_EV_TEXT, NULL, 0);
	n = mkframe(f, FIN | WS_OP_BINARY, 1, "", 0, 0);
	expect_ev(*state, f, n, WS_EV_BINARY, NULL, 0);
}

static void
test_close_empty(void **state)
{
	struct ws_event	ev;
	uint8_t		f[32];
	size_t		n;

	n = mkframe(f, FIN | WS_OP_CLOSE, 1, "", 0, 0);
	assert_int_equal(ws_parse(*state, f, n, &ev), n);
	assert_int_equal(ev.type, WS_EV_CLOSE);
	assert_int_equal(ev.close_code, 1000);
	assert_int_equal(ev.len, 0);
}

static void
test_close_one_byte(void **state)
{
	uint8_t	f[32];
	size_t	n;

	n = mkframe(f, FIN | WS_OP_CLOSE, 1, "\x03", 1, 0);
	expect_err(*state, f, n, 1002);
}

static void
test_close_codes(void **state)
{
	static const uint16_t good[] = { 1000, 1001, 1002, 1003, 1007, 1008,
	    1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 };
	static const uint16_t bad[] = { 0, 1, 999, 1004, 1005, 1006, 1015,
	    1016, 1100, 2000, 2999, 5000, 65535 };
	struct ws_parser *p = *state;
	struct ws_event	 ev;
	uint8_t		 f[32];
	size_t		 i, n;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		relimit(p, 1024, 1024);
		n = mkclose(f, good[i], "", 0);
		assert_int_equal(ws_parse(p, f, n, &ev), n);
		assert_int_equal(ev.type, WS_EV_CLOSE);
		assert_int_equal(ev.close_code, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		relimit(p, 1024, 1024);
		n = mkclose(f, bad[i], "", 0);
		expect_err(p, f, n, 1002);
	}
}

static void
test_close_reason(void **state)
{
	struct ws_parser *p = *state;
	struct ws_event	 ev;
	uint8_t		 f[160];
	size_t		 n;

	n = mkclose(f, 1001, "going \xe2\x82\xac", 9);
	assert_int_equal(ws_parse(p, f, n, &ev), n);
	assert_int_equal(ev.type, WS_EV_CLOSE);
	assert_int_equal(ev.close_code, 1001);
	assert_int_equal(ev.len, 9);
	assert_memory_equal(ev.data, "going \xe2\x82\xac", 9);
	relimit(p, 1024, 1024);
	n = mkclose(f, 1000, "bad \xed\xa0\x80", 7);
	expect_err(p, f, n, 1007);
}

static void
test_terminal_after_close(void **state)
{
	struct ws_parser *p = *state;
	struct ws_event	 ev;
	uint8_t		 f[64];
	size_t		 n, m;

	n = mkclose(f, 1000, "", 0);
	m = mkframe(f + n, FIN | WS_OP_TEXT, 1, "late", 4, 0);
	assert_int_equal(ws_parse(p, f, n + m, &ev), n);
	assert_int_equal(ev.type, WS_EV_CLOSE);
	assert_int_equal(ws_parse(p, f + n, m, &ev), 0);
	assert_int_equal(ev.type, WS_EV_CLOSE);
	assert_int_equal(ev.close_code, 1000);
	assert_null(ev.data);
}

static void
test_multiple_frames_one_buffer(void **state)
{
	struct ws_parser *p = *state;
	struct ws_event	 ev;
	uint8_t		 f[64];
	size_t		 a, b, c;

	a = mkframe(f, FIN | WS_OP_TEXT, 1, "one", 3, 0);
	b = mkframe(f + a, FIN | WS_OP_PING, 1, "", 0, 0);
	c = mkframe(f + a + b, FIN | WS_OP_BINARY, 1, "3", 1, 0);
	assert_int_equal(ws_parse(p, f, a + b + c, &ev), a);
	assert_int_equal(ev.type, WS_EV_TEXT);
	assert_int_equal(ws_parse(p, f + a, b + c, &ev), b);
	assert_int_equal(ev.type, WS_EV_PING);
	assert_int_equal(ws_parse(p, f + a + b, c, &ev), c);
	assert_int_equal(ev.type, WS_EV_BINARY);
	assert_int_equal(ws_parse(p, NULL, 0, &ev), 0);
	assert_int_equal(ev.type, WS_EV_NEED_MORE);
}

static void
same_recs(const struct rec *a, const struct rec *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		assert_int_equal(a[i].type, b[i].type);
		assert_int_equal(a[i].code, b[i].code);
		assert_int_equal(a[i].len, b[i].len);
		assert_memory_equal(a[i].data, b[i].data, a[i].len);
	}
}

/* A stream touching every path, split in several ways. */
static size_t
mkstream(uint8_t *s)
{
	static uint8_t	big[300];
	size_t		n = 0, i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	n += mkframe(s + n, WS_OP_TEXT, 1, "H\xc3", 2, 0);
	n += mkframe(s + n, FIN | WS_OP_PING, 1, "p1", 2, 0);
	n += mkframe(s + n, WS_OP_CONT, 1, "\xa9\xe2\x82", 3, 0);
	n += mkframe(s + n, FIN | WS_OP_CONT, 1, "\xac!", 2, 8);
	n += mkframe(s + n, FIN | WS_OP_BINARY, 1, big, sizeof(big), 0);
	n += mkframe(s + n, FIN | WS_OP_PONG, 1, "", 0, 0);
	n += mkframe(s + n, FIN | WS_OP_TEXT, 1, "0123456789abcdefXYZ", 19,
	    2);
	n += mkclose(s + n, 4000, "bye", 3);
	return n;
}

static void
test_byte_at_a_time_equals_whole(void **state)
{
	static const size_t one[] = { 1 }, whole[] = { SIZE_MAX },
	    odd[] = { 3, 1, 7, 2, 5, 13 };
	static struct rec ra[MAXREC], rb[MAXREC];
	struct ws_parser *p = *state;
	uint8_t		 s[1024];
	size_t		 n, na, nb;

	n = mkstream(s);
	na = feed(p, s, n, whole, 1, ra);
	assert_int_equal(na, 6);
	assert_int_equal(ra[0].type, WS_EV_PING);
	assert_int_equal(ra[1].type, WS_EV_TEXT);
	assert_int_equal(ra[1].len, 7);
	assert_memory_equal(ra[1].data, "H\xc3\xa9\xe2\x82\xac!", 7);
	assert_int_equal(ra[5].type, WS_EV_CLOSE);
	assert_int_equal(ra[5].code, 4000);
	relimit(p, WS_DEFAULT_MAX_FRAME, WS_DEFAULT_MAX_MESSAGE);
	nb = feed(p, s, n, one, 1, rb);
	assert_int_equal(nb, na);
	same_recs(ra, rb, na);
	relimit(p, WS_DEFAULT_MAX_FRAME, WS_DEFAULT_MAX_MESSAGE);
	nb = feed(p, s, n, odd, 6, rb);
	assert_int_equal(nb, na);
	same_recs(ra, rb, na);
}

static void
test_frame_header_encoding(void **state)
{
	uint8_t	h[10];

	(void)state;
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 0), 2);
	assert_memory_equal(h, "\x81\x00", 2);
	assert_int_equal(ws_frame_header(h, WS_OP_BINARY, 125), 2);
	assert_memory_equal(h, "\x82\x7d", 2);
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 126), 4);
	assert_memory_equal(h, "\x81\x7e\x00\x7e", 4);
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 65535), 4);
	assert_memory_equal(h, "\x81\x7e\xff\xff", 4);
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 65536), 10);
	assert_memory_equal(h, "\x81\x7f\0\0\0\0\0\x01\0\0", 10);
	assert_int_equal(ws_frame_header(h, WS_OP_PONG, 125), 2);
	assert_memory_equal(h, "\x8a\x7d", 2);
	assert_int_equal(ws_frame_header(h, WS_OP_PING, 126), 0);
	assert_int_equal(ws_frame_header(h, 3, 1), 0);
	assert_int_equal(ws_frame_header(h, 16, 1), 0);
	assert_int_equal(ws_frame_header(h, -1, 1), 0);
}

static void
test_close_payload_encoding(void **state)
{
	char	reason[200];
	uint8_t	out[125];
	size_t	n;

	(void)state;
	assert_int_equal(ws_close_payload(out, 0, "x"), 0);
	assert_int_equal(ws_close_payload(out, 1000, NULL), 2);
	assert_memory_equal(out, "\x03\xe8", 2);
	assert_int_equal(ws_close_payload(out, 1002, "proto"), 7);
	assert_memory_equal(out, "\x03\xeaproto", 7);
	memset(reason, 'a', 122);
	memcpy(reason + 122, "\xe2\x82\xac", 4);	/* straddles 123 */
	n = ws_close_payload(out, 1009, reason);
	assert_int_equal(n, 2 + 122);
	memset(reason, 'b', 150);
	reason[150] = '\0';
	assert_int_equal(ws_close_payload(out, 1009, reason), 125);
}

static void
test_init_free(void **state)
{
	struct ws_parser	p;
	struct ws_limits	lim = { 10, 20 };

	(void)state;
	assert_int_equal(ws_parser_init(NULL, NULL), -1);
	assert_int_equal(ws_parser_init(&p, NULL), 0);
	assert_int_equal(p.lim.max_frame, WS_DEFAULT_MAX_FRAME);
	assert_int_equal(p.lim.max_message, WS_DEFAULT_MAX_MESSAGE);
	ws_parser_free(&p);
	ws_parser_free(&p);
	ws_parser_free(NULL);
	assert_int_equal(ws_parser_init(&p, &lim), 0);
	assert_int_equal(p.lim.max_frame, 10);
	ws_parser_free(&p);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rfc_example_masked_text),
		T(test_unmasked_rejected),
		T(test_rsv_bits_rejected),
		T(test_unknown_opcodes_rejected),
		T(test_binary_and_lengths),
		T(test_non_minimal_length_accepted),
		T(test_length_msb_rejected),
		T(test_ping_pong),
		T(test_control_too_long_rejected),
		T(test_control_fragmented_rejected),
		T(test_fragmented_with_ping),
		T(test_close_inside_fragmented),
		T(test_continuation_without_message),
		T(test_data_inside_fragmented_message),
		T(test_max_frame),
		T(test_max_frame_before_payload),
		T(test_max_message),
		T(test_buffer_reused),
		T(test_utf8_text),
		T(test_utf8_split_across_fragments),
		T(test_binary_not_utf8_checked),
		T(test_empty_messages),
		T(test_close_empty),
		T(test_close_one_byte),
		T(test_close_codes),
		T(test_close_reason),
		T(test_terminal_after_close),
		T(test_multiple_frames_one_buffer),
		T(test_byte_at_a_time_equals_whole),
		T(test_frame_header_encoding),
		T(test_close_payload_encoding),
		T(test_init_free),
	};

	return cmocka_run_group_tests_name("ws_frame", tests, NULL, NULL);
}
