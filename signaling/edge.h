/*
 * edge.h: the WebSocket edge service (SIP over WS/WSS toward browsers) and
 * the messages it exchanges with the signaling service.
 *
 * The edge owns every browser connection ("flow"): TCP/TLS, the RFC 6455
 * handshake and framing, Origin and ACL checks, timeouts.  It knows nothing
 * of SIP: complete WebSocket messages go to signaling as EDGE_EV_SIP, and
 * signaling sends EDGE_CMD_SEND back to the same flow id (RFC 5626-style
 * flow routing: never by the .invalid hosts browsers put in Via/Contact).
 * Owns: flows, listeners, the WSS SSL_CTX.  Thread: "ws-edge" (libevent).
 */
#ifndef SBC_EDGE_H
#define SBC_EDGE_H

#include <stdint.h>
#include <sys/socket.h>

#include "sbc/queue.h"
#include "sbc/service.h"

enum edge_msg_type {
	EDGE_EV_FLOW_OPEN = SBC_MSG_FIRST_PRIVATE + 16,	/* edge → sig */
	EDGE_EV_SIP,					/* edge → sig */
	EDGE_EV_FLOW_CLOSED,				/* edge → sig */
	EDGE_CMD_SEND,					/* sig → edge */
	EDGE_CMD_CLOSE,					/* sig → edge */
	EDGE_CMD_TLS,					/* main → edge */
};

struct edge_flow_info {
	uint64_t		flow;
	struct sockaddr_storage	peer;
	socklen_t		peerlen;
	struct sockaddr_storage	local;
	socklen_t		locallen;
	int			secure;		/* wss */
	char			listener[32];
};

struct edge_msg {
	struct sbc_qmsg		hdr;
	struct edge_flow_info	info;	/* FLOW_OPEN; flow id in all types */
	size_t			len;
	char			data[];	/* EV_SIP, CMD_SEND: the message */
};

struct edge_msg *edge_msg_new(unsigned type, uint64_t flow,
	    const void *data, size_t len);

/*
 * The WSS listeners' TLS context: certificate chain and key from tf,
 * versions and ciphers from cfg.  NULL (logged) when they do not load.
 * Any thread: main builds a new one at reload (a renewed certificate) and
 * hands it over with edge_tls_msg_new(); new connections use it, open
 * ones keep theirs.
 */
struct ssl_ctx_st;
struct sbc_config;
struct sbc_tls_files;
struct sbc_log;

struct ssl_ctx_st *ws_edge_tls_ctx(const struct sbc_config *,
	    const struct sbc_tls_files *, struct sbc_log *);
/* EDGE_CMD_TLS owning ctx (freed with the message when not taken). */
struct sbc_qmsg *edge_tls_msg_new(struct ssl_ctx_st *ctx);

extern const struct sbc_service_ops edge_ops;

#endif
