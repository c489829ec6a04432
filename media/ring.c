/*
 * ring.c: a media worker's io_uring as a batch of receives and sends
 * (see ring.h).  Slots hold each queued datagram (its buffer, address and
 * msghdr) until its completion.
 * Owns: the ring and its slots.  Thread: the owning worker.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <liburing.h>

#include "media/ring.h"

#define RING_ENTRIES	512		/* submission queue */
#define RING_SLOTS	1024		/* datagrams queued or in flight */
#define RING_PKT	2048		/* bytes per slot */
#define RING_ROUNDS	4		/* submit/deliver rounds per run */

enum slot_op { OP_RECV = 1, OP_SEND };

struct slot {
	uint8_t			buf[RING_PKT];
	size_t			len;
	uint64_t		tag;
	int			fd;
	int			op;		/* enum slot_op */
	int			forgotten;	/* its socket closed */
	socklen_t		addrlen;	/* send: 0 when connected */
	struct sockaddr_storage	addr;
	struct iovec		iov;
	struct msghdr		mh;
};

struct mring {
	struct io_uring		 ring;
	size_t			 trailer;
	struct slot		*slots;
	unsigned		*free;		/* stack of free slot numbers */
	unsigned		 nfree;
	unsigned		*queue;		/* queued, not submitted */
	unsigned		 nqueue;
	uint64_t		 refused;
};

int
mring_init(struct mring **out, size_t trailer)
{
	struct mring	*r;
	unsigned	 i;
	int		 rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->slots = calloc(RING_SLOTS, sizeof(*r->slots));
	r->free = calloc(RING_SLOTS, sizeof(*r->free));
	r->queue = calloc(RING_SLOTS, sizeof(*r->queue));
	if (r->slots == NULL || r->free == NULL || r->queue == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = io_uring_queue_init(RING_ENTRIES, &r->ring, 0)) != 0)
		goto fail;
	for (i = 0; i < RING_SLOTS; i++)
		r->free[r->nfree++] = RING_SLOTS - 1 - i;
	r->trailer = trailer;
	*out = r;
	return 0;
fail:
	free(r->slots);
	free(r->free);
	free(r->queue);
	free(r);
	errno = -rc;
	return -1;
}

void
mring_free(struct mring *r)
{
	if (r == NULL)
		return;
	io_uring_queue_exit(&r->ring);
	free(r->slots);
	free(r->free);
	free(r->queue);
	free(r);
}

static struct slot *
slot_get(struct mring *r, int fd, int op, uint64_t tag)
{
	struct slot	*s;
	unsigned	 i;

	if (r->nfree == 0)
		return NULL;
	i = r->free[--r->nfree];
	r->queue[r->nqueue++] = i;
	s = &r->slots[i];
	s->fd = fd;
	s->op = op;
	s->tag = tag;
	s->forgotten = 0;
	return s;
}

int
mring_recv(struct mring *r, int fd, uint64_t tag)
{
	return slot_get(r, fd, OP_RECV, tag) == NULL ? -1 : 0;
}

int
mring_send(struct mring *r, int fd, const void *buf, size_t len,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	struct slot	*s;

	if (len > RING_PKT || (s = slot_get(r, fd, OP_SEND, 0)) == NULL)
		return -1;
	memcpy(s->buf, buf, len);
	s->len = len;
	s->addrlen = to != NULL ? tolen : 0;
	if (to != NULL)
		memcpy(&s->addr, to, tolen);
	return 0;
}

void
mring_forget(struct mring *r, int fd)
{
	unsigned	i;

	for (i = 0; i < r->nqueue; i++)
		if (r->slots[r->queue[i]].fd == fd)
			r->slots[r->queue[i]].forgotten = 1;
}

static void
prep(struct mring *r, struct slot *s, struct io_uring_sqe *sqe)
{
	memset(&s->mh, 0, sizeof(s->mh));
	s->iov.iov_base = s->buf;
	s->mh.msg_iov = &s->iov;
	s->mh.msg_iovlen = 1;
	if (s->op == OP_RECV) {
		s->iov.iov_len = RING_PKT - r->trailer;
		s->mh.msg_name = &s->addr;
		s->mh.msg_namelen = sizeof(s->addr);
		io_uring_prep_recvmsg(sqe, s->fd, &s->mh, MSG_DONTWAIT);
	} else if (s->addrlen == 0)
		io_uring_prep_send(sqe, s->fd, s->buf, s->len, MSG_DONTWAIT);
	else {
		s->iov.iov_len = s->len;
		s->mh.msg_name = &s->addr;
		s->mh.msg_namelen = s->addrlen;
		io_uring_prep_sendmsg(sqe, s->fd, &s->mh, MSG_DONTWAIT);
	}
	io_uring_sqe_set_data(sqe, s);
}

/* Everything queued goes to the kernel (the queue is emptied first:
 * completions may queue more). */
static void
submit(struct mring *r)
{
	struct io_uring_sqe	*sqe;
	struct slot		*s;
	unsigned		 i;

	for (i = 0; i < r->nqueue; i++) {
		s = &r->slots[r->queue[i]];
		if (s->forgotten) {
			r->free[r->nfree++] = r->queue[i];
			continue;
		}
		if ((sqe = io_uring_get_sqe(&r->ring)) == NULL) {
			io_uring_submit(&r->ring);	/* full: room */
			sqe = io_uring_get_sqe(&r->ring);
		}
		prep(r, s, sqe);
	}
	r->nqueue = 0;
	io_uring_submit(&r->ring);
}

static socklen_t
addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static void
reap(struct mring *r, mring_packet_fn fn, void *arg)
{
	struct io_uring_cqe	*cqe;
	struct slot		*s;
	unsigned		 head, n = 0;

	if (io_uring_cq_has_overflow(&r->ring))
		io_uring_get_events(&r->ring);
	io_uring_for_each_cqe(&r->ring, head, cqe) {
		n++;
		s = io_uring_cqe_get_data(cqe);
		if (s->op == OP_SEND && cqe->res < 0)
			r->refused++;
		else if (s->op == OP_RECV && cqe->res > 0)
			fn(arg, s->tag, s->buf, (size_t)cqe->res, &s->addr,
			    addr_len(&s->addr));
		r->free[r->nfree++] = (unsigned)(s - r->slots);
	}
	io_uring_cq_advance(&r->ring, n);
}

uint64_t
mring_run(struct mring *r, mring_packet_fn fn, void *arg)
{
	uint64_t	refused;
	int		round;

	for (round = 0; round < RING_ROUNDS; round++) {
		if (r->nqueue > 0)
			submit(r);
		reap(r, fn, arg);
		if (r->nqueue == 0)
			break;
	}
	refused = r->refused;
	r->refused = 0;
	return refused;
}
