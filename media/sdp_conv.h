/*
 * sdp_conv.h: SDP conversion between the media profiles of the two legs of
 * a call: WebRTC toward browsers (UDP/TLS/RTP/SAVPF, ICE-lite, DTLS,
 * rtcp-mux, BUNDLE), plain RTP toward PBXs (RTP/AVP, RTCP on its own
 * port) and SDES-SRTP (RTP/SAVP with a=crypto; only the crypto lines so
 * far).
 *
 * sdp_conv_parse() reads an SDP into a flat struct sdp_desc; and
 * sdp_conv_build() writes a new SDP for one leg from the other leg's
 * description plus our local transport.  The output comes only from our own
 * values plus the codecs, directions, ptime and mids of the input, so none
 * of the other leg's addresses, ICE credentials, fingerprints, ssrc, cname
 * or msid can leak across.
 *
 * Pure: Sofia's SDP parser and printer, memory in a su_home, no sockets,
 * no globals.  Owns: nothing after return (results in the caller's struct
 * or home).  Thread: "signaling" (after it got ports and credentials from
 * the media worker), tests, fuzzer.
 */
#ifndef SBC_MEDIA_SDP_CONV_H
#define SBC_MEDIA_SDP_CONV_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#define SDP_MAX_STREAMS	4	/* more m= lines: sdp_conv_parse() fails */
#define SDP_MAX_CODECS	16	/* more payload types: the rest is ignored */
#define SDP_MAX_RTCP_FB	6	/* a=rtcp-fb per payload type kept */
#define SDP_MAX_CRYPTO	4

enum sdp_profile {
	SDP_PROFILE_NONE = 0,	/* not RTP (SCTP data channel, T.38, ...) */
	SDP_PROFILE_RTP,	/* RTP/AVP, RTP/AVPF */
	SDP_PROFILE_SDES,	/* RTP/SAVP, RTP/SAVPF */
	SDP_PROFILE_WEBRTC,	/* UDP/TLS/RTP/SAVPF, UDP/TLS/RTP/SAVP */
};

/* Bit 1: we send, bit 2: we receive (same values as Sofia's sdp_mode_t). */
enum sdp_dir {
	SDP_DIR_INACTIVE = 0,
	SDP_DIR_SENDONLY = 1,
	SDP_DIR_RECVONLY = 2,
	SDP_DIR_SENDRECV = 3,
};

enum sdp_setup {
	SDP_SETUP_NONE = 0,	/* no a=setup */
	SDP_SETUP_ACTPASS,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
	SDP_SETUP_HOLDCONN,
};

struct sdp_codec {
	int	pt;			/* 0..127 */
	char	name[32];		/* as written: "opus", "PCMU" */
	int	rate;
	int	channels;		/* 1 when not written */
	char	fmtp[256];		/* "" when none */
	char	rtcp_fb[SDP_MAX_RTCP_FB][48];	/* "nack pli", "transport-cc" */
	int	nrtcp_fb;
};

struct sdp_crypto {			/* RFC 4568 a=crypto */
	int	tag;
	char	suite[48];		/* "AES_CM_128_HMAC_SHA1_80" */
	char	key_params[192];	/* "inline:KEY|2^31|1:1" */
	char	session_params[64];	/* "" when none */
};

struct sdp_stream {			/* one m= line */
	char	media[16];		/* "audio", "video", "application" */
	char	proto[32];		/* as written: "UDP/TLS/RTP/SAVPF" */
	char	fmt0[32];		/* first format token (for a rejection) */
	int	port;			/* 0: rejected (unless bundle_only) */
	int	profile;		/* enum sdp_profile of proto */
	struct sdp_codec codecs[SDP_MAX_CODECS];
	int	ncodecs;
	int	direction;		/* enum sdp_dir, after the 0.0.0.0 rule */
	char	mid[32];
	int	rtcp_mux;
	int	bundle_only;
	int	ptime;			/* 0: none */
	char	ice_ufrag[64];		/* media level, else session level */
	char	ice_pwd[128];
	char	fingerprint[208];	/* "sha-256 AB:..", sha-512 fits */
	int	setup;			/* enum sdp_setup */
	char	conn_addr[64];		/* c= of this stream, else of session */
	int	rtcp_port;		/* a=rtcp, 0 if none */
	struct sdp_crypto crypto[SDP_MAX_CRYPTO];
	int	ncrypto;
};

