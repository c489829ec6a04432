/*
 * test_rtp.c: cmocka unit tests for media/rtp.c: RFC 7983 classification
 * of every first byte, RFC 5761 RTCP detection, RTP headers with CSRCs,
 * extension and padding (and their bad lengths), RTCP compounds from which
 * RTPFB/PSFB are removed with the rest byte-identical, all-feedback
 * packets, malformed compounds left untouched, truncation at every length.
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/rtp.h"

/* A buffer being built: the compound, and what must remain of it. */
struct cbuf {
	uint8_t	pkt[1024];
	size_t	len;
	uint8_t	want[1024];
	size_t	want_len;
};

/*
 * Append one RTCP packet: pt, count/FMT, total length (multiple of 4),
 * padding octets at its end (0: none).  The body is a pattern seeded by
 * its offset so that any misplaced byte shows.
 */
static void
add(struct cbuf *c, uint8_t pt, uint8_t count, size_t len, uint8_t pad)
{
	uint8_t	*p = c->pkt + c->len;
	size_t	 i;

	assert_true(len >= 4 && len % 4 == 0 && c->len + len <= sizeof(c->pkt));
	p[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | count);
	p[1] = pt;
	p[2] = (uint8_t)((len / 4 - 1) >> 8);
	p[3] = (uint8_t)(len / 4 - 1);
	for (i = 4; i < len; i++)
		p[i] = (uint8_t)(c->len + i * 7);
	if (pad)
		p[len - 1] = pad;
	if (pt != RTCP_RTPFB && pt != RTCP_PSFB) {
		memcpy(c->want + c->want_len, p, len);
		c->want_len += len;
	}
	c->len += len;
}

static void add_sr(struct cbuf *c) { add(c, RTCP_SR, 1, 28 + 24, 0); }
static void add_rr(struct cbuf *c) { add(c, RTCP_RR, 1, 8 + 24, 0); }
static void add_sdes(struct cbuf *c) { add(c, RTCP_SDES, 1, 24, 0); }
static void add_pli(struct cbuf *c) { add(c, RTCP_PSFB, 1, 12, 0); }
static void add_nack(struct cbuf *c) { add(c, RTCP_RTPFB, 1, 16, 0); }
static void add_bye(struct cbuf *c) { add(c, RTCP_BYE, 1, 8, 0); }

static void
test_classify(void **state)
{
	uint8_t		b[1];
	unsigned	i;
	enum rtp_kind	want;

	(void)state;
	for (i = 0; i < 256; i++) {
		b[0] = (uint8_t)i;
		if (i <= 3)
			want = RTP_KIND_STUN;
		else if (i >= 20 && i <= 63)
			want = RTP_KIND_DTLS;
		else if (i >= 128 && i <= 191)
			want = RTP_KIND_RTP;
		else
			want = RTP_KIND_OTHER;
		if (rtp_classify(b, 1) != want)
			fail_msg("first byte %u: %d, want %d", i,
			    rtp_classify(b, 1), want);
	}
	assert_int_equal(rtp_classify(b, 0), RTP_KIND_OTHER);
	assert_int_equal(rtp_classify(NULL, 1), RTP_KIND_OTHER);
}

static void
test_is_rtcp(void **state)
{
	uint8_t		p[8] = { 0x80, 0, 0, 1, 0, 0, 0, 0 };
	unsigned	pt;

	(void)state;
	for (pt = 0; pt < 256; pt++) {
		p[1] = (uint8_t)pt;
		assert_int_equal(rtp_is_rtcp(p, sizeof(p)),
		    pt >= 192 && pt <= 223);
	}
	p[1] = RTCP_SR;
	assert_true(rtp_is_rtcp(p, 4));
	assert_false(rtp_is_rtcp(p, 3));
	assert_false(rtp_is_rtcp(NULL, 8));
	p[0] = 0x40;				/* version 1 */
	assert_false(rtp_is_rtcp(p, sizeof(p)));
	p[0] = 0xc0;				/* version 3 */
	assert_false(rtp_is_rtcp(p, sizeof(p)));
}

