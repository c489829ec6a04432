/*
 * ring.c: a media worker's io_uring (see ring.h).  Watched sockets have
 * a multishot receive armed, reading into a ring of provided buffers;
 * slots hold each queued one-shot operation (its buffer, address and
 * msghdr) until its completion.
 * Owns: the ring, its slots, its provided buffers and its file table.
 * Thread: the owning worker.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <liburing.h>

#include "media/ring.h"

#define RING_ENTRIES	512		/* submission queue */
#define RING_CQ		4096		/* completion queue */
#define RING_SLOTS	1024		/* one-shot operations queued */
#define RING_PKT	2048		/* bytes per slot and per buffer */
#define RING_ROUNDS	16		/* submit/deliver rounds per run */
#define RING_FIXED_MAX	65536		/* registered files (by fd number) */
#define RING_BUFS	1024		/* provided buffers (a power of 2) */
#define RING_BGID	0		/* their group */

/* user_data: a slot's address, a watched socket's (fd, generation), or
 * 0 for a cancellation. */
#define UD_WATCH	(1ULL << 63)
#define UD_FD(ud)	((int)(((ud) >> 32) & 0x7fffffff))

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

struct watch {
	uint64_t		tag;
	uint32_t		gen;		/* bumped when forgotten */
	uint8_t			on;
};

struct mring {
	struct io_uring		 ring;
	size_t			 trailer;
	int			 deferred;	/* DEFER_TASKRUN ring */
	struct slot		*slots;
	unsigned		*free;		/* stack of free slot numbers */
	unsigned		 nfree;
	unsigned		*queue;		/* queued, not submitted */
	unsigned		 nqueue;
	uint64_t		 dropped;	/* refused sends, bad receives */
	uint8_t			*fixed;		/* fd is in the file table */
	unsigned		 nfixed;	/* its size, 0: none */
	/* watching: efd -1 when the kernel cannot */
	int			 efd;
	struct watch		*watch;		/* by fd, nfixed of them */
	struct io_uring_buf_ring *br;
	uint8_t			*bufs;		/* RING_BUFS of RING_PKT */
	unsigned		 recycled;	/* added, not yet published */
	struct msghdr		 wmh;		/* multishot template */
};

static void watch_fini(struct mring *);

/*
 * Preferred: one thread submits (SINGLE_ISSUER) and the kernel's work for
 * armed receives waits until we ask for completions (DEFER_TASKRUN), so
 * datagrams are read in a batch and never interrupt the worker; an
 * operation refused at submission does not hold back the rest of the
 * batch (SUBMIT_ALL).  Older kernels get a plain ring and no watching.
 */
static int
ring_open(struct mring *r)
{
	struct io_uring_params	p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
	    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
	p.cq_entries = RING_CQ;
	if (io_uring_queue_init_params(RING_ENTRIES, &r->ring, &p) == 0) {
		r->deferred = 1;
		return 0;
	}
	return io_uring_queue_init(RING_ENTRIES, &r->ring, 0);
}

/*
 * A sparse file table indexed by fd number: an operation on a registered
 * socket skips the kernel's per-operation file lookup and reference.  A
 * socket enters it on its first operation and leaves it in
 * mring_forget(); where the table cannot be had, every operation takes
 * the plain path.
 */
static void
fixed_init(struct mring *r)
{
	struct rlimit	rl;
	unsigned	n = RING_FIXED_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n)
		n = (unsigned)rl.rlim_cur;
	if ((r->fixed = calloc(n, 1)) == NULL)
		return;
	if (io_uring_register_files_sparse(&r->ring, n) != 0) {
		free(r->fixed);
		r->fixed = NULL;
		return;
	}
	r->nfixed = n;
}

/* 1: fd is (now) in the file table. */
static int
fixed_fd(struct mring *r, int fd)
{
	if (fd < 0 || (unsigned)fd >= r->nfixed)
		return 0;
	if (r->fixed[fd])
		return 1;
	if (io_uring_register_files_update(&r->ring, (unsigned)fd, &fd, 1) != 1)
		return 0;
	r->fixed[fd] = 1;
	return 1;
}

static void
recycle(struct mring *r, unsigned bid)
{
	io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * RING_PKT,
	    RING_PKT, (unsigned short)bid, io_uring_buf_ring_mask(RING_BUFS),
	    (int)r->recycled++);
}

static void
publish(struct mring *r)
{
	if (r->recycled > 0)
		io_uring_buf_ring_advance(r->br, (int)r->recycled);
	r->recycled = 0;
}

