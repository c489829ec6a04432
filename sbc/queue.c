/*
 * queue.c: mutex-protected FIFO with an eventfd wake-up (see queue.h).
 *
 * Owns: pending messages until taken; frees the rest on destroy.
 * Thread: push from any thread, take and destroy from the owner.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sbc/conf.h"
#include "sbc/queue.h"

int
sbc_queue_init(struct sbc_queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->closed = 0;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd == -1)
		return -1;
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		close(q->efd);
		return -1;
	}
	return 0;
}

void
sbc_qmsg_free(struct sbc_qmsg *m)
{
	if (m->free != NULL)
		m->free(m);
	else
		free(m);
}

void
sbc_queue_destroy(struct sbc_queue *q)
{
	struct sbc_qmsg	*m;

	while ((m = sbc_queue_take(q)) != NULL)
		sbc_qmsg_free(m);
	pthread_mutex_destroy(&q->lock);
	close(q->efd);
	q->efd = -1;
}

int
sbc_queue_push(struct sbc_queue *q, struct sbc_qmsg *m)
{
	uint64_t	one = 1;
	int		wake;

	m->next = NULL;
	pthread_mutex_lock(&q->lock);
	wake = q->head == NULL;
	*q->tail = m;
	q->tail = &m->next;
	pthread_mutex_unlock(&q->lock);
	if (wake && write(q->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		return -1;
	return 0;
}

struct sbc_qmsg *
sbc_queue_take(struct sbc_queue *q)
{
	struct sbc_qmsg	*m;
	uint64_t	 n;

	pthread_mutex_lock(&q->lock);
	m = q->head;
	if (m != NULL) {
		q->head = m->next;
		if (q->head == NULL)
			q->tail = &q->head;
	}
	if (q->head == NULL)	/* drain the wake-up while holding the lock */
		(void)!read(q->efd, &n, sizeof(n));
	pthread_mutex_unlock(&q->lock);
	if (m != NULL)
		m->next = NULL;
	return m;
}

struct sbc_qmsg *
sbc_msg_stop_new(void)
{
	struct sbc_qmsg	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->type = SBC_MSG_STOP;
	return m;
}

static void
msg_config_free(struct sbc_qmsg *m)
{
	struct sbc_msg_config	*mc = (struct sbc_msg_config *)m;

	sbc_config_unref(mc->cfg);
	free(mc);
}

struct sbc_qmsg *
sbc_msg_config_new(struct sbc_config *cfg)
{
	struct sbc_msg_config	*mc;

	if ((mc = calloc(1, sizeof(*mc))) == NULL)
		return NULL;
	mc->hdr.type = SBC_MSG_CONFIG;
	mc->hdr.free = msg_config_free;
	mc->cfg = sbc_config_ref(cfg);
	return &mc->hdr;
}
