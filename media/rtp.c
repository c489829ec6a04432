/*
 * rtp.c: RTP/RTCP demultiplexing, header parsing and RTCP feedback
 * stripping (see rtp.h).  Every read is bounds-checked against the length
 * given; the only write is rtcp_strip_feedback()'s memmove inside pkt.
 *
 * Owns: nothing.  Thread: pure; called by media workers, tests, fuzzers.
 */
#include "config.h"

#include <string.h>

#include "media/bytes.h"
#include "media/rtp.h"

enum rtp_kind
rtp_classify(const uint8_t *p, size_t len)
{
	if (p == NULL || len == 0)
		return RTP_KIND_OTHER;
	if (p[0] <= 3)
		return RTP_KIND_STUN;
	if (p[0] >= 20 && p[0] <= 63)
		return RTP_KIND_DTLS;
	if (p[0] >= 128 && p[0] <= 191)
		return RTP_KIND_RTP;
	return RTP_KIND_OTHER;
}

int
rtp_is_rtcp(const uint8_t *p, size_t len)
{
	if (p == NULL || len < RTCP_HDR_LEN || (p[0] >> 6) != 2)
		return 0;
	return p[1] >= 192 && p[1] <= 223;
}

int
rtp_parse(const uint8_t *p, size_t len, struct rtp_hdr *h)
{
	size_t	hl, pad = 0;

	if (p == NULL || h == NULL || len < RTP_HDR_MIN || (p[0] >> 6) != 2 ||
	    rtp_is_rtcp(p, len))
		return -1;
	h->cc = p[0] & 0x0f;
	h->marker = p[1] >> 7;
	h->pt = p[1] & 0x7f;
	h->seq = get16(p + 2);
	h->ts = get32(p + 4);
	h->ssrc = get32(p + 8);
	h->ext_profile = 0;
	h->ext_len = 0;
	hl = RTP_HDR_MIN + 4 * (size_t)h->cc;
	if (hl > len)
		return -1;
	if (p[0] & 0x10) {			/* X: 4-byte head + words */
		if (len - hl < 4)
			return -1;
		h->ext_profile = get16(p + hl);
		h->ext_len = 4 * (size_t)get16(p + hl + 2);
		if (len - hl - 4 < h->ext_len)
			return -1;
		hl += 4 + h->ext_len;
	}
	if (p[0] & 0x20) {			/* P: count in the last byte */
		pad = p[len - 1];
		if (pad == 0 || pad > len - hl)
			return -1;
	}
	h->pad_len = (uint8_t)pad;
	h->hdr_len = hl;
	h->payload_off = hl;
	h->payload_len = len - hl - pad;
	return 0;
}

/* Minimum length of a packet's content (header included, no padding). */
static size_t
rtcp_min_len(uint8_t pt, uint8_t count)
{
	switch (pt) {
	case RTCP_SR:
		return 28 + 24 * (size_t)count;
	case RTCP_RR:
		return 8 + 24 * (size_t)count;
	case RTCP_RTPFB:
	case RTCP_PSFB:
		return 12;
	default:
		return RTCP_HDR_LEN;
	}
}

int
rtcp_next(const uint8_t *p, size_t len, size_t *off, struct rtcp_pkt *rp)
{
	const uint8_t	*q;
	size_t		 left, plen, pad = 0;

	if (p == NULL || off == NULL || rp == NULL || *off > len)
		return -1;
	if (*off == len)
		return 0;
	q = p + *off;
	left = len - *off;
	if (left < RTCP_HDR_LEN || (q[0] >> 6) != 2)
		return -1;
	plen = 4 * ((size_t)get16(q + 2) + 1);
	if (plen > left)
		return -1;
	if (q[0] & 0x20) {		/* padding: last packet only */
		pad = q[plen - 1];
		if (plen != left || pad == 0 || pad > plen - RTCP_HDR_LEN)
			return -1;
	}
	rp->pt = q[1];
	rp->count = q[0] & 0x1f;
	rp->padding = pad != 0;
	rp->off = *off;
	rp->len = plen;
	if (plen - pad < rtcp_min_len(rp->pt, rp->count))
		return -1;
	*off += plen;
	return 1;
}

void
rtp_seq_fix(struct rtp_seqfix *st, uint8_t *pkt, size_t len)
{
	uint32_t	ssrc;
	uint16_t	seq, out;
	int16_t		d;

	if (len < RTP_HDR_MIN)
		return;
	ssrc = (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 |
	    (uint32_t)pkt[10] << 8 | pkt[11];
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (!st->started || ssrc != st->ssrc) {
		st->started = 1;
		st->ssrc = ssrc;
		st->offset = 0;
		st->last = seq;
		return;
	}
	out = (uint16_t)(seq + st->offset);
	d = (int16_t)(out - st->last);
	if (d > RTP_SEQ_JUMP || d < -RTP_SEQ_JUMP) {	/* a jump: follow on */
		st->offset = (uint16_t)(st->last + 1 - seq);
		out = (uint16_t)(st->last + 1);
		d = 1;
	}
	if (d > 0)
		st->last = out;
	pkt[2] = (uint8_t)(out >> 8);
	pkt[3] = (uint8_t)out;
}

int
rtcp_walk(const uint8_t *p, size_t len)
{
	struct rtcp_pkt	rp;
	size_t		off = 0;
	int		n = 0, r;

	if (p == NULL || len == 0)
		return -1;
	while ((r = rtcp_next(p, len, &off, &rp)) == 1)
		n++;
	return r == 0 && n > 0 ? n : -1;
}

size_t
rtcp_strip_feedback(uint8_t *p, size_t len)
{
	struct rtcp_pkt	rp;
	size_t		off = 0, w = 0;

	if (rtcp_walk(p, len) == -1)
		return 0;
	while (rtcp_next(p, len, &off, &rp) == 1) {
		if (rp.pt == RTCP_RTPFB || rp.pt == RTCP_PSFB)
			continue;
		if (w != rp.off)
			memmove(p + w, p + rp.off, rp.len);
		w += rp.len;
	}
	return w;
}
