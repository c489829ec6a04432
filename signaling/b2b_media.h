/*
 * b2b_media.h: the B2BUA's use of the media plane (see b2b_media.c).
 * Thread: "signaling".
 */
#ifndef SBC_B2B_MEDIA_H
#define SBC_B2B_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "media/media.h"
#include "media/sdes.h"
#include "media/sdp_conv.h"

struct call;
struct b2b;

/* SDES state of the PBX leg (b2b_sdes.c).  Secret: wiped at the end. */
struct call_sdes {
	struct sdes_crypto	ours[SDES_OFFER_MAX];	/* offered / in use */
	int			nours;
	struct sdes_crypto	remote;		/* the PBX's key in use */
	struct sdp_crypto	lines[SDES_OFFER_MAX];	/* ours, as SDP */
	int			savp;		/* RTP/SAVP on the leg */
	int			answered_crypto;	/* keys agreed */
};

struct call_media {
	int			worker;
	int			b_port, p_port;
	int			created;
	int			shared;		/* b_port is the worker's */
	uint64_t		b_ver, p_ver;	/* o= versions per leg */
	struct media_params	params;
	/* The last SDP of each side as text (in the call's home), parsed
	 * again when a later offer or answer needs it: a parsed struct
	 * sdp_desc is 45 KB, the text 1-4 KB. */
	char			*b_sdp;		/* the browser's offer, or its
						   answer to the PBX's offer */
	size_t			 b_sdp_len;
	int			 b_sdp_offer;	/* 1: an offer (codecs filtered) */
	char			 b_ufrag[64];	/* its ICE user name */
	char			*p_sdp;		/* the PBX's last offer */
	size_t			 p_sdp_len;
	struct call_sdes	 sdes;
};

char	*media_browser_offer(struct call *, const char *sdp, size_t len);
char	*media_pbx_answer(struct call *, const char *sdp, size_t len);
char	*media_browser_reoffer(struct call *, const char *sdp, size_t len);
char	*media_pbx_offer(struct call *, const char *sdp, size_t len);
char	*media_browser_answer(struct call *, const char *sdp, size_t len);
void	 media_end(struct call *);

/* b2b_sdes.c: -1 refuses the SDP (488) */
struct sdp_local;
int	 b2b_sdes_offer(struct call *, struct sdp_local *);
int	 b2b_sdes_answer_in(struct call *, const struct sdp_stream *);
int	 b2b_sdes_offer_in(struct call *, const struct sdp_stream *);
int	 b2b_sdes_answer_out(struct call *, struct sdp_local *);
void	 b2b_sdes_wipe(struct call *);
void	 b2b_media_event(struct b2b *, const struct media_rsp *);

#endif
