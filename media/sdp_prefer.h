/*
 * sdp_prefer.h: codec preference per trunk on a parsed SDP description
 * (struct sdp_desc of sdp_conv.h).  Rules: only the listed encodings stay,
 * in the list's order; telephone-event and CN always stay, after them.
 * Pure.  Thread: "signaling", tests.
 */
#ifndef SBC_MEDIA_SDP_PREFER_H
#define SBC_MEDIA_SDP_PREFER_H

#include <stddef.h>

#include "media/sdp_conv.h"

/*
 * Keep and order the codecs of every audio stream of d by a preference
 * list of encoding names, most preferred first: "opus", "PCMU",
 * "G722/8000" (a rate narrows the match); case does not matter.  Codecs
 * not listed are dropped, except telephone-event and CN, which stay after
 * the listed ones.  A stream left with neither is not carried (no codec).
 * n == 0 leaves d as it is.
 */
void	sdp_conv_prefer(struct sdp_desc *d, const char *const *names,
	    size_t n);

#endif
