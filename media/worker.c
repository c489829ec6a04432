/*
 * worker.c: a media worker: one libevent loop per core owning its sockets
 * and sessions; answers the typed requests of media.h.
 *
 * Owns: its event loop, its sessions and counters (no other thread reads
 * them: stats leave only as MEDIA_RSP_STATS messages).
 * Thread: its own worker thread ("media-N").
 */
#include "config.h"

#include <stdlib.h>

#include "media/media.h"
#include "sbc/conf.h"
#include "sbc/evloop.h"
#include "sbc/log.h"

struct worker {
	struct sbc_evloop	loop;
	struct media_stats	stats;
};

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
	struct worker	*w = s->priv;

	sbc_evloop_stop(&w->loop);
}

static void
on_stats(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct worker		*w = s->priv;
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
	rsp->stats = w->stats;
	if (sbc_service_post(req->reply_to, &rsp->hdr) == -1)
		free(rsp);
}

static const struct sbc_msg_handler worker_handlers[] = {
	{ SBC_MSG_STOP, on_stop },
	{ MEDIA_REQ_STATS, on_stats },
};

static int
worker_setup(struct sbc_service *s, struct sbc_config *cfg)
{
	struct worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	if (sbc_evloop_init(&w->loop, s, worker_handlers,
	    sizeof(worker_handlers) / sizeof(worker_handlers[0])) == -1) {
		free(w);
		return -1;
	}
	s->priv = w;
	return 0;
}

static void
worker_run(struct sbc_service *s)
{
	struct worker	*w = s->priv;

	log_debug(s->ctx->log, "%s: running", s->name);
	sbc_evloop_run(&w->loop);
}

static void
worker_teardown(struct sbc_service *s)
{
	struct worker	*w = s->priv;

	if (w == NULL)
		return;
	sbc_evloop_free(&w->loop);
	free(w);
	s->priv = NULL;
}

const struct sbc_service_ops media_worker_ops = {
	.setup = worker_setup,
	.run = worker_run,
	.teardown = worker_teardown,
};
