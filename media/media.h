/*
 * media.h: the typed request/response interface between signaling and the
 * media workers.
 *
 * The signaling thread never touches media state.  It decides what it can
 * decide alone (ports from its port pool, our ICE credentials, the DTLS
 * role; the DTLS fingerprint is the process identity's) so it can write
 * SDP at once, and posts requests to the worker that owns the session
 * (worker = session id modulo the worker count).  Workers answer requests
 * that ask for data (stats) and report events (session failed, media
 * timeout) to the reply service.  Messages are plain structs so the same
 * interface can later cross a socket to a remote media node.
 * Owns: message definitions only.  Thread: requests built by signaling,
 * responses/events by workers; each is owned by its receiver once posted.
 */
#ifndef SBC_MEDIA_H
#define SBC_MEDIA_H

#include <stdint.h>
#include <sys/socket.h>

#include "sbc/queue.h"
#include "sbc/service.h"

enum media_msg_type {
	MEDIA_REQ_STATS = SBC_MSG_FIRST_PRIVATE,	/* signaling → worker */
	MEDIA_RSP_STATS,				/* worker → signaling */
	MEDIA_REQ_CREATE,				/* signaling → worker */
	MEDIA_REQ_UPDATE,				/* signaling → worker */
	MEDIA_REQ_DELETE,				/* signaling → worker */
	MEDIA_EV_FAILED,				/* worker → signaling */
	MEDIA_EV_TIMEOUT,				/* worker → signaling */
};

struct media_stats {
	uint64_t	sessions;
	uint64_t	packets_in;
	uint64_t	packets_out;
	uint64_t	packets_dropped;
	uint64_t	srtp_auth_failures;
	uint64_t	dtls_failures;
};

#define MEDIA_KEY_MAX	46	/* SRTP master key || salt, AES-256 + 14 */

/* What a worker needs to run one session (both legs of one stream). */
struct media_params {
	/* browser leg (webrtc profile) */
	char			b_addr[64];	/* our bind address */
	int			b_port;
	char			ice_ufrag[16];	/* ours */
	char			ice_pwd[48];
	char			remote_fingerprint[208];	/* "sha-256 .." */
	int			dtls_server;	/* our DTLS role */
	/* PBX leg (rtp profile) */
	char			p_addr[64];	/* our bind address */
	int			p_port;		/* RTP; RTCP on p_port + 1 */
	struct sockaddr_storage	p_remote;	/* from the PBX SDP */
	int			p_remote_set;
	int			p_rtcp_mux;
	/* PBX leg SDES-SRTP (RFC 4568): "" is plain RTP.  The keys are
	 * secret: the worker wipes them from its copy once libsrtp has
	 * them, and never logs them.  A new key_gen means new keys. */
	char			p_suite[32];	/* "AES_CM_128_HMAC_SHA1_80" */
	uint8_t			p_local_key[MEDIA_KEY_MAX];	/* we send */
	uint8_t			p_remote_key[MEDIA_KEY_MAX];	/* PBX sends */
	uint32_t		p_key_len;
	uint32_t		p_key_gen;
	int			timeout;	/* seconds without media */
};

struct media_req {
	struct sbc_qmsg		 hdr;
	uint64_t		 cookie;	/* session id; echoed back */
	struct sbc_service	*reply_to;
	struct media_params	 p;		/* CREATE, UPDATE */
};

struct media_rsp {
	struct sbc_qmsg		 hdr;
	uint64_t		 cookie;
	int			 worker;
	int			 status;	/* 0 ok, -1 failed */
	struct media_stats	 stats;		/* RSP_STATS */
	char			 why[64];	/* EV_FAILED, EV_TIMEOUT */
};

/* The service operations of a media worker (media/worker.c). */
extern const struct sbc_service_ops media_worker_ops;

struct media_req *media_req_new(unsigned type, uint64_t cookie,
	    struct sbc_service *reply_to);

#endif
