/*
 * ws_edge.c: the WebSocket edge service: binds the ws/wss listeners,
 * builds the WSS SSL_CTX (TLS 1.2+, modern ciphers) and takes the new one
 * main builds at a reload (EDGE_CMD_TLS), routes signaling's commands to
 * flows.  Connections themselves live in ws_conn.c.
 *
 * Owns: listeners, SSL_CTX, the flow table.  Thread: "ws-edge";
 * ws_edge_tls_ctx() and edge_tls_msg_new() also run in main or ctl.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/tlscert.h"
#include "signaling/ws_edge_int.h"

struct edge_msg *
edge_msg_new(unsigned type, uint64_t flow, const void *data, size_t len)
{
	struct edge_msg	*m;

	if ((m = calloc(1, sizeof(*m) + len + 1)) == NULL)
		return NULL;
	m->hdr.type = type;
	m->info.flow = flow;
	m->len = len;
	if (len > 0)
		memcpy(m->data, data, len);
	return m;
}

int
edge_post(struct edge *e, struct edge_msg *m)
{
	if (m == NULL)
		return -1;
	if (sbc_service_post(e->svc->ctx->signaling, &m->hdr) == -1) {
		free(m);
		return -1;
	}
	return 0;
}

static void
on_stop(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct edge	*e = s->priv;

	e->stopping = 1;
	sbc_evloop_stop(&e->loop);
}

static void
on_send(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct edge	*e = s->priv;
	struct edge_msg	*em = (struct edge_msg *)m;
	struct ws_conn	*c;

	if ((c = idmap_get(&e->flows, em->info.flow)) == NULL)
		return;		/* closed meanwhile: signaling hears of it */
	ws_conn_send(c, WS_OP_TEXT, em->data, em->len);
}

static void
on_close(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct edge	*e = s->priv;
	struct edge_msg	*em = (struct edge_msg *)m;
	struct ws_conn	*c;

	if ((c = idmap_get(&e->flows, em->info.flow)) != NULL)
		ws_conn_close(c, WS_CLOSE_NORMAL, "closed by the SBC");
}

struct edge_tls_msg {
	struct sbc_qmsg	 hdr;
	SSL_CTX		*ctx;
};

static void
tls_msg_free(struct sbc_qmsg *m)
{
	SSL_CTX_free(((struct edge_tls_msg *)m)->ctx);
	free(m);
}

struct sbc_qmsg *
edge_tls_msg_new(SSL_CTX *ctx)
{
	struct edge_tls_msg	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->hdr.type = EDGE_CMD_TLS;
	m->hdr.free = tls_msg_free;
	m->ctx = ctx;
	return &m->hdr;
}

/* A reload's new certificate: connections accepted from now on use it
 * (SSL_new takes a reference, so open ones keep the old context). */
static void
on_tls(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct edge		*e = s->priv;
	struct edge_tls_msg	*tm = (struct edge_tls_msg *)m;

	if (e->ssl == NULL)
		return;		/* no wss listener: nothing uses TLS here */
	SSL_CTX_free(e->ssl);
	e->ssl = tm->ctx;
	tm->ctx = NULL;
}

static const struct sbc_msg_handler edge_handlers[] = {
	{ SBC_MSG_STOP, on_stop },
	{ EDGE_CMD_SEND, on_send },
	{ EDGE_CMD_CLOSE, on_close },
	{ EDGE_CMD_TLS, on_tls },
};

static int
tls_version(const char *v)
{
	return strcmp(v, "1.3") == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

SSL_CTX *
ws_edge_tls_ctx(const struct sbc_config *cfg, const struct sbc_tls_files *tf,
    struct sbc_log *lg)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, tls_version(cfg->tls.min_version));
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	if (SSL_CTX_set_cipher_list(ctx, cfg->tls.ciphers) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, cfg->tls.ciphersuites) != 1) {
		log_err(lg, "tls: no usable cipher in ciphers/ciphersuites");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, tf->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, tf->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_err(lg, "tls: cannot load %s / %s", tf->cert, tf->key);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct edge_listener	*el = arg;

	if (el->edge->stopping || ws_conn_accept(el, fd, sa, socklen) == -1)
		evutil_closesocket(fd);
}

static int
sockaddr_of(const struct sbc_listener *l, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, l->address, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(l->port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, l->address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(l->port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static int
bind_listener(struct edge *e, const struct sbc_listener *l, size_t index)
{
	struct edge_listener	*el = &e->listeners[e->nlisteners];
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	if (sockaddr_of(l, &ss, &len) == -1)
		return -1;
	el->edge = e;
	el->index = index;
	el->secure = l->transport == SBC_TP_WSS;
	snprintf(el->name, sizeof(el->name), "%s", l->name);
	el->lev = evconnlistener_new_bind(e->loop.base, accept_cb, el,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    512, (struct sockaddr *)&ss, (int)len);
	if (el->lev == NULL) {
		log_err(e->svc->ctx->log, "listener '%s': cannot listen on "
		    "%s:%d: %s", l->name, l->address, l->port,
		    strerror(errno));
		return -1;
	}
	e->nlisteners++;
	log_info(e->svc->ctx->log, "listener '%s': SIP over %s on %s:%d",
	    l->name, el->secure ? "WSS" : "WS", l->address, l->port);
	return 0;
}

static int
bind_listeners(struct edge *e, const struct sbc_config *cfg)
{
	const struct sbc_listener	*l;
	size_t				 i;

	if ((e->listeners = calloc(cfg->nlisteners + 1,
	    sizeof(*e->listeners))) == NULL)
		return -1;
	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->transport != SBC_TP_WS && l->transport != SBC_TP_WSS)
			continue;
		if (l->transport == SBC_TP_WSS && e->ssl == NULL &&
		    (e->ssl = ws_edge_tls_ctx(cfg, e->svc->ctx->tls,
		    e->svc->ctx->log)) == NULL)
			return -1;
		if (bind_listener(e, l, i) == -1)
			return -1;
	}
	return 0;
}

static int
edge_setup(struct sbc_service *s, struct sbc_config *cfg)
{
	struct edge	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	s->priv = e;
	e->svc = s;
	e->next_flow = 1;
	if (idmap_init(&e->flows, 64) == -1 ||
	    sbc_evloop_init(&e->loop, s, edge_handlers,
	    sizeof(edge_handlers) / sizeof(edge_handlers[0])) == -1)
		return -1;
	return bind_listeners(e, cfg);
}

static void
edge_run(struct sbc_service *s)
{
	struct edge	*e = s->priv;

	sbc_evloop_run(&e->loop);
}

static void
free_flows(struct edge *e)
{
	size_t	i;

	for (i = 0; i < e->flows.cap; i++)
		if (e->flows.slots[i].id != 0)
			ws_conn_free(e->flows.slots[i].val);
}

static void
edge_teardown(struct sbc_service *s)
{
	struct edge	*e = s->priv;
	size_t		 i;

	if (e == NULL)
		return;
	while (e->flows.n > 0)
		free_flows(e);	/* ws_conn_free unlinks: rescan */
	for (i = 0; i < e->nlisteners; i++)
		evconnlistener_free(e->listeners[i].lev);
	free(e->listeners);
	idmap_free(&e->flows);
	if (e->ssl != NULL)
		SSL_CTX_free(e->ssl);
	sbc_evloop_free(&e->loop);
	free(e);
	s->priv = NULL;
}

const struct sbc_service_ops edge_ops = {
	.setup = edge_setup,
	.run = edge_run,
	.teardown = edge_teardown,
};
