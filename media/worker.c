/*
 * worker.c: a media worker: one libevent loop per core owning its sockets
 * and sessions; carries out the typed requests of media.h (create, update,
 * delete a session; stats) and ticks once a second for DTLS
 * retransmissions and timeouts.
 *
 * Owns: its event loop, its sessions and counters (no other thread reads
 * them: stats leave only as MEDIA_RSP_STATS messages).
 * Thread: its own worker thread ("media-N").
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "media/session.h"
#include "media/worker_int.h"
#include "sbc/conf.h"
#include "sbc/log.h"

struct media_req *
media_req_new(unsigned type, uint64_t cookie, struct sbc_service *reply_to)
{
	struct media_req	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->hdr.type = type;
	r->cookie = cookie;
	r->reply_to = reply_to;
	return r;
}

static void
on_stop(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker	*w = s->priv;

	sbc_evloop_stop(&w->loop);
}

static void
sum_stats(struct mworker *w, struct media_stats *st)
{
	struct msess	*ms;
	size_t		 i;

	*st = w->stats;
	st->sessions = w->sessions.n;
	for (i = 0; i < w->sessions.cap; i++) {
		if (w->sessions.slots[i].id == 0)
			continue;
		ms = w->sessions.slots[i].val;
		st->packets_in += ms->b_in + ms->p_in;
		st->packets_out += ms->b_out + ms->p_out;
		st->packets_dropped += ms->dropped;
	}
}

static void
on_stats(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct media_rsp	*rsp;

	if (req->reply_to == NULL)
		return;
	if ((rsp = calloc(1, sizeof(*rsp))) == NULL) {
		log_err(s->ctx->log, "%s: out of memory", s->name);
		return;
	}
	rsp->hdr.type = MEDIA_RSP_STATS;
	rsp->cookie = req->cookie;
	rsp->worker = s->index;
	sum_stats(w, &rsp->stats);
	if (sbc_service_post(req->reply_to, &rsp->hdr) == -1)
		free(rsp);
}

static void
fail_event(struct sbc_service *s, const struct media_req *req,
    const char *why)
{
	struct media_rsp	*ev;

	log_warn(s->ctx->log, "%s: session %llu: %s", s->name,
	    (unsigned long long)req->cookie, why);
	if (req->reply_to == NULL || (ev = calloc(1, sizeof(*ev))) == NULL)
		return;
	ev->hdr.type = MEDIA_EV_FAILED;
	ev->cookie = req->cookie;
	ev->worker = s->index;
	ev->status = -1;
	snprintf(ev->why, sizeof(ev->why), "%s", why);
	if (sbc_service_post(req->reply_to, &ev->hdr) == -1)
		free(ev);
}

static void
on_create(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct msess		*ms = NULL;

	if (idmap_get(&w->sessions, req->cookie) != NULL) {
		fail_event(s, req, "session exists");
		return;
	}
	if (msess_create(w, req->cookie, req->reply_to, &req->p, &ms) == -1 ||
	    idmap_put(&w->sessions, req->cookie, ms) == -1) {
		if (ms != NULL)
			msess_free(ms);
		fail_event(s, req, "cannot open media ports");
		return;
	}
	log_debug(s->ctx->log, "%s: session %llu: browser %s:%d, PBX %s:%d",
	    s->name, (unsigned long long)req->cookie, req->p.b_addr,
	    req->p.b_port, req->p.p_addr, req->p.p_port);
}

static void
on_update(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct msess		*ms;

	if ((ms = idmap_get(&w->sessions, req->cookie)) != NULL)
		msess_update(ms, &req->p);
}

static void
on_delete(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct msess		*ms;

	if ((ms = idmap_del(&w->sessions, req->cookie)) == NULL)
		return;
	log_info(s->ctx->log, "%s: session %llu closed: browser in %llu "
	    "out %llu, PBX in %llu out %llu, dropped %llu, dtls %s, srtp %s",
	    s->name, (unsigned long long)ms->id,
	    (unsigned long long)ms->b_in, (unsigned long long)ms->b_out,
	    (unsigned long long)ms->p_in, (unsigned long long)ms->p_out,
	    (unsigned long long)ms->dropped,
	    ms->dtls.state == DTLS_CONNECTED ? "up" : "down",
	    ms->srtp_up ? "up" : "down");
	msess_free(ms);
}

static const struct sbc_msg_handler worker_handlers[] = {
	{ SBC_MSG_STOP, on_stop },
	{ MEDIA_REQ_STATS, on_stats },
	{ MEDIA_REQ_CREATE, on_create },
	{ MEDIA_REQ_UPDATE, on_update },
	{ MEDIA_REQ_DELETE, on_delete },
};

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mworker	*w = arg;
	time_t		 now = time(NULL);
	size_t		 i;

	for (i = 0; i < w->sessions.cap; i++)
		if (w->sessions.slots[i].id != 0)
			msess_tick(w->sessions.slots[i].val, now);
}

static int
worker_setup(struct sbc_service *s, struct sbc_config *cfg)
{
	struct mworker	*w;
	struct timeval	 sec = { 1, 0 };

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	s->priv = w;
	w->svc = s;
	w->dtls = s->ctx->dtls;
	stun_lite_init(&w->stun);
	if (idmap_init(&w->sessions, 256) == -1 ||
	    sbc_evloop_init(&w->loop, s, worker_handlers,
	    sizeof(worker_handlers) / sizeof(worker_handlers[0])) == -1)
		return -1;
	w->tick = event_new(w->loop.base, -1, EV_PERSIST, tick_cb, w);
	if (w->tick == NULL || event_add(w->tick, &sec) == -1)
		return -1;
	return 0;
}

static void
worker_run(struct sbc_service *s)
{
	struct mworker	*w = s->priv;

	log_debug(s->ctx->log, "%s: running", s->name);
	sbc_evloop_run(&w->loop);
}

static void
worker_teardown(struct sbc_service *s)
{
	struct mworker	*w = s->priv;
	size_t		 i;

	if (w == NULL)
		return;
	for (i = 0; i < w->sessions.cap; i++)
		if (w->sessions.slots[i].id != 0)
			msess_free(w->sessions.slots[i].val);
	idmap_free(&w->sessions);
	if (w->tick != NULL)
		event_free(w->tick);
	sbc_evloop_free(&w->loop);
	free(w);
	s->priv = NULL;
}

const struct sbc_service_ops media_worker_ops = {
	.setup = worker_setup,
	.run = worker_run,
	.teardown = worker_teardown,
};
