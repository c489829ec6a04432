/*
 * evloop.h: the libevent loop shared by the WebSocket edge and the media
 * workers: an event_base plus a read event on the service's inbox eventfd
 * that dispatches messages through the service's handler table.
 * Owns: the event_base and the inbox event.  Thread: the owning service.
 */
#ifndef SBC_EVLOOP_H
#define SBC_EVLOOP_H

#include <stddef.h>

#include "sbc/service.h"

struct event_base;
struct event;

struct sbc_evloop {
	struct event_base		*base;
	struct event			*inbox_ev;
	struct sbc_service		*svc;
	const struct sbc_msg_handler	*tab;
	size_t				 ntab;
	void				(*after)(void *);	/* may be NULL */
	void				*after_arg;
};

int	sbc_evloop_init(struct sbc_evloop *, struct sbc_service *,
	    const struct sbc_msg_handler *, size_t);
/*
 * Run until stopped.  With after set, it is called once every loop
 * iteration, after all ready events ran: media workers flush the
 * datagrams they queued during the iteration in one sendmmsg().
 */
void	sbc_evloop_run(struct sbc_evloop *);
void	sbc_evloop_stop(struct sbc_evloop *);
void	sbc_evloop_free(struct sbc_evloop *);

#endif