/* The provided buffers of the watched sockets' receives. */
static int
bufs_init(struct mring *r)
{
	struct io_uring_buf_reg	reg;
	unsigned		i;

	if (posix_memalign((void **)&r->br, 4096,
	    RING_BUFS * sizeof(struct io_uring_buf)) != 0) {
		r->br = NULL;
		return -1;
	}
	if ((r->bufs = malloc((size_t)RING_BUFS * RING_PKT)) == NULL)
		return -1;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)(uintptr_t)r->br;
	reg.ring_entries = RING_BUFS;
	reg.bgid = RING_BGID;
	if (io_uring_register_buf_ring(&r->ring, &reg, 0) != 0)
		return -1;
	io_uring_buf_ring_init(r->br);
	for (i = 0; i < RING_BUFS; i++)
		recycle(r, i);
	publish(r);
	return 0;
}

/*
 * Watching needs the deferred ring, the file table, the buffers and an
 * eventfd the kernel signals when a watched socket has work for us.
 */
static void
watch_init(struct mring *r)
{
	r->efd = -1;
	if (!r->deferred || r->nfixed == 0)
		return;
	if ((r->watch = calloc(r->nfixed, sizeof(*r->watch))) == NULL ||
	    bufs_init(r) == -1 ||
	    (r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    io_uring_register_eventfd(&r->ring, r->efd) != 0) {
		watch_fini(r);
		return;
	}
	r->wmh.msg_namelen = sizeof(struct sockaddr_in6);
}

static void
watch_fini(struct mring *r)
{
	if (r->efd != -1)
		close(r->efd);
	r->efd = -1;
	free(r->watch);
	free(r->br);
	free(r->bufs);
	r->watch = NULL;
	r->br = NULL;
	r->bufs = NULL;
}

int
mring_init(struct mring **out, size_t trailer)
{
	struct mring	*r;
	unsigned	 i;
	int		 rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->efd = -1;
	r->slots = calloc(RING_SLOTS, sizeof(*r->slots));
	r->free = calloc(RING_SLOTS, sizeof(*r->free));
	r->queue = calloc(RING_SLOTS, sizeof(*r->queue));
	if (r->slots == NULL || r->free == NULL || r->queue == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = ring_open(r)) != 0)
		goto fail;
	fixed_init(r);
	watch_init(r);
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
	watch_fini(r);
	free(r->fixed);
	free(r->slots);
	free(r->free);
	free(r->queue);
	free(r);
}

int
mring_watch_fd(const struct mring *r)
{
	return r->efd;
}

static struct io_uring_sqe *
sqe_get(struct mring *r)
{
	struct io_uring_sqe	*sqe;

	if ((sqe = io_uring_get_sqe(&r->ring)) == NULL) {
		io_uring_submit(&r->ring);	/* full: room */
		sqe = io_uring_get_sqe(&r->ring);
	}
	return sqe;
}

/* Arm fd's multishot receive (submitted with the next batch). */
static void
arm(struct mring *r, int fd)
{
	struct io_uring_sqe	*sqe = sqe_get(r);

	if (sqe == NULL)
		return;
	io_uring_prep_recvmsg_multishot(sqe, fd, &r->wmh, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = RING_BGID;
	io_uring_sqe_set_data64(sqe, UD_WATCH | (uint64_t)fd << 32 |
	    r->watch[fd].gen);
}

int
mring_watch(struct mring *r, int fd, uint64_t tag)
{
	if (r->efd == -1 || !fixed_fd(r, fd))
		return -1;
	r->watch[fd].tag = tag;
	r->watch[fd].on = 1;
	arm(r, fd);
	return 0;
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

/* A watched socket's receive is cancelled at once, its completions
 * ignored by generation. */
static void
unwatch(struct mring *r, int fd)
{
	struct io_uring_sqe	*sqe;

	r->watch[fd].on = 0;
	r->watch[fd].gen++;
	if ((sqe = sqe_get(r)) == NULL)
		return;
	io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL |
	    IORING_ASYNC_CANCEL_FD_FIXED);
	io_uring_sqe_set_data64(sqe, 0);
	io_uring_submit_and_get_events(&r->ring);
}

/* The table holds its own reference: a socket left in it would stay
 * open (and its port bound) after close(). */
void
mring_forget(struct mring *r, int fd)
{
	unsigned	i;
	int		none = -1;

	for (i = 0; i < r->nqueue; i++)
		if (r->slots[r->queue[i]].fd == fd)
			r->slots[r->queue[i]].forgotten = 1;
	if (fd < 0 || (unsigned)fd >= r->nfixed || !r->fixed[fd])
		return;
	if (r->watch != NULL && r->watch[fd].on)
		unwatch(r, fd);
	io_uring_register_files_update(&r->ring, (unsigned)fd, &none, 1);
	r->fixed[fd] = 0;
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
	if (fixed_fd(r, s->fd))
		io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	io_uring_sqe_set_data(sqe, s);
}

/* Everything queued goes to the kernel (the queue is emptied first:
 * completions may queue more); on a deferred ring the same call runs
 * the watched sockets' receives. */
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
		if ((sqe = sqe_get(r)) != NULL)
			prep(r, s, sqe);
		else
			r->free[r->nfree++] = r->queue[i];
	}
	r->nqueue = 0;
	if (r->efd != -1)
		io_uring_submit_and_get_events(&r->ring);
	else
		io_uring_submit(&r->ring);
}

