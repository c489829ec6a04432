/*
 * ws_edge_int.h: internals shared by ws_edge.c (service, listeners, TLS)
 * and ws_conn.c (one browser connection).
 * Thread: "ws-edge" only.
 */
#ifndef SBC_WS_EDGE_INT_H
#define SBC_WS_EDGE_INT_H

#include <openssl/ssl.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "sbc/evloop.h"
#include "sbc/idmap.h"
#include "signaling/edge.h"
#include "signaling/ws_frame.h"

struct edge;

struct edge_listener {
	struct edge		*edge;
	struct evconnlistener	*lev;
	char			 name[32];
	int			 secure;
	size_t			 index;		/* in the config's listeners */
};

struct edge {
	struct sbc_service	*svc;
	struct sbc_evloop	 loop;
	SSL_CTX			*ssl;
	struct edge_listener	*listeners;
	size_t			 nlisteners;
	struct idmap		 flows;		/* flow id → struct ws_conn */
	uint64_t		 next_flow;
	int			 stopping;
};

enum ws_conn_state {
	WSC_HANDSHAKE,
	WSC_OPEN,
	WSC_CLOSING,	/* flushing a close frame or error response */
};

struct ws_conn {
	struct edge		*edge;
	struct bufferevent	*bev;
	struct event		*deadline;	/* handshake timeout */
	struct edge_flow_info	 info;
	enum ws_conn_state	 state;
	struct ws_parser	 parser;
	int			 announced;	/* FLOW_OPEN sent to signaling */
	int			 counted;	/* a policy PE_CONNECT */
};

int	ws_conn_accept(struct edge_listener *, evutil_socket_t,
	    const struct sockaddr *, int socklen);
int	ws_conn_send(struct ws_conn *, int opcode, const void *, size_t);
void	ws_conn_close(struct ws_conn *, uint16_t code, const char *reason);
void	ws_conn_free(struct ws_conn *);
int	edge_post(struct edge *, struct edge_msg *);

#endif
