/*
 * evloop.c: libevent loop with an inbox (see evloop.h).
 *
 * Owns: event_base, inbox event.  Thread: the owning service only.
 */
#include "config.h"

#include <event2/event.h>

#include "sbc/evloop.h"

static void
inbox_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sbc_evloop	*el = arg;

	sbc_service_drain(el->svc, el->tab, el->ntab);
}

int
sbc_evloop_init(struct sbc_evloop *el, struct sbc_service *svc,
    const struct sbc_msg_handler *tab, size_t ntab)
{
	el->svc = svc;
	el->tab = tab;
	el->ntab = ntab;
	el->inbox_ev = NULL;
	el->after = NULL;
	el->after_arg = NULL;
	if ((el->base = event_base_new()) == NULL)
		return -1;
	el->inbox_ev = event_new(el->base, svc->inbox.efd, EV_READ | EV_PERSIST,
	    inbox_cb, el);
	if (el->inbox_ev == NULL || event_add(el->inbox_ev, NULL) == -1) {
		sbc_evloop_free(el);
		return -1;
	}
	return 0;
}

void
sbc_evloop_run(struct sbc_evloop *el)
{
	if (el->after == NULL) {
		event_base_dispatch(el->base);
		return;
	}
	while (!event_base_got_exit(el->base) &&
	    !event_base_got_break(el->base) &&
	    event_base_loop(el->base, EVLOOP_ONCE) == 0)
		el->after(el->after_arg);
}

void
sbc_evloop_stop(struct sbc_evloop *el)
{
	event_base_loopexit(el->base, NULL);
}

void
sbc_evloop_free(struct sbc_evloop *el)
{
	if (el->inbox_ev != NULL)
		event_free(el->inbox_ev);
	if (el->base != NULL)
		event_base_free(el->base);
	el->inbox_ev = NULL;
	el->base = NULL;
}
