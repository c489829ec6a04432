/*
 * worker.c: a media worker: one libevent loop per core owning its sockets
 * and sessions; carries out the typed requests of media.h (create, update,
 * delete a session; stats) and ticks once a second for DTLS
 * retransmissions and timeouts.  After each loop iteration (mw_after) it
 * runs its io_uring's batch (ring.h: per-stream sockets) and sends the
 * shared port's queue.
 *
 * Owns: its event loop, its sessions and counters (no other thread reads
 * them: stats leave only as MEDIA_RSP_STATS messages).
 * Thread: its own worker thread ("media-N").
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "media/ring.h"
#include "media/rtp.h"
#include "media/session.h"
#include "media/worker_int.h"
#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/stats.h"

struct media_req *
media_req_new(unsigned type, uint64_t cookie, struct sbc_service *reply_to)
{
	struct media_req	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->hdr.type = type;
	r->cookie = cookie;
	r->reply_to = reply_to;
	return r;
}

static void
on_stop(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker	*w = s->priv;

	sbc_evloop_stop(&w->loop);
}

static void
sum_stats(struct mworker *w, struct media_stats *st)
{
	struct msess	*ms;
	size_t		 i;

	*st = w->stats;
	st->sessions = w->sessions.n;
	for (i = 0; i < w->sessions.cap; i++) {
		if (w->sessions.slots[i].id == 0)
			continue;
		ms = w->sessions.slots[i].val;
		st->packets_in += ms->b_in + ms->p_in;
		st->packets_out += ms->b_out + ms->p_out;
		st->packets_dropped += ms->dropped;
	}
}

static void
on_stats(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct media_rsp	*rsp;

	if (req->reply_to == NULL)
		return;
	if ((rsp = calloc(1, sizeof(*rsp))) == NULL) {
		log_err(s->ctx->log, "%s: out of memory", s->name);
		return;
	}
	rsp->hdr.type = MEDIA_RSP_STATS;
	rsp->cookie = req->cookie;
	rsp->worker = s->index;
	sum_stats(w, &rsp->stats);
	if (sbc_service_post(req->reply_to, &rsp->hdr) == -1)
		free(rsp);
}

static void
fail_event(struct sbc_service *s, const struct media_req *req,
    const char *why)
{
	struct media_rsp	*ev;

	log_warn(s->ctx->log, "%s: session %llu: %s", s->name,
	    (unsigned long long)req->cookie, why);
	if (req->reply_to == NULL || (ev = calloc(1, sizeof(*ev))) == NULL)
		return;
	ev->hdr.type = MEDIA_EV_FAILED;
	ev->cookie = req->cookie;
	ev->worker = s->index;
	ev->status = -1;
	snprintf(ev->why, sizeof(ev->why), "%s", why);
	if (sbc_service_post(req->reply_to, &ev->hdr) == -1)
		free(ev);
}

/* SDES keys leave the request as soon as the session has them. */
static void
params_wipe(struct media_params *p)
{
	OPENSSL_cleanse(p->p_local_key, sizeof(p->p_local_key));
	OPENSSL_cleanse(p->p_remote_key, sizeof(p->p_remote_key));
}

static void
on_create(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct msess		*ms = NULL;

	if (idmap_get(&w->sessions, req->cookie) != NULL) {
		params_wipe(&req->p);
		fail_event(s, req, "session exists");
		return;
	}
	if (msess_create(w, req->cookie, req->reply_to, &req->p, &ms) == -1 ||
	    idmap_put(&w->sessions, req->cookie, ms) == -1) {
		if (ms != NULL)
			msess_free(ms);
		params_wipe(&req->p);
		fail_event(s, req, "cannot open media ports");
		return;
	}
	log_debug(s->ctx->log, "%s: session %llu: browser %s:%d, PBX %s:%d",
	    s->name, (unsigned long long)req->cookie, req->p.b_addr,
	    req->p.b_port, req->p.p_addr, req->p.p_port);
	params_wipe(&req->p);
}

static void
on_update(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct msess		*ms;

	if ((ms = idmap_get(&w->sessions, req->cookie)) != NULL)
		msess_update(ms, &req->p);
	params_wipe(&req->p);
}

