/*
 * topo.h: topology hiding: what of one leg may appear on the other.
 *
 * An allow-list, not a deny-list: only the headers in topo.c's table are
 * copied across (and only in the direction the table says), bodies only
 * for known content types, SDP always through sdp_rewrite.  Via, Contact,
 * Record-Route, Route, Call-ID, tags, User-Agent/Server, Warning, P-* and
 * every unknown header stay on their own side.
 * Pure.  Thread: "signaling", tests.
 */
#ifndef SBC_TOPO_H
#define SBC_TOPO_H

#include <stdint.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

enum topo_dir {
	TOPO_TO_PBX = 1,
	TOPO_TO_BROWSER = 2,
};

struct topo_body {
	const char	*address;	/* our media address on the target side */
	uint64_t	 session_id;	/* our o= session id on that side */
};

int	topo_copy_headers(msg_t *, sip_t *, const sip_t *src, enum topo_dir);
/* 0: copied (or nothing to copy); -1: SDP unusable (caller answers 488). */
int	topo_copy_body(msg_t *, sip_t *, const sip_t *src,
	    const struct topo_body *);

#endif
