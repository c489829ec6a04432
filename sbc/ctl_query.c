/*
 * ctl_query.c: control commands forwarded to another service's thread and
 * the bounded wait for the answer (see ctl_query.h).
 *
 * Owns: each struct ctl_query until its last reference goes (the waiter's
 * and the message's; a target may add its own with ctl_query_hold).
 * Thread: ctl_forward in the ctl thread; ctl_query_done/hold/release and
 * the message's free hook in the target's thread.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "sbc/ctl_proto.h"
#include "sbc/ctl_query.h"
#include "sbc/service.h"

static void
query_free(struct ctl_query *q)
{
	int	i;

	if (q->argv != NULL)
		for (i = 0; i < q->argc; i++)
			free(q->argv[i]);
	free(q->argv);
	json_object_put(q->data);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static void
query_msg_free(struct sbc_qmsg *m)
{
	ctl_query_release((struct ctl_query *)m);
}

static int
init_sync(struct ctl_query *q)
{
	pthread_condattr_t	attr;
	int			rc = -1;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&q->cond, &attr) == 0) {
		if (pthread_mutex_init(&q->lock, NULL) == 0)
			rc = 0;
		else
			pthread_cond_destroy(&q->cond);
	}
	pthread_condattr_destroy(&attr);
	return rc;
}

static struct ctl_query *
query_new(const char *target, int argc, char **argv)
{
	struct ctl_query	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if (init_sync(q) == -1) {
		free(q);
		return NULL;
	}
	q->hdr.type = CTL_MSG_QUERY;
	q->hdr.free = query_msg_free;
	q->refs = 2;		/* the waiter's and the message's */
	q->waiting = 1;
	snprintf(q->target, sizeof(q->target), "%s", target);
	if ((q->argv = calloc(argc + 1, sizeof(*q->argv))) == NULL)
		goto fail;
	for (q->argc = 0; q->argc < argc; q->argc++)
		if ((q->argv[q->argc] = strdup(argv[q->argc])) == NULL)
			goto fail;
	return q;
fail:
	query_free(q);
	return NULL;
}

/* Called with q->lock held: the waiter learns status 1 and why. */
static void
finish(struct ctl_query *q, int status, const char *error)
{
	q->done = 1;
	q->status = status;
	snprintf(q->error, sizeof(q->error), "%s", error ? error : "failed");
	pthread_cond_broadcast(&q->cond);
}

void
ctl_query_release(struct ctl_query *q)
{
	char	why[64];
	int	last;

	pthread_mutex_lock(&q->lock);
	last = --q->refs == 0;
	/* Only the waiter holds it now: nobody is left to answer. */
	if (!last && q->refs == 1 && q->waiting && !q->done) {
		snprintf(why, sizeof(why), "no answer from %s", q->target);
		finish(q, CTL_FAILED, why);
	}
	pthread_mutex_unlock(&q->lock);
	if (last)
		query_free(q);
}

struct ctl_query *
ctl_query_hold(struct ctl_query *q)
{
	pthread_mutex_lock(&q->lock);
	q->refs++;
	pthread_mutex_unlock(&q->lock);
	return q;
}

void
ctl_query_done(struct ctl_query *q, int status, struct json_object *data,
    const char *error)
{
	pthread_mutex_lock(&q->lock);
	if (q->done || !q->waiting) {
		pthread_mutex_unlock(&q->lock);
		json_object_put(data);		/* too late: nobody reads it */
		return;
	}
	if (status != CTL_OK && status != CTL_BAD_REQUEST)
		status = CTL_FAILED;
	q->data = data;
	finish(q, status, status == CTL_OK ? "" : error);
	pthread_mutex_unlock(&q->lock);
}

static void
deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
ctl_forward(struct sbc_service *target, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen, int timeout_ms)
{
	return ctl_forward_from(target, NULL, 0, argc, argv, data, err,
	    errlen, timeout_ms);
}

int
ctl_forward_from(struct sbc_service *target, struct sbc_service *origin,
    uint64_t client, int argc, char **argv, struct json_object **data,
    char *err, size_t errlen, int timeout_ms)
{
	struct ctl_query	*q;
	struct timespec		 ts;
	int			 status = CTL_FAILED;

	*data = NULL;
	if ((q = query_new(target->name, argc, argv)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CTL_FAILED;
	}
	q->origin = origin;
	q->client = client;
	deadline(&ts, timeout_ms);
	/* -1 only when the wake-up failed: the message is queued anyway. */
	(void)sbc_service_post(target, &q->hdr);
	pthread_mutex_lock(&q->lock);
	while (!q->done)
		if (pthread_cond_timedwait(&q->cond, &q->lock, &ts) != 0)
			break;		/* ETIMEDOUT */
	q->waiting = 0;
	if (q->done && q->status == CTL_OK) {
		*data = q->data;
		q->data = NULL;
		status = CTL_OK;
	} else if (q->done) {
		status = q->status;
		snprintf(err, errlen, "%s", q->error);
	} else
		snprintf(err, errlen, "no answer from %s", q->target);
	pthread_mutex_unlock(&q->lock);
	ctl_query_release(q);
	return status;
}