static void
on_delete(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct mworker		*w = s->priv;
	struct media_req	*req = (struct media_req *)m;
	struct msess		*ms;

	if ((ms = idmap_del(&w->sessions, req->cookie)) == NULL)
		return;
	log_info(s->ctx->log, "%s: session %llu closed: browser in %llu "
	    "out %llu, PBX in %llu out %llu, dropped %llu, dtls %s, srtp %s",
	    s->name, (unsigned long long)ms->id,
	    (unsigned long long)ms->b_in, (unsigned long long)ms->b_out,
	    (unsigned long long)ms->p_in, (unsigned long long)ms->p_out,
	    (unsigned long long)ms->dropped,
	    ms->dtls.state == DTLS_CONNECTED ? "up" : "down",
	    ms->srtp_up ? "up" : "down");
	w->stats.packets_in += ms->b_in + ms->p_in;	/* keep the totals */
	w->stats.packets_out += ms->b_out + ms->p_out;
	w->stats.packets_dropped += ms->dropped;
	msess_free(ms);
}

static const struct sbc_msg_handler worker_handlers[] = {
	{ SBC_MSG_STOP, on_stop },
	{ MEDIA_REQ_STATS, on_stats },
	{ MEDIA_REQ_CREATE, on_create },
	{ MEDIA_REQ_UPDATE, on_update },
	{ MEDIA_REQ_DELETE, on_delete },
};