static void
test_rtp_basic(void **state)
{
	static const uint8_t p[16] = {
		0x80, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 'a', 'b', 'c', 'd',
	};
	struct rtp_hdr	h;

	(void)state;
	assert_int_equal(rtp_parse(p, sizeof(p), &h), 0);
	assert_int_equal(h.marker, 1);
	assert_int_equal(h.pt, 96);
	assert_int_equal(h.seq, 0x1234);
	assert_int_equal(h.ts, 0xdeadbeefU);
	assert_int_equal(h.ssrc, 0x01020304U);
	assert_int_equal(h.cc, 0);
	assert_int_equal(h.hdr_len, 12);
	assert_int_equal(h.payload_off, 12);
	assert_int_equal(h.payload_len, 4);
	assert_int_equal(h.pad_len, 0);
	assert_int_equal(h.ext_profile, 0);
	/* header only: an empty payload is fine */
	assert_int_equal(rtp_parse(p, 12, &h), 0);
	assert_int_equal(h.payload_len, 0);
}

static void
test_rtp_csrc_ext_pad(void **state)
{
	uint8_t		p[64];
	struct rtp_hdr	h;
	size_t		len;

	(void)state;
	memset(p, 0x55, sizeof(p));
	p[0] = 0x80 | 0x20 | 0x10 | 2;		/* P, X, CC=2 */
	p[1] = 0x00;				/* PCMU */
	/* CSRCs at 12..19, extension head at 20 */
	p[20] = 0xbe; p[21] = 0xde; p[22] = 0; p[23] = 2;	/* 8 bytes */
	/* extension data 24..31, payload 32..39, 4 bytes of padding */
	len = 44;
	p[len - 1] = 4;
	assert_int_equal(rtp_parse(p, len, &h), 0);
	assert_int_equal(h.cc, 2);
	assert_int_equal(h.ext_profile, 0xbede);
	assert_int_equal(h.ext_len, 8);
	assert_int_equal(h.hdr_len, 32);
	assert_int_equal(h.payload_off, 32);
	assert_int_equal(h.pad_len, 4);
	assert_int_equal(h.payload_len, 8);

	/* padding eating the whole payload */
	p[len - 1] = 12;
	assert_int_equal(rtp_parse(p, len, &h), 0);
	assert_int_equal(h.payload_len, 0);
	/* padding reaching into the header, or zero */
	p[len - 1] = 13;
	assert_int_equal(rtp_parse(p, len, &h), -1);
	p[len - 1] = 0;
	assert_int_equal(rtp_parse(p, len, &h), -1);
	p[len - 1] = 255;
	assert_int_equal(rtp_parse(p, len, &h), -1);
	p[len - 1] = 4;

	/* an extension longer than the packet */
	p[23] = 6;				/* 24 bytes: ends at 48 > 44 */
	assert_int_equal(rtp_parse(p, len, &h), -1);
	p[23] = 5;				/* ends at 44: fits, no pad */
	p[0] &= (uint8_t)~0x20;
	assert_int_equal(rtp_parse(p, len, &h), 0);
	assert_int_equal(h.payload_len, 0);
	p[23] = 0xff;
	p[22] = 0xff;
	assert_int_equal(rtp_parse(p, len, &h), -1);
	/* two-byte-header profile, empty extension */
	p[20] = 0x10; p[21] = 0x00; p[22] = 0; p[23] = 0;
	assert_int_equal(rtp_parse(p, 24, &h), 0);
	assert_int_equal(h.ext_profile, 0x1000);
	assert_int_equal(h.ext_len, 0);
	assert_int_equal(h.hdr_len, 24);
}

