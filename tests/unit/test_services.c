/*
 * test_services.c: the thread model: media workers started through the
 * start latch answer typed requests on their queues, swap configuration
 * snapshots, and stop on SBC_MSG_STOP; the queue keeps FIFO order across
 * threads and its eventfd wakes the owner.
 */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "media/media.h"
#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/queue.h"
#include "sbc/service.h"

#define NWORKERS	3

struct fixture {
	struct sbc_log		 log;
	struct sbc_latch	 latch;
	struct sbc_ctx		 ctx;
	struct sbc_config	*cfg;
	struct sbc_service	 workers[NWORKERS];
	struct sbc_service	*wp[NWORKERS];
	struct sbc_service	 inbox;		/* the test's own queue */
};

static struct sbc_qmsg *
wait_msg(struct sbc_service *s, int ms)
{
	struct pollfd	 pfd = { .fd = s->inbox.efd, .events = POLLIN };
	struct sbc_qmsg	*m;

	while ((m = sbc_queue_take(&s->inbox)) == NULL) {
		if (poll(&pfd, 1, ms) <= 0)
			return NULL;
	}
	return m;
}

static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct conf_errors	 err;
	char			 name[16];
	int			 i;

	assert_non_null(f);
	sbc_log_init(&f->log, SBC_LOG_STDERR, LOG_WARNING, LOG_DAEMON, "t");
	assert_int_equal(sbc_config_load_string(sbc_default_config, "d",
	    &f->cfg, &err), 0);
	sbc_latch_init(&f->latch, NWORKERS);
	f->ctx.log = &f->log;
	f->ctx.latch = &f->latch;
	f->ctx.media = f->wp;
	f->ctx.nmedia = NWORKERS;
	assert_int_equal(sbc_service_init(&f->inbox, "test", 0,
	    &media_worker_ops, &f->ctx, f->cfg), 0);
	for (i = 0; i < NWORKERS; i++) {
		f->wp[i] = &f->workers[i];
		snprintf(name, sizeof(name), "media-%d", i);
		assert_int_equal(sbc_service_init(&f->workers[i], name, i,
		    &media_worker_ops, &f->ctx, f->cfg), 0);
		assert_int_equal(sbc_service_start(&f->workers[i]), 0);
	}
	assert_int_equal(sbc_latch_wait_ready(&f->latch), 0);
	sbc_latch_release(&f->latch, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	for (i = 0; i < NWORKERS; i++) {
		if (f->workers[i].started)
			sbc_service_post(&f->workers[i], sbc_msg_stop_new());
		sbc_service_join(&f->workers[i]);
		sbc_service_destroy(&f->workers[i]);
	}
	sbc_service_destroy(&f->inbox);
	sbc_latch_destroy(&f->latch);
	sbc_config_unref(f->cfg);
	free(f);
	return 0;
}

static void
test_stats_round_trip(void **state)
{
	struct fixture		*f = *state;
	struct media_rsp	*rsp;
	int			 i, seen = 0;

	for (i = 0; i < NWORKERS; i++)
		assert_int_equal(sbc_service_post(&f->workers[i],
		    &media_req_new(MEDIA_REQ_STATS, 100 + i, &f->inbox)->hdr), 0);
	for (i = 0; i < NWORKERS; i++) {
		rsp = (struct media_rsp *)wait_msg(&f->inbox, 5000);
		assert_non_null(rsp);
		assert_int_equal(rsp->hdr.type, MEDIA_RSP_STATS);
		assert_int_equal(rsp->cookie, 100 + (uint64_t)rsp->worker);
		assert_int_equal(rsp->stats.sessions, 0);
		seen |= 1 << rsp->worker;
		sbc_qmsg_free(&rsp->hdr);
	}
	assert_int_equal(seen, (1 << NWORKERS) - 1);
}

static void
test_config_swap(void **state)
{
	struct fixture		*f = *state;
	struct sbc_config	*next;
	struct conf_errors	 err;
	struct sbc_qmsg		*m;

	assert_int_equal(sbc_config_load_string(sbc_default_config, "d2",
	    &next, &err), 0);
	sbc_service_post(&f->workers[0], sbc_msg_config_new(next));
	/* a request after the swap is answered after it: FIFO */
	sbc_service_post(&f->workers[0],
	    &media_req_new(MEDIA_REQ_STATS, 7, &f->inbox)->hdr);
	m = wait_msg(&f->inbox, 5000);
	assert_non_null(m);
	sbc_qmsg_free(m);
	sbc_service_post(&f->workers[0], sbc_msg_stop_new());
	sbc_service_join(&f->workers[0]);
	assert_ptr_equal(f->workers[0].cfg, next);
	assert_string_equal(f->workers[0].cfg->source, "d2");
	sbc_config_unref(next);		/* the worker holds its own ref */
}

static void
test_queue_order(void **state)
{
	struct sbc_queue	 q;
	struct sbc_qmsg		*m;
	unsigned		 i;

	assert_int_equal(sbc_queue_init(&q), 0);
	assert_null(sbc_queue_take(&q));
	for (i = 1; i <= 100; i++) {
		m = calloc(1, sizeof(*m));
		m->type = i;
		sbc_queue_push(&q, m);
	}
	for (i = 1; i <= 100; i++) {
		m = sbc_queue_take(&q);
		assert_non_null(m);
		assert_int_equal(m->type, i);
		free(m);
	}
	assert_null(sbc_queue_take(&q));
	sbc_queue_destroy(&q);
}

static void
test_setup_failure_aborts(void **state)
{
	struct fixture		*f = *state;
	struct sbc_latch	 latch;
	struct sbc_ctx		 ctx = f->ctx;
	struct sbc_service	 s;

	/* A latch that a main thread aborts: the worker never runs. */
	sbc_latch_init(&latch, 1);
	ctx.latch = &latch;
	assert_int_equal(sbc_service_init(&s, "media-x", 9, &media_worker_ops,
	    &ctx, f->cfg), 0);
	assert_int_equal(sbc_service_start(&s), 0);
	assert_int_equal(sbc_latch_wait_ready(&latch), 0);
	sbc_latch_release(&latch, -1);
	sbc_service_join(&s);	/* returns: the thread left without running */
	sbc_service_destroy(&s);
	sbc_latch_destroy(&latch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_swap, setup,
		    teardown),
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test_setup_teardown(test_setup_failure_aborts,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("services", tests, NULL, NULL);
}
