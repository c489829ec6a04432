/*
 * worker_int.h: a media worker's state, shared by worker.c (requests,
 * life cycle) and session.c (sockets and the packet path).
 * Thread: the worker's own.
 */
#ifndef SBC_MEDIA_WORKER_INT_H
#define SBC_MEDIA_WORKER_INT_H

#include "media/media.h"
#include "media/stun_lite.h"
#include "sbc/evloop.h"
#include "sbc/idmap.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define MW_BATCH	32		/* datagrams per recvmmsg() */
#define MW_SENDQ	64		/* datagrams per sendmmsg() */
#define MW_PKT		2048		/* bytes per datagram buffer */
#define MW_SHARED_BUF	(8 << 20)	/* shared port socket buffers */

struct msess;

struct mworker {
	struct sbc_service	*svc;
	struct sbc_evloop	 loop;
	struct event		*tick;
	struct idmap		 sessions;	/* id → struct msess */
	/* shared browser port (media.browser_port + worker index) */
	int			 shared_fd;	/* -1: per-stream ports */
	/* per-stream sockets on an io_uring (ring.h); NULL: epoll */
	struct mring		*ring;
	struct event		*ring_ev;	/* its eventfd, if it watches */
	time_t			 now;		/* of the ring's batch */
	struct event		*shared_ev;
	struct idmap		 by_ufrag;	/* hash(our ufrag) → msess */
	struct idmap		 by_addr;	/* hash(browser addr) → msess */
	struct stun_lite	 stun;
	struct dtls_identity	*dtls;
	struct media_stats	 stats;
	uint8_t			 buf[MW_BATCH][MW_PKT];	/* receive batch */
	uint8_t			 out[MW_PKT];		/* one reply */
	/* datagrams for the shared port, sent once per loop iteration */
	struct mmsghdr		 sq_msgs[MW_SENDQ];
	struct iovec		 sq_iov[MW_SENDQ];
	struct sockaddr_storage	 sq_to[MW_SENDQ];
	uint8_t			 sq_buf[MW_SENDQ][MW_PKT];
	unsigned		 sq_n;
};

uint64_t	mw_hash(const void *, size_t);
uint64_t	mw_addr_hash(const struct sockaddr_storage *, socklen_t);
/* session.c: the browser leg's packet entry, for the shared port too */
void		msess_browser_packet(struct msess *, uint8_t *, size_t,
		    const struct sockaddr_storage *, socklen_t);
int		mw_bind_udp(const char *addr, int port);

/* One recvmmsg() batch into the worker's buffers: count, or -1. */
struct mw_batch {
	struct mmsghdr		msgs[MW_BATCH];
	struct iovec		iov[MW_BATCH];
	struct sockaddr_storage	from[MW_BATCH];
};
int		mw_recv(struct mworker *, int fd, struct mw_batch *);
/* Queue a datagram for the shared port (flushed after the iteration). */
int		mw_queue(struct mworker *, const void *, size_t,
		    const struct sockaddr_storage *, socklen_t);
void		mw_flush(void *worker);
/* After each loop iteration: the shared port's batch, the ring's sends. */
void		mw_after(void *worker);

#endif