/* About 45 KB: keep it in the call object or on the heap, not in a loop's
 * stack frame. */
struct sdp_desc {
	uint64_t	sess_id, sess_ver;	/* o= */
	struct sdp_stream streams[SDP_MAX_STREAMS];
	int		nstreams;
	char		bundle_mids[SDP_MAX_STREAMS][32];	/* a=group:BUNDLE */
	int		nbundle;
	int		ice_lite;
};

/*
 * Parse sdp (len bytes, need not be NUL-terminated) into *out.  Direction:
 * session-level attribute, overridden per m= line; a non-ICE stream whose
 * address is 0.0.0.0 or :: (RFC 2543 hold) loses its receive bit (RFC 3264
 * §8.4: sendrecv -> sendonly, recvonly -> inactive).  Browsers' c=0.0.0.0
 * next to ICE attributes means "no default candidate", not hold.
 * Returns 0, or -1 when the SDP is invalid, has no or more than
 * SDP_MAX_STREAMS m= lines, or a value is too long for its field.
 */
int	sdp_conv_parse(const char *sdp, size_t len, struct sdp_desc *out);

/* Our side of one leg. */
struct sdp_local {
	int		 profile;	/* enum sdp_profile, not NONE */
	const char	*address;	/* IPv4/IPv6 literal: o=, c=, candidate */
	int		 port[SDP_MAX_STREAMS];	/* per output m= line; 0 rejects
					 * it; the same for all when bundled */
	int		 rtcp_port[SDP_MAX_STREAMS];	/* RTP/SDES: a=rtcp, 0: none */
	const char	*ice_ufrag, *ice_pwd;	/* WEBRTC */
	const char	*fingerprint;	/* WEBRTC: "sha-256 AB:CD:.." */
	int		 setup;		/* WEBRTC answer; NONE: derived from the
					 * offer (actpass/active -> passive) */
	uint64_t	 sess_id, sess_ver;	/* o=; the caller bumps sess_ver */
	const struct sdp_crypto *crypto;	/* SDES: our a=crypto lines */
	int		 ncrypto;
};

/*
 * Build the SDP for one leg, in home (NULL on bad arguments, or a first
 * offer with nothing to carry).  o= is "sbc sess_id sess_ver"; c= ours.
 *
 * other: the other leg's description (its offer when we offer, its answer
 * when we answer).  Only "carried" streams cross: audio, an RTP profile,
 * codecs, a port (or a=bundle-only).  Our offers put the n-th carried
 * stream of other on the n-th audio m= line, so when answering, the n-th
 * carried stream of this_leg pairs with the n-th audio line of other.
 *
 * this_leg: when answering (is_offer = 0), the offer being answered on
 * this leg (required): the answer keeps its m= lines, mids, BUNDLE group
 * (accepted mids only) and payload type numbers, with the codecs both
 * legs have in the order of other's answer (fmtp: other's if it has one,
 * rtcp-fb: this leg's, WebRTC only); a line not carried, refused by other,
 * without a common codec or with local->port 0 is rejected (port 0, mid
 * kept).  When offering: NULL for a first offer, or the last SDP exchanged
 * on this leg for a re-offer (RFC 3264 §8): its m= lines, mids and payload
 * type numbers are kept; carried streams fill its audio lines in order.
 *
 * Direction: an offer mirrors other's; an answer takes other's, limited to
 * what the offer allows.  a=ptime mirrors other's.  WebRTC: a=setup is
 * actpass in offers; a=msid is our own ("sbc audio-N").
 */
char	*sdp_conv_build(su_home_t *home, const struct sdp_desc *other,
	    const struct sdp_desc *this_leg, const struct sdp_local *local,
	    int is_offer);

#endif
