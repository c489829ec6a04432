/*
 * ws_conn.c: one browser connection on the WebSocket edge: ACL at accept,
 * TLS (wss), the RFC 6455 opening handshake with the Origin allow-list and
 * the "sip" subprotocol (RFC 7118), framing, ping/pong, the close
 * handshake, handshake deadline and idle timeout; a plain GET or HEAD
 * gets a file of the web root (signaling/http_static.h) when web.enabled.
 *
 * Owns: its bufferevent (and SSL), parser, deadline timer; it is in the
 * edge's flow table from accept to free.  Thread: "ws-edge".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

#include "policy/cidr.h"
#include "policy/policy.h"
#include "sbc/clock.h"
#include "sbc/service.h"
#include "sbc/stats.h"
#include "sbc/conf.h"
#include "sbc/log.h"
#include "signaling/http_static.h"
#include "signaling/ws_edge_int.h"
#include "signaling/ws_handshake.h"

static void conn_read_cb(struct bufferevent *, void *);
static void conn_event_cb(struct bufferevent *, short, void *);

static const struct sbc_config *
conn_cfg(const struct ws_conn *c)
{
	return c->edge->svc->cfg;
}

static struct sbc_log *
conn_log(const struct ws_conn *c)
{
	return c->edge->svc->ctx->log;
}

/* A counter of struct sbc_stats (absent in unit tests' contexts). */
#define CONN_STAT(e, field, op) do {					\
	if ((e)->svc->ctx->stats != NULL)				\
		op(&(e)->svc->ctx->stats->field, 1);			\
} while (0)

/* policy/: one event about this connection's source. */
static enum pol_verdict
conn_policy(struct ws_conn *c, enum pol_event ev)
{
	struct policy	*p = c->edge->svc->ctx->policy;

	if (p == NULL)
		return POL_ALLOW;
	return policy_check(p, (const struct sockaddr *)&c->info.peer, ev,
	    sbc_now_ms());
}

static int
acl_allows(const struct edge_listener *el, const struct sbc_config *cfg,
    const struct sockaddr *sa)
{
	const struct sbc_listener	*l;

	if (el->index >= cfg->nlisteners)
		return 1;
	l = &cfg->listeners[el->index];
	if (strcmp(l->name, el->name) != 0)
		return 1;
	if (sbc_cidr_match_any(l->deny.v, l->deny.n, sa))
		return 0;
	return l->allow.n == 0 || sbc_cidr_match_any(l->allow.v, l->allow.n,
	    sa);
}

void
ws_conn_free(struct ws_conn *c)
{
	struct edge_msg	*m;

	idmap_del(&c->edge->flows, c->info.flow);
	if (c->counted)
		conn_policy(c, PE_DISCONNECT);
	if (c->announced)
		CONN_STAT(c->edge, ws_connections, SBC_STAT_SUB);
	if (c->announced && !c->edge->stopping) {
		m = edge_msg_new(EDGE_EV_FLOW_CLOSED, c->info.flow, NULL, 0);
		edge_post(c->edge, m);
	}
	if (c->deadline != NULL)
		event_free(c->deadline);
	if (c->bev != NULL)
		bufferevent_free(c->bev);	/* closes fd, frees SSL */
	ws_parser_free(&c->parser);
	free(c);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn	*c = arg;

	log_info(conn_log(c), "flow %llu: handshake timeout",
	    (unsigned long long)c->info.flow);
	ws_conn_free(c);
}