static void
test_rtp_bad(void **state)
{
	uint8_t		p[80];
	struct rtp_hdr	h;
	size_t		len;
	unsigned	v, cc;

	(void)state;
	memset(p, 0, sizeof(p));
	p[1] = 96;
	for (v = 0; v < 4; v++) {
		p[0] = (uint8_t)(v << 6);
		assert_int_equal(rtp_parse(p, 20, &h), v == 2 ? 0 : -1);
	}
	/* shorter than the fixed header */
	p[0] = 0x80;
	for (len = 0; len < 12; len++)
		assert_int_equal(rtp_parse(p, len, &h), -1);
	/* CSRC list beyond the end, for every CC */
	for (cc = 1; cc < 16; cc++) {
		p[0] = (uint8_t)(0x80 | cc);
		assert_int_equal(rtp_parse(p, 12 + 4 * cc - 1, &h), -1);
		assert_int_equal(rtp_parse(p, 12 + 4 * cc, &h), 0);
		assert_int_equal(h.hdr_len, 12 + 4 * cc);
	}
	/* X set but no room for the extension head */
	p[0] = 0x90;
	assert_int_equal(rtp_parse(p, 15, &h), -1);
	assert_int_equal(rtp_parse(p, 16, &h), 0);
	/* P set and the padding count is the only payload byte */
	p[0] = 0xa0;
	p[12] = 1;
	assert_int_equal(rtp_parse(p, 13, &h), 0);
	assert_int_equal(h.payload_len, 0);
	p[12] = 2;
	assert_int_equal(rtp_parse(p, 13, &h), -1);
	/* RTCP is not RTP (RFC 5761: PT 72..79 with marker) */
	p[0] = 0x80;
	p[1] = RTCP_SR;
	assert_int_equal(rtp_parse(p, 28, &h), -1);
	assert_int_equal(rtp_parse(NULL, 28, &h), -1);
	assert_int_equal(rtp_parse(p, 28, NULL), -1);
}

static void
test_strip_compound(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));
	size_t		 n;

	(void)state;
	assert_non_null(c);
	add_sr(c);
	add_rr(c);
	add_sdes(c);
	add_pli(c);
	add_nack(c);
	assert_int_equal(rtcp_walk(c->pkt, c->len), 5);
	n = rtcp_strip_feedback(c->pkt, c->len);
	assert_int_equal(n, c->want_len);
	assert_memory_equal(c->pkt, c->want, n);
	assert_int_equal(rtcp_walk(c->pkt, n), 3);
	/* stripping again changes nothing */
	assert_int_equal(rtcp_strip_feedback(c->pkt, n), n);
	assert_memory_equal(c->pkt, c->want, n);
	free(c);
}

static void
test_strip_interleaved(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));
	size_t		 n;

	(void)state;
	assert_non_null(c);
	add_rr(c);
	add_pli(c);
	add_sdes(c);
	add_nack(c);
	add_nack(c);
	add_bye(c);
	add(c, RTCP_APP, 0, 16, 0);
	add(c, RTCP_PSFB, 15, 20, 0);		/* AFB (REMB) */
	add(c, RTCP_RTPFB, 15, 20, 4);		/* transport-cc, padded */
	n = rtcp_strip_feedback(c->pkt, c->len);
	assert_int_equal(n, c->want_len);
	assert_memory_equal(c->pkt, c->want, n);
	assert_int_equal(rtcp_walk(c->pkt, n), 4);
	free(c);
}

static void
test_strip_nothing(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	add_sr(c);
	add_sdes(c);
	add(c, RTCP_BYE, 1, 12, 4);		/* padded last packet */
	assert_int_equal(rtcp_strip_feedback(c->pkt, c->len), c->len);
	assert_memory_equal(c->pkt, c->want, c->len);
	free(c);
}

static void
test_strip_all_feedback(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	add_pli(c);			/* reduced-size RTCP (RFC 5506) */
	assert_int_equal(rtcp_strip_feedback(c->pkt, c->len), 0);
	add_nack(c);
	add(c, RTCP_PSFB, 4, 20, 0);	/* FIR */
	assert_int_equal(rtcp_walk(c->pkt, c->len), 3);
	assert_int_equal(rtcp_strip_feedback(c->pkt, c->len), 0);
	free(c);
}

/* Malformed compounds: 0 and the bytes untouched. */
static void
expect_malformed(struct cbuf *c)
{
	uint8_t	copy[sizeof(c->pkt)];

	memcpy(copy, c->pkt, c->len);
	assert_int_equal(rtcp_walk(c->pkt, c->len), -1);
	assert_int_equal(rtcp_strip_feedback(c->pkt, c->len), 0);
	assert_memory_equal(c->pkt, copy, c->len);
}