uint64_t
mw_hash(const void *p, size_t len)
{
	const uint8_t	*b = p;
	uint64_t	 h = 1469598103934665603ULL;

	while (len-- > 0) {
		h ^= *b++;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

uint64_t
mw_addr_hash(const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_in	*in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*in6 = (const struct sockaddr_in6 *)ss;
	uint8_t				 k[18];

	memset(k, 0, sizeof(k));
	if (ss->ss_family == AF_INET6 && len >= sizeof(*in6)) {
		memcpy(k, &in6->sin6_port, 2);
		memcpy(k + 2, &in6->sin6_addr, 16);
	} else if (ss->ss_family == AF_INET && len >= sizeof(*in)) {
		memcpy(k, &in->sin_port, 2);
		memcpy(k + 2, &in->sin_addr, 4);
	}
	return mw_hash(k, sizeof(k));
}

int
mw_queue(struct mworker *w, const void *buf, size_t len,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	unsigned	i;

	if (len > MW_PKT)
		return -1;
	if (w->sq_n == MW_SENDQ)
		mw_flush(w);
	i = w->sq_n++;
	memcpy(w->sq_buf[i], buf, len);
	memcpy(&w->sq_to[i], to, tolen);
	w->sq_iov[i].iov_base = w->sq_buf[i];
	w->sq_iov[i].iov_len = len;
	memset(&w->sq_msgs[i].msg_hdr, 0, sizeof(w->sq_msgs[i].msg_hdr));
	w->sq_msgs[i].msg_hdr.msg_iov = &w->sq_iov[i];
	w->sq_msgs[i].msg_hdr.msg_iovlen = 1;
	w->sq_msgs[i].msg_hdr.msg_name = &w->sq_to[i];
	w->sq_msgs[i].msg_hdr.msg_namelen = tolen;
	return 0;
}

/* Send what the iteration queued; what the kernel refuses is dropped. */
void
mw_flush(void *arg)
{
	struct mworker	*w = arg;
	unsigned	 done = 0;
	int		 n;

	while (done < w->sq_n) {
		n = sendmmsg(w->shared_fd, w->sq_msgs + done, w->sq_n - done,
		    MSG_DONTWAIT);
		if (n <= 0) {
			w->stats.packets_dropped += w->sq_n - done;
			break;
		}
		done += (unsigned)n;
	}
	w->sq_n = 0;
}

/* The session of a datagram on the shared port: STUN by our ufrag,
 * the rest by the browser addresses that passed a check. */
static struct msess *
shared_lookup(struct mworker *w, const uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	char		 ufrag[STUN_LITE_UFRAG_MAX + 1];
	struct msess	*ms;

	if (stun_lite_is_stun(pkt, len)) {
		if (stun_lite_local_ufrag(pkt, len, ufrag, sizeof(ufrag)) == -1)
			return NULL;
		ms = idmap_get(&w->by_ufrag, mw_hash(ufrag, strlen(ufrag)));
		return ms != NULL && strcmp(ms->p.ice_ufrag, ufrag) == 0 ?
		    ms : NULL;
	}
	ms = idmap_get(&w->by_addr, mw_addr_hash(src, srclen));
	return ms != NULL && msess_browser_valid(ms, src, srclen) ? ms : NULL;
}

int
mw_recv(struct mworker *w, int fd, struct mw_batch *b)
{
	int	i;

	for (i = 0; i < MW_BATCH; i++) {
		b->iov[i].iov_base = w->buf[i];
		b->iov[i].iov_len = MW_PKT - SRTP_PAIR_TRAILER_MAX;
		memset(&b->msgs[i].msg_hdr, 0, sizeof(b->msgs[i].msg_hdr));
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
		b->msgs[i].msg_hdr.msg_name = &b->from[i];
		b->msgs[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
	}
	return recvmmsg(fd, b->msgs, MW_BATCH, MSG_DONTWAIT, NULL);
}

static void
shared_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mworker	*w = arg;
	struct mw_batch	 b;
	struct msess	*ms;
	time_t		 now = time(NULL);	/* once per batch */
	int		 i, n;

	n = mw_recv(w, fd, &b);
	for (i = 0; i < n; i++) {
		ms = shared_lookup(w, w->buf[i], b.msgs[i].msg_len, &b.from[i],
		    b.msgs[i].msg_hdr.msg_namelen);
		if (ms == NULL || ms->dead) {
			w->stats.packets_dropped++;
			continue;
		}
		ms->last_in = now;
		msess_browser_packet(ms, w->buf[i], b.msgs[i].msg_len,
		    &b.from[i], b.msgs[i].msg_hdr.msg_namelen);
	}
}

/*
 * The shared port carries every browser stream of the worker: a 208 KiB
 * default receive buffer overflows in bursts (docs/benchmarks.md).  As
 * root (at setup, before privileges go) the limit does not apply; else
 * net.core.rmem_max / wmem_max cap it, and the operator is told.
 */
static void
big_buffers(struct mworker *w, int fd)
{
	int		size = MW_SHARED_BUF, got = 0;
	socklen_t	len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 &&
	    got < size)	/* the kernel reports twice what it grants */
		log_warn(w->svc->ctx->log, "%s: browser media port buffer "
		    "%d KiB, wanted %d: raise net.core.rmem_max and wmem_max "
		    "(docs/deployment.md)", w->svc->name, got / 2048,
		    size / 1024);
}

/* media.browser_port: this worker's one UDP port for all browser media. */
static int
shared_setup(struct mworker *w, const struct sbc_config *cfg)
{
	int	port = cfg->media.browser_port + w->svc->index;

	w->shared_fd = -1;
	if (cfg->media.browser_port == 0)
		return 0;
	if (idmap_init(&w->by_ufrag, 256) == -1 ||
	    idmap_init(&w->by_addr, 256) == -1)
		return -1;
	w->shared_fd = mw_bind_udp(cfg->media.outside_address, port);
	if (w->shared_fd != -1)
		big_buffers(w, w->shared_fd);
	if (w->shared_fd == -1) {
		log_err(w->svc->ctx->log, "%s: cannot bind browser media port "
		    "%s:%d", w->svc->name, cfg->media.outside_address, port);
		return -1;
	}
	w->shared_ev = event_new(w->loop.base, w->shared_fd,
	    EV_READ | EV_PERSIST, shared_cb, w);
	return w->shared_ev != NULL && event_add(w->shared_ev, NULL) == 0 ?
	    0 : -1;
}

/* ------------------------------------------------------------ io_uring */

static void
ring_packet(void *arg, uint64_t tag, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	struct mworker	*w = arg;
	struct msess	*ms = idmap_get(&w->sessions, tag >> 2);

	if (ms == NULL || ms->dead) {
		w->stats.packets_dropped++;	/* it was closed meanwhile */
		return;
	}
	ms->last_in = w->now;
	msess_ring_packet(ms, (unsigned)(tag & 3), pkt, len, src, srclen);
}

void
mw_after(void *arg)
{
	struct mworker	*w = arg;

	if (w->ring != NULL) {	/* first: what it reads may send more */
		w->now = time(NULL);
		w->stats.packets_dropped += mring_run(w->ring, ring_packet, w);
	}
	if (w->sq_n > 0)
		mw_flush(w);
}

/* The ring's eventfd woke the loop: its work is done in mw_after(). */
static void
ring_cb(evutil_socket_t fd, short what, void *arg)
{
}

/* media.io_uring: the per-stream sockets on a ring, or epoll when the
 * kernel (or a seccomp filter) says no.  The eventfd is edge-triggered:
 * each signal wakes the loop once and it is never read. */
static int
ring_setup(struct mworker *w, const struct sbc_config *cfg)
{
	int	efd;

	if (!cfg->media.io_uring)
		return 0;
	if (mring_init(&w->ring, SRTP_PAIR_TRAILER_MAX) == -1) {
		log_notice(w->svc->ctx->log, "%s: io_uring unavailable (%s): "
		    "media sockets on epoll", w->svc->name, strerror(errno));
		w->ring = NULL;
		return 0;
	}
	if ((efd = mring_watch_fd(w->ring)) == -1) {
		log_notice(w->svc->ctx->log, "%s: io_uring cannot watch "
		    "sockets here: readiness from epoll", w->svc->name);
		return 0;
	}
	w->ring_ev = event_new(w->loop.base, efd, EV_READ | EV_PERSIST |
	    EV_ET, ring_cb, w);
	return w->ring_ev != NULL && event_add(w->ring_ev, NULL) == 0 ?
	    0 : -1;
}

/* Once a second: this worker's totals into its slot of struct sbc_stats. */
static void
publish_stats(struct mworker *w)
{
	struct sbc_stats_media	*slot;
	struct media_stats	 st;

	if (w->svc->ctx->stats == NULL)
		return;
	slot = &w->svc->ctx->stats->media[w->svc->index];
	sum_stats(w, &st);
	SBC_STAT_SET(&slot->sessions, st.sessions);
	SBC_STAT_SET(&slot->packets_in, st.packets_in);
	SBC_STAT_SET(&slot->packets_out, st.packets_out);
	SBC_STAT_SET(&slot->packets_dropped, st.packets_dropped);
	SBC_STAT_SET(&slot->srtp_auth_failures, st.srtp_auth_failures);
	SBC_STAT_SET(&slot->dtls_failures, st.dtls_failures);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mworker	*w = arg;
	time_t		 now = time(NULL);
	size_t		 i;

	for (i = 0; i < w->sessions.cap; i++)
		if (w->sessions.slots[i].id != 0)
			msess_tick(w->sessions.slots[i].val, now);
	publish_stats(w);
}

static int
worker_setup(struct sbc_service *s, struct sbc_config *cfg)
{
	struct mworker	*w;
	struct timeval	 sec = { 1, 0 };

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	s->priv = w;
	w->svc = s;
	w->dtls = s->ctx->dtls;
	w->shared_fd = -1;
	if (stun_lite_init(&w->stun) == -1) {
		log_err(s->ctx->log, "%s: libnice's STUN is broken in this "
		    "binary (symbol clash with Sofia-SIP: link libnice first)",
		    s->name);
		return -1;
	}
	if (idmap_init(&w->sessions, 256) == -1 ||
	    sbc_evloop_init(&w->loop, s, worker_handlers,
	    sizeof(worker_handlers) / sizeof(worker_handlers[0])) == -1)
		return -1;
	w->tick = event_new(w->loop.base, -1, EV_PERSIST, tick_cb, w);
	if (w->tick == NULL || event_add(w->tick, &sec) == -1)
		return -1;
	w->loop.after = mw_after;
	w->loop.after_arg = w;
	return shared_setup(w, cfg) == -1 ? -1 : ring_setup(w, cfg);
}

static void
worker_run(struct sbc_service *s)
{
	struct mworker	*w = s->priv;

	log_debug(s->ctx->log, "%s: running", s->name);
	sbc_evloop_run(&w->loop);
}

static void
worker_teardown(struct sbc_service *s)
{
	struct mworker	*w = s->priv;
	size_t		 i;

	if (w == NULL)
		return;
	for (i = 0; i < w->sessions.cap; i++)
		if (w->sessions.slots[i].id != 0)
			msess_free(w->sessions.slots[i].val);
	idmap_free(&w->sessions);
	if (w->ring_ev != NULL)
		event_free(w->ring_ev);
	mring_free(w->ring);
	idmap_free(&w->by_ufrag);
	idmap_free(&w->by_addr);
	if (w->shared_ev != NULL)
		event_free(w->shared_ev);
	if (w->shared_fd != -1)
		close(w->shared_fd);
	if (w->tick != NULL)
		event_free(w->tick);
	sbc_evloop_free(&w->loop);
	free(w);
	s->priv = NULL;
}

const struct sbc_service_ops media_worker_ops = {
	.setup = worker_setup,
	.run = worker_run,
	.teardown = worker_teardown,
};
