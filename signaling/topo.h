/*
 * topo.h: topology hiding: what of one leg may appear on the other.
 *
 * An allow-list, not a deny-list: only the headers in topo.c's table are
 * copied across (and only in the direction the table says), bodies only
 * for known content types, SDP only as the media plane rewrote it.  Via, Contact,
 * Record-Route, Route, Call-ID, tags, User-Agent/Server, Warning, P-* and
 * every unknown header stay on their own side, but for the unknown ones an
 * operator names in signaling.pass_headers.
 * Pure.  Thread: "signaling", tests.
 */
#ifndef SBC_TOPO_H
#define SBC_TOPO_H

#include <stdint.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

#include "sbc/conf.h"

enum topo_dir {
	TOPO_TO_PBX = 1,
	TOPO_TO_BROWSER = 2,
};

/* The table's headers for dir, and those of src named in pass
 * (signaling.pass_headers, checked by conf_check.c; NULL: none) among
 * the ones Sofia does not parse itself. */
int	topo_copy_headers(msg_t *, sip_t *, const sip_t *src, enum topo_dir,
	    const struct sbc_strv *pass);
/* Non-SDP bodies of allowed types (SDP is the media plane's: b2b_media). */
int	topo_copy_body(msg_t *, sip_t *, const sip_t *src);
/* Add an SDP body we wrote. */
int	topo_add_sdp(msg_t *, sip_t *, const char *sdp);
/* The SDP body of a message, or NULL. */
const char *topo_sdp_of(const sip_t *, size_t *len);

#endif