static struct bufferevent *
make_bev(struct ws_conn *c, struct edge_listener *el, evutil_socket_t fd)
{
	struct event_base	*base = el->edge->loop.base;
	SSL			*ssl;

	struct bufferevent	*bev;

	if (!el->secure)
		return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if ((ssl = SSL_new(el->edge->ssl)) == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static int
conn_start(struct ws_conn *c, struct edge_listener *el, evutil_socket_t fd)
{
	const struct sbc_config	*cfg = conn_cfg(c);
	struct timeval		 hs = { cfg->signaling.ws_handshake_timeout, 0 };
	struct ws_limits	 lim;

	lim.max_frame = lim.max_message = cfg->signaling.max_ws_message;
	if (ws_parser_init(&c->parser, &lim) == -1)
		return -1;
	c->deadline = evtimer_new(el->edge->loop.base, deadline_cb, c);
	if (c->deadline == NULL || evtimer_add(c->deadline, &hs) == -1)
		return -1;
	if ((c->bev = make_bev(c, el, fd)) == NULL)
		return -1;
	bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    (size_t)cfg->signaling.max_ws_message * 2 + 16384);
	return bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
ws_conn_accept(struct edge_listener *el, evutil_socket_t fd,
    const struct sockaddr *sa, int socklen)
{
	struct edge	*e = el->edge;
	struct ws_conn	*c;

	if (!acl_allows(el, e->svc->cfg, sa)) {
		CONN_STAT(e, policy_drops, SBC_STAT_ADD);
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->edge = e;
	c->state = WSC_HANDSHAKE;
	c->info.flow = e->next_flow++;
	c->info.secure = el->secure;
	snprintf(c->info.listener, sizeof(c->info.listener), "%s", el->name);
	memcpy(&c->info.peer, sa, (size_t)socklen);
	c->info.peerlen = (socklen_t)socklen;
	if (conn_policy(c, PE_CONNECT) != POL_ALLOW) {	/* banned, flood */
		CONN_STAT(e, policy_drops, SBC_STAT_ADD);
		free(c);
		return -1;
	}
	c->counted = 1;
	c->info.locallen = sizeof(c->info.local);
	getsockname(fd, (struct sockaddr *)&c->info.local, &c->info.locallen);
	if (idmap_put(&e->flows, c->info.flow, c) == -1) {
		conn_policy(c, PE_DISCONNECT);
		free(c);
		return -1;
	}
	if (conn_start(c, el, fd) == -1) {
		if (c->bev == NULL)
			evutil_closesocket(fd);
		ws_conn_free(c);
		return 0;	/* fd is gone either way */
	}
	return 0;
}

/* Close once what is queued has been written. */
static void
close_after_flush(struct ws_conn *c)
{
	c->state = WSC_CLOSING;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		ws_conn_free(c);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct ws_conn	*c = arg;

	if (c->state == WSC_CLOSING)
		ws_conn_free(c);
}

int
ws_conn_send(struct ws_conn *c, int opcode, const void *data, size_t len)
{
	uint8_t	hdr[10];
	size_t	hlen;

	if (c->state != WSC_OPEN)
		return -1;
	if ((hlen = ws_frame_header(hdr, opcode, len)) == 0)
		return -1;
	if (bufferevent_write(c->bev, hdr, hlen) == -1 ||
	    (len > 0 && bufferevent_write(c->bev, data, len) == -1))
		return -1;
	return 0;
}

void
ws_conn_close(struct ws_conn *c, uint16_t code, const char *reason)
{
	uint8_t	payload[125];
	size_t	len;

	if (c->state == WSC_OPEN) {
		len = ws_close_payload(payload, code, reason);
		ws_conn_send(c, WS_OP_CLOSE, payload, len);
	}
	bufferevent_setcb(c->bev, NULL, write_cb, conn_event_cb, c);
	close_after_flush(c);
}

static void
reply_http_error(struct ws_conn *c, int status, const char *why)
{
	char	buf[512];
	int	n;

	log_info(conn_log(c), "flow %llu: handshake refused: %d %s",
	    (unsigned long long)c->info.flow, status, why);
	conn_policy(c, PE_MALFORMED);	/* repeated: a ban */
	if ((n = ws_hs_response_error(buf, sizeof(buf), status)) > 0)
		bufferevent_write(c->bev, buf, (size_t)n);
	bufferevent_setcb(c->bev, NULL, write_cb, conn_event_cb, c);
	close_after_flush(c);
}

static int
origin_allowed(const struct sbc_config *cfg, const struct ws_span *o)
{
	const struct sbc_strv	*al = &cfg->policy.allowed_origins;
	size_t			 i;

	if (o->p == NULL)	/* not a browser: no cross-site risk */
		return 1;
	for (i = 0; i < al->n; i++)
		if (strlen(al->v[i]) == o->len &&
		    strncasecmp(al->v[i], o->p, o->len) == 0)
			return 1;
	return 0;
}

static int
announce(struct ws_conn *c)
{
	struct edge_msg	*m;

	if ((m = edge_msg_new(EDGE_EV_FLOW_OPEN, c->info.flow, NULL, 0)) == NULL)
		return -1;
	m->info = c->info;
	c->announced = 1;
	CONN_STAT(c->edge, ws_connections, SBC_STAT_ADD);
	CONN_STAT(c->edge, ws_total, SBC_STAT_ADD);
	return edge_post(c->edge, m);
}

/* 1: open; 0: refused (c may be gone). */
static int
accept_upgrade(struct ws_conn *c, const struct ws_hs_request *req)
{
	const struct sbc_config	*cfg = conn_cfg(c);
	struct timeval		 idle = { cfg->signaling.ws_idle_timeout, 0 };
	char			 buf[512];
	int			 n = 0;
	const char		*why = NULL;
	int			 status = 0;

	if (!req->sip) {
		status = 400;
		why = "subprotocol 'sip' not offered";
	} else if (!origin_allowed(cfg, &req->origin)) {
		status = 403;
		why = "Origin not allowed";
	} else if (!ws_hs_host_allowed(&req->host,
	    (const char *const *)cfg->policy.allowed_hosts.v,
	    cfg->policy.allowed_hosts.n)) {
		status = 403;
		why = "Host not allowed";
	} else if ((n = ws_hs_response_101(buf, sizeof(buf), req)) < 0) {
		status = 500;
		why = "cannot build the 101 response";
	}
	if (why != NULL) {
		reply_http_error(c, status, why);
		return 0;
	}
	evbuffer_drain(bufferevent_get_input(c->bev), req->length);
	bufferevent_write(c->bev, buf, (size_t)n);
	evtimer_del(c->deadline);
	bufferevent_set_timeouts(c->bev, &idle, NULL);
	c->state = WSC_OPEN;
	log_debug(conn_log(c), "flow %llu: WebSocket open on '%s'",
	    (unsigned long long)c->info.flow, c->info.listener);
	if (announce(c) == -1) {
		ws_conn_close(c, WS_CLOSE_INTERNAL, "internal error");
		return 0;
	}
	return 1;
}

/* A response's body points into the snapshot's table: held until sent. */
static void
unref_cfg(const void *data, size_t len, void *arg)
{
	sbc_config_unref(arg);
}

static void
web_account(struct ws_conn *c, const struct ws_hs_request *req,
    const struct http_static_reply *r)
{
	int	quiet = r->status == 200 || r->status == 404;

	if (r->status == 200)
		CONN_STAT(c->edge, web_served, SBC_STAT_ADD);
	else
		CONN_STAT(c->edge, web_refused, SBC_STAT_ADD);
	if (!quiet)
		conn_policy(c, PE_MALFORMED);	/* repeated: a ban */
	sbc_logf(conn_log(c), quiet ? LOG_DEBUG : LOG_INFO,
	    "flow %llu: web %.*s %.*s: %d %s", (unsigned long long)c->info.flow,
	    (int)req->method.len, req->method.p, (int)(req->target.len > 200 ?
	    200 : req->target.len), req->target.p, r->status, r->why);
}

/*
 * web.enabled: a plain GET/HEAD (or a 405 method) is answered from the
 * snapshot's table only, then the connection closes once it is written
 * (ws_handshake_timeout without write progress ends it).
 */
static void
serve_web(struct ws_conn *c, const struct ws_hs_request *req)
{
	struct sbc_config	*cfg = c->edge->svc->cfg;
	const struct sbc_strv	*ah = &cfg->policy.allowed_hosts;
	struct http_static_ctx	 x = { c->info.secure, req->host.p,
				    req->host.len };
	struct timeval		 wt = { cfg->signaling.ws_handshake_timeout,
				    0 };
	struct http_static_reply r = { 0 };
	char			 head[2048];
	int			 n;

	r.status = req->status;		/* 405 from the parser, or 0 */
	r.why = req->error;
	if (r.status == 0)
		http_static_decide(cfg->web_files, req->method.p,
		    req->method.len, req->target.p, req->target.len, &r);
	if (r.status != 405 && !ws_hs_host_allowed(&req->host,
	    (const char *const *)ah->v, ah->n))
		r = (struct http_static_reply){ 403, NULL, r.head,
		    "Host not allowed" };
	if ((n = http_static_response(head, sizeof(head), &r, &x)) < 0) {
		reply_http_error(c, 500, "cannot build the web response");
		return;
	}
	web_account(c, req, &r);
	bufferevent_write(c->bev, head, (size_t)n);
	if (r.status == 200 && !r.head && r.file->len > 0 &&
	    evbuffer_add_reference(bufferevent_get_output(c->bev),
	    r.file->data, r.file->len, unref_cfg, sbc_config_ref(cfg)) == -1)
		sbc_config_unref(cfg);	/* cut short: the client sees it */
	evtimer_del(c->deadline);
	bufferevent_set_timeouts(c->bev, NULL, &wt);
	bufferevent_setcb(c->bev, NULL, write_cb, conn_event_cb, c);
	close_after_flush(c);
}

/* No upgrade: a file, or with web.enabled off 405 (HEAD) / 426 as ever. */
static void
plain_http(struct ws_conn *c, const struct ws_hs_request *req)
{
	if (conn_cfg(c)->web.enabled)
		serve_web(c, req);
	else if (req->head)
		reply_http_error(c, 405, "method not allowed");
	else
		reply_http_error(c, 426, "plain HTTP request");
}

static int
read_handshake(struct ws_conn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct ws_hs_request	 req;
	size_t			 len = evbuffer_get_length(in);
	const char		*p;

	if (len > WS_HS_DEFAULT_MAX_BYTES)
		len = WS_HS_DEFAULT_MAX_BYTES + 1;	/* enough for 431 */
	if ((p = (const char *)evbuffer_pullup(in, (ev_ssize_t)len)) == NULL)
		return -1;
	switch (ws_hs_parse(p, len, NULL, &req)) {
	case WS_HS_INCOMPLETE:
		return 0;
	case WS_HS_WEBSOCKET:
		return accept_upgrade(c, &req);
	case WS_HS_HTTP:
		plain_http(c, &req);
		return 0;
	case WS_HS_ERROR:
	default:
		if (req.status == 405 && conn_cfg(c)->web.enabled)
			serve_web(c, &req);	/* 405 with its Allow */
		else
			reply_http_error(c, req.status, req.error ? req.error :
			    "bad");
		return 0;
	}
}

static void
deliver(struct ws_conn *c, const struct ws_event *ev)
{
	struct edge_msg	*m;

	m = edge_msg_new(EDGE_EV_SIP, c->info.flow, ev->data, ev->len);
	if (edge_post(c->edge, m) == -1)
		log_warn(conn_log(c), "flow %llu: message dropped (no memory)",
		    (unsigned long long)c->info.flow);
}

/* Returns 0 to go on, -1 when the connection is closing. */
static int
on_event(struct ws_conn *c, const struct ws_event *ev)
{
	switch (ev->type) {
	case WS_EV_TEXT:
	case WS_EV_BINARY:
		deliver(c, ev);
		return 0;
	case WS_EV_PING:
		ws_conn_send(c, WS_OP_PONG, ev->data, ev->len);
		return 0;
	case WS_EV_PONG:
	case WS_EV_NEED_MORE:
		return 0;
	case WS_EV_CLOSE:
		ws_conn_close(c, ev->close_code, NULL);
		return -1;
	case WS_EV_ERROR:
	default:
		log_info(conn_log(c), "flow %llu: WebSocket error %u: %.*s",
		    (unsigned long long)c->info.flow, ev->close_code,
		    (int)ev->len, (const char *)ev->data);
		conn_policy(c, PE_MALFORMED);
		ws_conn_close(c, ev->close_code, "protocol error");
		return -1;
	}
}

static void
read_frames(struct ws_conn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_iovec	 v;
	struct ws_event		 ev;
	size_t			 used;

	while (c->state == WSC_OPEN && evbuffer_peek(in, -1, NULL, &v, 1) > 0) {
		used = ws_parse(&c->parser, v.iov_base, v.iov_len, &ev);
		if (on_event(c, &ev) == -1)
			return;		/* c may be gone */
		evbuffer_drain(in, used);	/* ev.data may point into it */
		if (used == 0 && ev.type == WS_EV_NEED_MORE)
			return;
	}
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct ws_conn	*c = arg;

	if (c->state == WSC_HANDSHAKE && read_handshake(c) <= 0)
		return;
	if (c->state == WSC_OPEN)
		read_frames(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ws_conn	*c = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_TIMEOUT)
		log_info(conn_log(c), "flow %llu: idle timeout",
		    (unsigned long long)c->info.flow);
	ws_conn_free(c);
}
