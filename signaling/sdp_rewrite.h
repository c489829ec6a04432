/*
 * sdp_rewrite.h: the interim SDP rewrite of the signaling path: origin and
 * connection addresses replaced by the SBC's, ICE candidates dropped, so
 * no address of one side reaches the other.  The media plane replaces this
 * with a real conversion (profiles webrtc/rtp/sdes) behind media.h.
 * Pure (Sofia's SDP parser and printer).  Thread: "signaling", tests.
 */
#ifndef SBC_SDP_REWRITE_H
#define SBC_SDP_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

struct sdp_rewrite {
	const char	*address;	/* IPv4 or IPv6 literal */
	uint64_t	 session_id;
	int		 drop_ice;	/* drop a=candidate & co */
};

/* The rewritten SDP in home, or NULL when sdp is not valid SDP. */
char	*sdp_rewrite(su_home_t *home, const char *sdp, size_t len,
	    const struct sdp_rewrite *);

#endif
