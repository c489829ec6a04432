/*
 * rtp.h: RTP/RTCP helpers for the relay hot path.
 *
 * RFC 7983 demultiplexing of what arrives on a media port, RFC 5761 RTCP
 * detection, RTP header parsing (RFC 3550 §5.1: CSRCs, extension,
 * padding) and an in-place RTCP compound filter that removes the AVPF
 * feedback packets (RTPFB 205, PSFB 206) for AVP-only peers.  RTCP is
 * handled in the clear: after SRTCP unprotect, before re-protect.
 *
 * Owns: nothing; no allocation, no libc call beyond memcpy/memmove.
 * Thread: pure; called by media workers, tests, fuzzers.
 */
#ifndef SBC_MEDIA_RTP_H
#define SBC_MEDIA_RTP_H

#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_MIN	12
#define RTCP_HDR_LEN	4

#define RTCP_SR		200
#define RTCP_RR		201
#define RTCP_SDES	202
#define RTCP_BYE	203
#define RTCP_APP	204
#define RTCP_RTPFB	205	/* RFC 4585 transport-layer feedback */
#define RTCP_PSFB	206	/* RFC 4585 payload-specific feedback */

/* RFC 7983 §7, by the first byte. */
enum rtp_kind {
	RTP_KIND_OTHER = 0,	/* empty, ZRTP, TURN channel, unknown */
	RTP_KIND_STUN,		/* 0..3 */
	RTP_KIND_DTLS,		/* 20..63 */
	RTP_KIND_RTP,		/* 128..191: RTP or RTCP */
};

struct rtp_hdr {
	uint32_t	ssrc;
	uint32_t	ts;
	uint16_t	seq;
	uint8_t		pt;		/* 0..127 */
	uint8_t		marker;		/* 0 / 1 */
	uint8_t		cc;		/* CSRC count */
	uint8_t		pad_len;	/* padding octets, 0 if none */
	uint16_t	ext_profile;	/* 0xBEDE, 0x100x..., 0 if no ext */
	size_t		ext_len;	/* extension data bytes, after its head */
	size_t		hdr_len;	/* 12 + 4 * cc + extension */
	size_t		payload_off;	/* == hdr_len */
	size_t		payload_len;	/* without padding; may be 0 */
};

/* One packet of an RTCP compound. */
struct rtcp_pkt {
	uint8_t		pt;		/* 200.. */
	uint8_t		count;		/* RC / SC / FMT: low 5 bits */
	uint8_t		padding;	/* P bit; only on the last packet */
	size_t		off;		/* from the start of the compound */
	size_t		len;		/* whole packet, header included */
};

enum rtp_kind	rtp_classify(const uint8_t *, size_t);

/* RFC 5761 §4: version 2 and second byte 192..223 (RTCP PT). 1 / 0. */
int	rtp_is_rtcp(const uint8_t *, size_t);

/* Parse an RTP header: 0, or -1 if malformed or RTCP. */
int	rtp_parse(const uint8_t *, size_t, struct rtp_hdr *);

/*
 * Next packet of an RTCP compound at *off: 1 (filled, *off advanced),
 * 0 at the end, -1 if malformed: version not 2, length beyond the
 * buffer, padding bit on a packet that is not the last or a bad padding
 * count, SR/RR report blocks or a feedback packet's SSRCs out of bounds.
 */
int	rtcp_next(const uint8_t *, size_t, size_t *off, struct rtcp_pkt *);

/* Number of packets of a well-formed compound (>= 1), or -1. */
int	rtcp_walk(const uint8_t *, size_t);

/*
 * Sequence continuity toward an SRTP receiver.  SRTP's packet index is
 * estimated from the 16-bit sequence number (RFC 3711 §3.3.1): a sender
 * whose numbers jump by more than 2^15 (a PBX after a long hold, music on
 * hold switched in, a media server restarting a stream under the same
 * SSRC) makes both our protect (replay_old) and the browser's unprotect
 * guess the wrong rollover counter: one-way audio.  rtp_seq_fix() keeps
 * the numbers of one SSRC continuous: a jump of more than RTP_SEQ_JUMP
 * either way is folded into an offset so the packet follows the last one
 * sent; smaller gaps (loss, reordering) pass as they are.  A new SSRC
 * starts afresh.  In place, on an RTP packet (not RTCP) of >= 12 bytes.
 */
#define RTP_SEQ_JUMP	1000

struct rtp_seqfix {
	uint32_t	ssrc;
	uint16_t	offset;		/* added to every incoming number */
	uint16_t	last;		/* highest number sent */
	int		started;
};

void	rtp_seq_fix(struct rtp_seqfix *, uint8_t *pkt, size_t len);

/*
 * Drop RTPFB and PSFB packets in place; the others keep their bytes and
 * order.  Returns the new length: 0 if nothing is left (a reduced-size
 * RTCP feedback packet, RFC 5506) or if the compound is malformed, in
 * which case pkt is left untouched.  Either way, 0 means "drop it".
 */
size_t	rtcp_strip_feedback(uint8_t *, size_t);

#endif