static socklen_t
addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/*
 * A watched socket's datagram in buffer bid: handed over with its
 * source, if it was whole and leaves room for the trailer.
 */
static void
deliver(struct mring *r, unsigned bid, int res, uint64_t tag,
    mring_packet_fn fn, void *arg)
{
	uint8_t				*buf = r->bufs + (size_t)bid * RING_PKT;
	struct io_uring_recvmsg_out	*out;
	struct sockaddr_storage		 src;
	uint8_t				*pkt;
	size_t				 len;

	out = io_uring_recvmsg_validate(buf, res, &r->wmh);
	if (out == NULL || (out->flags & MSG_TRUNC) ||
	    out->namelen > sizeof(struct sockaddr_in6)) {
		r->dropped++;
		return;
	}
	pkt = io_uring_recvmsg_payload(out, &r->wmh);
	len = io_uring_recvmsg_payload_length(out, res, &r->wmh);
	if (pkt + len + r->trailer > buf + RING_PKT) {
		r->dropped++;
		return;
	}
	memcpy(&src, io_uring_recvmsg_name(out), out->namelen);
	fn(arg, tag, pkt, len, &src, out->namelen);
}

/* A watched socket's completion; its receive is armed again when it
 * ended (out of buffers, a socket error such as ICMP's refusal). */
static void
reap_watch(struct mring *r, const struct io_uring_cqe *cqe,
    mring_packet_fn fn, void *arg)
{
	uint64_t	 ud = io_uring_cqe_get_data64(cqe);
	int		 fd = UD_FD(ud);
	struct watch	*w = (unsigned)fd < r->nfixed ? &r->watch[fd] : NULL;
	int		 live = w != NULL && w->on && w->gen == (uint32_t)ud;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		if (live && cqe->res > 0)
			deliver(r, cqe->flags >> IORING_CQE_BUFFER_SHIFT,
			    cqe->res, w->tag, fn, arg);
		recycle(r, cqe->flags >> IORING_CQE_BUFFER_SHIFT);
	}
	if (live && !(cqe->flags & IORING_CQE_F_MORE) &&
	    cqe->res != -EINVAL && cqe->res != -EBADF)
		arm(r, fd);
}

static void
reap_slot(struct mring *r, const struct io_uring_cqe *cqe,
    mring_packet_fn fn, void *arg)
{
	struct slot	*s = io_uring_cqe_get_data(cqe);

	if (s->op == OP_SEND && cqe->res < 0)
		r->dropped++;
	else if (s->op == OP_RECV && cqe->res > 0)
		fn(arg, s->tag, s->buf, (size_t)cqe->res, &s->addr,
		    addr_len(&s->addr));
	r->free[r->nfree++] = (unsigned)(s - r->slots);
}

/* Hands over what completed; returns how many came from watched
 * sockets (more of their receives may be waiting in the kernel). */
static unsigned
reap(struct mring *r, mring_packet_fn fn, void *arg)
{
	struct io_uring_cqe	*cqe;
	unsigned		 head, n = 0, watched = 0;
	uint64_t		 ud;

	if (io_uring_cq_has_overflow(&r->ring))
		io_uring_get_events(&r->ring);
	io_uring_for_each_cqe(&r->ring, head, cqe) {
		n++;
		ud = io_uring_cqe_get_data64(cqe);
		if (ud & UD_WATCH) {
			watched++;
			reap_watch(r, cqe, fn, arg);
		} else if (ud != 0)
			reap_slot(r, cqe, fn, arg);
	}
	io_uring_cq_advance(&r->ring, n);
	if (r->watch != NULL)
		publish(r);
	return watched;
}

/*
 * Rounds of submit (which also runs the watched sockets' receives) and
 * deliver, while a round brings more to do: sends the callbacks queued,
 * or watched receives (the kernel runs a bounded number of them per
 * call).  A run that hits the bound signals the eventfd, so the loop
 * comes back at once.
 */
uint64_t
mring_run(struct mring *r, mring_packet_fn fn, void *arg)
{
	uint64_t	dropped, one = 1;
	unsigned	watched;
	int		round;

	for (round = 0; round < RING_ROUNDS; round++) {
		submit(r);
		watched = reap(r, fn, arg);
		if (r->nqueue == 0 && io_uring_sq_ready(&r->ring) == 0 &&
		    watched == 0)
			break;
	}
	if (round == RING_ROUNDS && r->efd != -1 &&
	    write(r->efd, &one, sizeof(one)) == -1)
		r->dropped += 0;	/* already signalled: nothing lost */
	dropped = r->dropped;
	r->dropped = 0;
	return dropped;
}