static void
test_strip_malformed(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));
	size_t		 second;

	(void)state;
	assert_non_null(c);
	add_sr(c);
	second = c->len;
	add_pli(c);
	add_rr(c);
	assert_int_equal(rtcp_walk(c->pkt, c->len), 3);

	c->pkt[second + 3] = 200;		/* length beyond the end */
	expect_malformed(c);
	c->pkt[second + 3] = 2;
	c->pkt[second] = 0x41;			/* version 1 */
	expect_malformed(c);
	c->pkt[second] = 0xa1;			/* padding, not last */
	expect_malformed(c);
	c->pkt[second] = 0x81;
	c->pkt[3] = 0;				/* SR of 4 bytes */
	expect_malformed(c);
	c->pkt[3] = 12;
	assert_int_equal(rtcp_walk(c->pkt, c->len), 3);
	c->pkt[0] = 0x82;			/* SR with RC=2: too short */
	expect_malformed(c);
	c->pkt[0] = 0x81;
	c->len += 2;				/* trailing junk */
	expect_malformed(c);
	c->len -= 2;
	assert_int_equal(rtcp_walk(c->pkt, c->len), 3);
	c->pkt[c->len - 32] |= 0x20;		/* last padded, count 0 */
	c->pkt[c->len - 1] = 0;
	expect_malformed(c);
	c->pkt[c->len - 1] = 33;		/* count > packet body */
	expect_malformed(c);
	c->pkt[c->len - 1] = 28;		/* eats into report block */
	expect_malformed(c);
	c->pkt[c->len - 1] = 4;
	assert_int_equal(rtcp_walk(c->pkt, c->len), -1);	/* RR short */
	assert_int_equal(rtcp_strip_feedback(c->pkt, 0), 0);
	assert_int_equal(rtcp_strip_feedback(NULL, 8), 0);
	assert_int_equal(rtcp_walk(NULL, 8), -1);
	free(c);
}

static void
test_feedback_too_short(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	add_rr(c);
	add(c, RTCP_PSFB, 1, 8, 0);	/* no media SSRC */
	expect_malformed(c);
	free(c);
}

/* Every prefix of a compound, on an exactly sized heap copy. */
static void
test_strip_truncated(void **state)
{
	struct cbuf	*c = calloc(1, sizeof(*c));
	uint8_t		*b;
	size_t		 len, n, cut[8], ncut = 0, i;
	int		 at_boundary;

	(void)state;
	assert_non_null(c);
	add_sr(c); cut[ncut++] = c->len;
	add_pli(c); cut[ncut++] = c->len;
	add_rr(c); cut[ncut++] = c->len;
	add_nack(c); cut[ncut++] = c->len;
	add_sdes(c); cut[ncut++] = c->len;
	for (len = 0; len <= c->len; len++) {
		b = malloc(len ? len : 1);
		assert_non_null(b);
		memcpy(b, c->pkt, len);
		n = rtcp_strip_feedback(b, len);
		assert_true(n <= len);
		at_boundary = 0;
		for (i = 0; i < ncut; i++)
			at_boundary |= cut[i] == len;
		if (!at_boundary)
			assert_int_equal(n, 0);
		else
			assert_true(rtcp_walk(b, n) > 0);
		free(b);
	}
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_is_rtcp),
		cmocka_unit_test(test_rtp_basic),
		cmocka_unit_test(test_rtp_csrc_ext_pad),
		cmocka_unit_test(test_rtp_bad),
		cmocka_unit_test(test_strip_compound),
		cmocka_unit_test(test_strip_interleaved),
		cmocka_unit_test(test_strip_nothing),
		cmocka_unit_test(test_strip_all_feedback),
		cmocka_unit_test(test_strip_malformed),
		cmocka_unit_test(test_feedback_too_short),
		cmocka_unit_test(test_strip_truncated),
	};

	return cmocka_run_group_tests_name("rtp", tests, NULL, NULL);
}
