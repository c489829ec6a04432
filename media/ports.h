/*
 * ports.h: the media port pool.  Owned by the signaling thread, which
 * chooses ports when it writes SDP; the worker that runs the session binds
 * them.  Ports are handed out round-robin in even pairs (RTP, RTCP), so a
 * port just released is the last to come back (time for the worker to
 * close it).  Pure.  Thread: "signaling", tests.
 */
#ifndef SBC_MEDIA_PORTS_H
#define SBC_MEDIA_PORTS_H

#include <stdint.h>

struct port_pool {
	int	 min;		/* even */
	int	 npairs;
	int	 next;		/* pair index to try first */
	int	 used;
	uint8_t	*busy;		/* one byte per pair */
};

int	port_pool_init(struct port_pool *, int min, int max);
void	port_pool_free(struct port_pool *);
int	port_pool_get(struct port_pool *);	/* even port, or -1 */
void	port_pool_put(struct port_pool *, int port);

#endif
