/*
 * session.h: one media session inside a worker: a browser leg (ICE-lite,
 * DTLS-SRTP, rtcp-mux, one UDP socket per stream) and a PBX leg (RTP and
 * RTCP sockets, symmetric latching; plain or SDES-SRTP), and the packet
 * path between them.
 *
 * Owns: its sockets, events, DTLS connection and SRTP contexts.
 * Thread: the worker that created it, only.  Per packet: no allocation,
 * no lock, no log.
 */
#ifndef SBC_MEDIA_SESSION_H
#define SBC_MEDIA_SESSION_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "media/dtls.h"
#include "media/media.h"
#include "media/ring.h"
#include "media/rtp.h"
#include "media/srtp_ctx.h"

struct mworker;
struct event;

/* Browser addresses a session accepts media from: each passed a STUN
 * check (RFC 8445 valid pairs: host, reflexive, old and new ones during
 * an ICE restart). */
#define MSESS_VALID_MAX	4

/* A session's sockets on the worker's ring (ring.h): the tag of what the
 * ring reads is the session id and the socket's kind. */
#define MSESS_SOCK_BROWSER	0	/* per-stream browser port */
#define MSESS_SOCK_PBX		1	/* PBX RTP */
#define MSESS_SOCK_RTCP		2	/* PBX RTCP (port + 1) */
#define MSESS_SOCK_KINDS	3
#define MSESS_TAG(id, kind)	(((uint64_t)(id) << 2) | (kind))
#define MSESS_ID_RING_MAX	(UINT64_MAX >> 2)

struct mpeer {
	struct sockaddr_storage	addr;
	socklen_t		len;
	int			set;
	int			connected;	/* connect()ed to addr */
};

struct msess {
	struct mworker		*w;
	uint64_t		 id;
	struct sbc_service	*owner;		/* where events go */
	struct media_params	 p;
	int			 b_fd, p_fd, pr_fd;	/* browser, PBX RTP, RTCP */
	struct event		*b_ev, *p_ev, *pr_ev;
	struct mpeer		 b_peer;	/* latched by ICE: we send here */
	struct mpeer		 b_valid[MSESS_VALID_MAX];	/* checked */
	unsigned		 b_nvalid, b_evict;	/*  addresses, FIFO */
	char			 old_ufrag[16];	/* ICE restart: until a check */
	char			 old_pwd[48];	/*  with the new ones succeeds */
	struct mpeer		 p_peer;	/* SDP, then symmetric latching */
	struct mpeer		 pr_peer;
	int			 p_latched, pr_latched;	/* port fixed */
	struct dtls_conn	 dtls;
	int			 dtls_inited;	/* fingerprint known */
	int			 dtls_started;	/* client: ClientHello sent */
	struct srtp_pair	 srtp;		/* browser leg, from DTLS */
	int			 srtp_up;
	struct rtp_seqfix	 p_seqfix;	/* PBX -> browser numbers */
	struct srtp_pair	 p_srtp;	/* PBX leg, SDES keys */
	int			 p_srtp_up;
	uint32_t		 p_key_gen;	/* of the keys in p_srtp */
	time_t			 last_in;	/* any media or STUN, either leg */
	time_t			 last_stun;	/* consent (RFC 7675) */
	int			 dead;		/* reported; waits for DELETE */
	uint64_t		 b_in, b_out, p_in, p_out, dropped;
};

int	msess_create(struct mworker *, uint64_t id, struct sbc_service *owner,
	    const struct media_params *, struct msess **);
void	msess_update(struct msess *, const struct media_params *);
void	msess_free(struct msess *);
/* A datagram the worker's ring read for socket `kind`. */
void	msess_ring_packet(struct msess *, unsigned kind, uint8_t *, size_t,
	    const struct sockaddr_storage *, socklen_t);
/* Did SRC pass a STUN check of this session (may it send media)? */
int	msess_browser_valid(const struct msess *,
	    const struct sockaddr_storage *src, socklen_t srclen);
/* Once a second: DTLS retransmissions, consent and media timeouts. */
void	msess_tick(struct msess *, time_t now);

#endif
