/*
 * service.c: service thread life cycle and the start latch (service.h).
 *
 * Owns: the thread, its queue, its reference to the initial snapshot.
 * Thread: main for init/start/join/destroy; service_main in the service.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/service.h"

void
sbc_latch_init(struct sbc_latch *l, int pending)
{
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->pending = pending;
	l->failed = 0;
	l->go = 0;
}

void
sbc_latch_destroy(struct sbc_latch *l)
{
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
}

static int
latch_report(struct sbc_latch *l, int ok)
{
	int	go;

	pthread_mutex_lock(&l->lock);
	l->pending--;
	if (!ok)
		l->failed++;
	pthread_cond_broadcast(&l->cond);
	while (l->go == 0)
		pthread_cond_wait(&l->cond, &l->lock);
	go = l->go;
	pthread_mutex_unlock(&l->lock);
	return go;
}

int
sbc_latch_wait_ready(struct sbc_latch *l)
{
	int	failed;

	pthread_mutex_lock(&l->lock);
	while (l->pending > 0)
		pthread_cond_wait(&l->cond, &l->lock);
	failed = l->failed;
	pthread_mutex_unlock(&l->lock);
	return failed ? -1 : 0;
}

void
sbc_latch_release(struct sbc_latch *l, int go)
{
	pthread_mutex_lock(&l->lock);
	l->go = go;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

static void *
service_main(void *arg)
{
	struct sbc_service	*s = arg;
	int			 ok;

	pthread_setname_np(pthread_self(), s->name);
	ok = s->ops->setup(s, s->cfg) == 0;
	if (!ok)
		log_err(s->ctx->log, "%s: setup failed", s->name);
	if (latch_report(s->ctx->latch, ok) == 1 && ok)
		s->ops->run(s);
	s->ops->teardown(s);	/* also after a partial setup */
	return NULL;
}

int
sbc_service_init(struct sbc_service *s, const char *name, int index,
    const struct sbc_service_ops *ops, const struct sbc_ctx *ctx,
    struct sbc_config *cfg)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->index = index;
	s->ops = ops;
	s->ctx = ctx;
	if (sbc_queue_init(&s->inbox) == -1)
		return -1;
	s->cfg = sbc_config_ref(cfg);
	return 0;
}

/* Services inherit main's signal mask: main blocks everything first. */
int
sbc_service_start(struct sbc_service *s)
{
	if (pthread_create(&s->tid, NULL, service_main, s) != 0)
		return -1;
	s->started = 1;
	return 0;
}

int
sbc_service_post(struct sbc_service *s, struct sbc_qmsg *m)
{
	if (m == NULL)
		return -1;
	return sbc_queue_push(&s->inbox, m);
}

void
sbc_service_join(struct sbc_service *s)
{
	if (s->started)
		pthread_join(s->tid, NULL);
	s->started = 0;
}

void
sbc_service_destroy(struct sbc_service *s)
{
	sbc_queue_destroy(&s->inbox);
	sbc_config_unref(s->cfg);
	s->cfg = NULL;
}

static void
take_config(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sbc_msg_config	*mc = (struct sbc_msg_config *)m;

	sbc_config_unref(s->cfg);
	s->cfg = mc->cfg;
	mc->cfg = sbc_config_ref(s->cfg);	/* the message drops its own */
}

void
sbc_service_drain(struct sbc_service *s, const struct sbc_msg_handler *tab,
    size_t n)
{
	struct sbc_qmsg	*m;
	size_t		 i;

	while ((m = sbc_queue_take(&s->inbox)) != NULL) {
		if (m->type == SBC_MSG_CONFIG)
			take_config(s, m);
		for (i = 0; i < n; i++) {
			if (tab[i].type == m->type) {
				tab[i].fn(s, m);
				break;
			}
		}
		if (i == n && m->type != SBC_MSG_CONFIG)
			log_warn(s->ctx->log, "%s: message type %u ignored",
			    s->name, m->type);
		sbc_qmsg_free(m);
	}
}
