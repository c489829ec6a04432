/*
 * fuzz_rtp.c: libFuzzer harness for media/rtp.c.
 *
 * The input is one datagram.  It is classified, parsed as RTP (the parsed
 * lengths must add up to the datagram) and, on an exactly sized heap copy,
 * stripped of RTCP feedback.  The output must be no longer than the input
 * and a well-formed compound without RTPFB/PSFB whose bytes are the
 * input's other packets in order; when 0 comes back, either the input was
 * malformed and the copy is untouched, or it held only feedback.
 * Invariants are checked with __builtin_trap().
 *
 * Owns: one heap copy per input, freed before returning.
 * Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/rtp.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
is_feedback(uint8_t pt)
{
	return pt == RTCP_RTPFB || pt == RTCP_PSFB;
}

/*
 * rtp_seq_fix on the packet, twice (as a stream of two): only the
 * sequence number may change, and the second follows within the jump
 * bound of the first.
 */
static void
check_seqfix(const uint8_t *p, size_t n)
{
	struct rtp_seqfix	fx = { 0 };
	uint8_t			a[2048], b[2048];
	uint16_t		sa, sb;

	if (n > sizeof(a))
		return;
	memcpy(a, p, n);
	memcpy(b, p, n);
	b[2] ^= 0x80;				/* a jump of 32768 */
	rtp_seq_fix(&fx, a, n);
	rtp_seq_fix(&fx, b, n);
	CHECK(memcmp(a, p, n) == 0);		/* the first passes as is */
	CHECK(memcmp(b + 4, p + 4, n - 4) == 0 && b[0] == p[0] && b[1] == p[1]);
	sa = (uint16_t)(a[2] << 8 | a[3]);
	sb = (uint16_t)(b[2] << 8 | b[3]);
	CHECK((uint16_t)(sb - sa) == 1);
}

static void
check_rtp(const uint8_t *p, size_t n)
{
	struct rtp_hdr	h;
	size_t		hl;

	if (rtp_parse(p, n, &h) == -1)
		return;
	CHECK(rtp_classify(p, n) == RTP_KIND_RTP);
	CHECK(!rtp_is_rtcp(p, n));
	hl = 12 + 4 * (size_t)h.cc + ((p[0] & 0x10) ? 4 + h.ext_len : 0);
	CHECK(h.hdr_len == hl && h.payload_off == hl);
	CHECK(h.hdr_len + h.payload_len + h.pad_len == n);
	CHECK(h.pt < 128 && h.marker <= 1 && h.cc < 16);
	CHECK(((p[0] & 0x20) != 0) == (h.pad_len != 0));
	check_seqfix(p, n);
}

/* out[0..n) must be the non-feedback packets of in, in order. */
static void
check_kept(const uint8_t *in, size_t len, const uint8_t *out, size_t n)
{
	struct rtcp_pkt	rp;
	size_t		off = 0, w = 0;

	while (rtcp_next(in, len, &off, &rp) == 1) {
		if (is_feedback(rp.pt))
			continue;
		CHECK(w + rp.len <= n);
		CHECK(memcmp(out + w, in + rp.off, rp.len) == 0);
		w += rp.len;
	}
	CHECK(w == n);
	off = 0;
	while (rtcp_next(out, n, &off, &rp) == 1)
		CHECK(!is_feedback(rp.pt));
	CHECK(off == n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*copy;
	size_t		 n;
	int		 count;

	(void)rtp_classify(data, size);
	CHECK(!rtp_is_rtcp(data, size) ||
	    rtp_classify(data, size) == RTP_KIND_RTP);
	check_rtp(data, size);
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	count = rtcp_walk(data, size);
	n = rtcp_strip_feedback(copy, size);
	CHECK(n <= size);
	if (count == -1) {
		CHECK(n == 0);
		CHECK(memcmp(copy, data, size) == 0);
	} else if (n > 0) {
		CHECK(rtcp_walk(copy, n) > 0 && rtcp_walk(copy, n) <= count);
		check_kept(data, size, copy, n);
	} else
		check_kept(data, size, copy, 0);
	free(copy);
	return 0;
}
