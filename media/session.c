/*
 * session.c: a media session's sockets and packet path (see session.h).
 *
 * Browser → PBX: datagrams on b_fd are demultiplexed by first byte
 * (RFC 7983): STUN is answered as an ICE-lite agent and latches the
 * browser's address; DTLS feeds the handshake, whose exported keys make
 * the SRTP contexts; SRTP/SRTCP from a checked address is unprotected,
 * AVPF feedback is stripped from RTCP, and the plain packet goes to the
 * PBX.  PBX → browser: plain RTP/RTCP from the host the PBX's SDP named
 * is latched once (symmetric RTP, strict source), protected and sent to
 * the browser's latched address.
 * Owns: see session.h.  Thread: the owning worker.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "media/ring.h"
#include "media/rtp.h"
#include "media/session.h"
#include "media/worker_int.h"
#include "sbc/log.h"
#include "sbc/service.h"

#define CONSENT_SECONDS	30	/* RFC 7675: no check answered for 30 s */

int
mw_bind_udp(const char *addr, int port)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr)) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
peer_set(struct mpeer *p, const struct sockaddr *sa, socklen_t len)
{
	memcpy(&p->addr, sa, len);
	p->len = len;
	p->set = 1;
	p->connected = 0;
}

static int
peer_is(const struct mpeer *p, const struct sockaddr_storage *sa,
    socklen_t len)
{
	return p->set && p->len == len && memcmp(&p->addr, sa, len) == 0;
}

/* Through the worker's ring when it has one (the datagram leaves after
 * this loop iteration, with the others), else at once. */
static void
send_to(struct msess *s, int fd, const struct mpeer *p, const void *buf,
    size_t len, uint64_t *count)
{
	if (!p->set)
		return;
	if (s->w->ring != NULL && mring_send(s->w->ring, fd, buf, len,
	    p->connected ? NULL : &p->addr, p->len) == 0) {
		(*count)++;
		return;
	}
	if (p->connected) {
		if (send(fd, buf, len, 0) == (ssize_t)len)
			(*count)++;
		return;
	}
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&p->addr,
	    p->len) == (ssize_t)len)
		(*count)++;
}

/* Toward the browser: on the worker's shared port the datagram joins the
 * iteration's sendmmsg() batch. */
static void
send_b(struct msess *s, const struct mpeer *p, const void *buf, size_t len)
{
	if (!p->set)
		return;
	if (s->b_fd == s->w->shared_fd) {
		if (mw_queue(s->w, buf, len, &p->addr, p->len) == 0)
			s->b_out++;
		return;
	}
	send_to(s, s->b_fd, p, buf, len, &s->b_out);
}

static void
report(struct msess *s, unsigned type, const char *why)
{
	struct media_rsp	*ev;

	if (s->dead || s->owner == NULL)
		return;
	s->dead = 1;
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return;
	ev->hdr.type = type;
	ev->cookie = s->id;
	ev->worker = s->w->svc->index;
	snprintf(ev->why, sizeof(ev->why), "%s", why);
	if (sbc_service_post(s->owner, &ev->hdr) == -1)
		free(ev);
}

/* ------------------------------------------------------------ browser leg */

static void	latch_browser(struct msess *, const struct mpeer *);
static void	valid_add(struct msess *, const struct mpeer *);

static void
flush_dtls(struct msess *s)
{
	uint8_t	*out = s->w->out;
	size_t	 n;

	while ((n = dtls_conn_pending(&s->dtls, out, MW_PKT)) > 0)
		send_b(s, &s->b_peer, out, n);
}

/* As DTLS client, say ClientHello once there is somewhere to say it. */
static void
dtls_client_start(struct msess *s)
{
	if (!s->dtls_inited || s->p.dtls_server || s->dtls_started ||
	    !s->b_peer.set)
		return;
	s->dtls_started = 1;
	if (dtls_conn_start(&s->dtls) == -1)
		report(s, MEDIA_EV_FAILED, "DTLS start failed");
	flush_dtls(s);
}

static void
on_stun(struct msess *s, const uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	struct stun_lite_info	info;
	struct mpeer		from;
	ssize_t			n;

	memset(&info, 0, sizeof(info));
	peer_set(&from, (const struct sockaddr *)src, srclen);
	n = stun_lite_answer(&s->w->stun, pkt, len, s->p.ice_ufrag,
	    s->p.ice_pwd, (const struct sockaddr *)src, srclen, s->w->out,
	    MW_PKT, &info);
	if (n > 0)
		s->old_ufrag[0] = '\0';	/* the restart is through */
	else if (s->old_ufrag[0] != '\0') {	/* consent on the old pair */
		memset(&info, 0, sizeof(info));
		n = stun_lite_answer(&s->w->stun, pkt, len, s->old_ufrag,
		    s->old_pwd, (const struct sockaddr *)src, srclen,
		    s->w->out, MW_PKT, &info);
		if (n > 0 && !peer_is(&s->b_peer, src, srclen))
			n = 0;		/* the old credentials: old pair only */
	}
	if (n <= 0) {
		if (s->dropped == 0)	/* first refusal of the session only */
			log_info(s->w->svc->ctx->log, "session %llu: STUN check "
			    "refused (%zd, error %d, %zu bytes, ufrag %s)",
			    (unsigned long long)s->id, n, info.error, len,
			    s->p.ice_ufrag);
		if (info.error_len > 0)
			send_b(s, &from, s->w->out, info.error_len);
		s->dropped++;
		return;
	}
	/* a lite agent uses the pair the controlling agent nominates; until
	 * then the first valid check */
	if (!s->b_peer.set || info.use_candidate)
		latch_browser(s, &from);
	else
		valid_add(s, &from);
	s->last_stun = s->last_in;
	send_b(s, &from, s->w->out, (size_t)n);
	dtls_client_start(s);
}

/*
 * The browser's addresses that passed a check.  Chromium moves its media
 * to a pair as soon as that pair's check succeeds, before it nominates it
 * (and, on a busy machine, seconds before), so media is accepted from any
 * of them; on the shared port each is also how non-STUN packets find
 * their session.  The oldest is forgotten first, never the latched one.
 */
static int
valid_find(const struct msess *s, const struct sockaddr_storage *sa,
    socklen_t len)
{
	unsigned	i;

	for (i = 0; i < s->b_nvalid; i++)
		if (peer_is(&s->b_valid[i], sa, len))
			return (int)i;
	return -1;
}

int
msess_browser_valid(const struct msess *s, const struct sockaddr_storage *sa,
    socklen_t len)
{
	return peer_is(&s->b_peer, sa, len) || valid_find(s, sa, len) != -1;
}

static void
valid_unmap(struct msess *s, const struct mpeer *v)
{
	struct idmap	*m = &s->w->by_addr;
	uint64_t	 h = mw_addr_hash(&v->addr, v->len);

	if (s->b_fd == s->w->shared_fd && idmap_get(m, h) == s)
		idmap_del(m, h);
}

static void
valid_add(struct msess *s, const struct mpeer *from)
{
	struct mpeer	*v;
	unsigned	 i;

	if (valid_find(s, &from->addr, from->len) != -1)
		return;
	if (s->b_nvalid < MSESS_VALID_MAX)
		v = &s->b_valid[s->b_nvalid++];
	else {
		i = s->b_evict;
		if (peer_is(&s->b_peer, &s->b_valid[i].addr, s->b_valid[i].len))
			i = (i + 1) % MSESS_VALID_MAX;
		s->b_evict = (i + 1) % MSESS_VALID_MAX;
		v = &s->b_valid[i];
		valid_unmap(s, v);
	}
	*v = *from;
	if (s->b_fd == s->w->shared_fd)
		idmap_put(&s->w->by_addr, mw_addr_hash(&v->addr, v->len), s);
}

/* Where we send: the nominated pair, or the pair the browser's media
 * moved to. */
static void
latch_browser(struct msess *s, const struct mpeer *from)
{
	if (peer_is(&s->b_peer, &from->addr, from->len))
		return;
	valid_add(s, from);
	s->b_peer = *from;
}

static void
srtp_start(struct msess *s)
{
	if (srtp_pair_init(&s->srtp, &s->dtls.keys) == -1) {
		report(s, MEDIA_EV_FAILED, "SRTP setup failed");
		return;
	}
	s->srtp_up = 1;
	memset(&s->dtls.keys, 0, sizeof(s->dtls.keys));	/* keys live in
								   libsrtp now */
}

static void
on_dtls(struct msess *s, const uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	if (!s->dtls_inited || s->dtls.ssl == NULL ||
	    !msess_browser_valid(s, src, srclen)) {
		s->dropped++;	/* DTLS only on checked pairs, until retired */
		return;
	}
	dtls_conn_input(&s->dtls, pkt, len);
	flush_dtls(s);
	if (s->dtls.state == DTLS_CONNECTED && !s->srtp_up)
		srtp_start(s);
	else if (s->dtls.state == DTLS_FAILED) {
		s->w->stats.dtls_failures++;
		report(s, MEDIA_EV_FAILED, dtls_fail_str(s->dtls.fail));
	}
}

static void
on_srtp(struct msess *s, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	int	n = (int)len, rtcp = rtp_is_rtcp(pkt, len);
	int	fd = rtcp && !s->p.p_rtcp_mux ? s->pr_fd : s->p_fd;
	struct mpeer *to = rtcp && !s->p.p_rtcp_mux ? &s->pr_peer : &s->p_peer;
	int	latched = peer_is(&s->b_peer, src, srclen);

	if (!s->srtp_up || (!latched && valid_find(s, src, srclen) == -1) ||
	    srtp_pair_unprotect(&s->srtp, pkt, &n, rtcp) == -1) {
		s->dropped++;
		if (s->srtp_up && s->srtp.err == srtp_err_status_auth_fail)
			s->w->stats.srtp_auth_failures++;
		return;
	}
	if (!latched) {		/* its media moved to another checked pair */
		struct mpeer	from;

		peer_set(&from, (const struct sockaddr *)src, srclen);
		latch_browser(s, &from);
	}
	if (s->dtls.ssl != NULL)	/* the browser is done with DTLS */
		dtls_conn_retire(&s->dtls);
	if (rtcp && (n = (int)rtcp_strip_feedback(pkt, (size_t)n)) <= 0)
		return;
	if (s->p_srtp_up && (n + SRTP_PAIR_TRAILER_MAX > MW_PKT ||
	    srtp_pair_protect(&s->p_srtp, pkt, &n, rtcp) == -1)) {
		s->dropped++;
		return;
	}
	send_to(s, fd, to, pkt, (size_t)n, &s->p_out);
}

void
msess_browser_packet(struct msess *s, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	s->b_in++;
	switch (rtp_classify(pkt, len)) {
	case RTP_KIND_STUN:
		on_stun(s, pkt, len, src, srclen);
		break;
	case RTP_KIND_DTLS:
		on_dtls(s, pkt, len, src, srclen);
		break;
	case RTP_KIND_RTP:
		on_srtp(s, pkt, len, src, srclen);
		break;
	default:
		s->dropped++;
	}
}

/* ---------------------------------------------------------------- PBX leg */

static int
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/*
 * Symmetric RTP with a strict source: once the PBX's SDP named its
 * address, only that host is accepted; the port is latched from the first
 * packet (PBXs behind port-rewriting NAT) and is fixed after that, so a
 * third party cannot take the stream over.  -1: drop the packet.
 */
static int
latch_pbx(struct msess *s, int fd, struct mpeer *peer, int *latched,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	if (peer_is(peer, src, srclen))
		return 0;
	if (*latched || (s->p.p_remote_set && !same_host(&peer->addr, src)))
		return -1;
	peer_set(peer, (const struct sockaddr *)src, srclen);
	*latched = 1;
	/* connected: no route lookup per send, the kernel filters sources */
	if (connect(fd, (const struct sockaddr *)src, srclen) == 0)
		peer->connected = 1;
	return 0;
}

static void
pbx_packet(struct msess *s, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen, int rtcp_port)
{
	int	n = (int)len, rtcp = rtcp_port || rtp_is_rtcp(pkt, len);

	s->p_in++;
	if (rtp_classify(pkt, len) != RTP_KIND_RTP) {
		s->dropped++;
		return;
	}
	if (latch_pbx(s, rtcp_port ? s->pr_fd : s->p_fd,
	    rtcp_port ? &s->pr_peer : &s->p_peer,
	    rtcp_port ? &s->pr_latched : &s->p_latched, src, srclen) == -1) {
		s->dropped++;
		return;
	}
	if (s->p_srtp_up &&
	    srtp_pair_unprotect(&s->p_srtp, pkt, &n, rtcp) == -1) {
		s->dropped++;
		if (s->p_srtp.err == srtp_err_status_auth_fail)
			s->w->stats.srtp_auth_failures++;
		return;
	}
	if (!rtcp)	/* a PBX's jump must not break the browser's SRTP */
		rtp_seq_fix(&s->p_seqfix, pkt, (size_t)n);
	if (!s->srtp_up || n + SRTP_PAIR_TRAILER_MAX > MW_PKT ||
	    srtp_pair_protect(&s->srtp, pkt, &n, rtcp) == -1) {
		s->dropped++;
		return;
	}
	send_b(s, &s->b_peer, pkt, (size_t)n);
}

/* ------------------------------------------------------------ receiving */

typedef void (*packet_fn)(struct msess *, uint8_t *, size_t,
    const struct sockaddr_storage *, socklen_t, int);

static void
receive(struct msess *s, int fd, packet_fn fn, int arg)
{
	struct mw_batch	b;
	int		i, n;

	if ((n = mw_recv(s->w, fd, &b)) > 0)
		s->last_in = time(NULL);
	for (i = 0; i < n && !s->dead; i++)
		fn(s, s->w->buf[i], b.msgs[i].msg_len, &b.from[i],
		    b.msgs[i].msg_hdr.msg_namelen, arg);
}

static void
browser_packet_fn(struct msess *s, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen, int unused)
{
	msess_browser_packet(s, pkt, len, src, srclen);
}

/* A readable socket: read on the worker's ring after this iteration
 * (with every other ready socket's), or at once. */
static int
on_ring(struct msess *s, int fd, unsigned kind)
{
	return s->w->ring != NULL && s->id <= MSESS_ID_RING_MAX &&
	    mring_recv(s->w->ring, fd, MSESS_TAG(s->id, kind)) == 0;
}

static void
b_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!on_ring(arg, fd, MSESS_SOCK_BROWSER))
		receive(arg, fd, browser_packet_fn, 0);
}

static void
p_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!on_ring(arg, fd, MSESS_SOCK_PBX))
		receive(arg, fd, pbx_packet, 0);
}

static void
pr_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!on_ring(arg, fd, MSESS_SOCK_RTCP))
		receive(arg, fd, pbx_packet, 1);
}

/* ------------------------------------------------------------ life */

/* A datagram the worker's ring read for socket `kind` (worker.c found
 * the session by the tag). */
void
msess_ring_packet(struct msess *s, unsigned kind, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	if (kind == MSESS_SOCK_BROWSER)
		msess_browser_packet(s, pkt, len, src, srclen);
	else
		pbx_packet(s, pkt, len, src, srclen, kind == MSESS_SOCK_RTCP);
}

/* fd read through the worker's ring, or else readable events from its
 * loop into cb. */
static int
watch(struct msess *s, int fd, unsigned kind, event_callback_fn cb,
    struct event **ev)
{
	*ev = NULL;
	if (s->w->ring != NULL && s->id <= MSESS_ID_RING_MAX &&
	    mring_watch(s->w->ring, fd, MSESS_TAG(s->id, kind)) == 0)
		return 0;
	*ev = event_new(s->w->loop.base, fd, EV_READ | EV_PERSIST, cb, s);
	return *ev != NULL && event_add(*ev, NULL) == 0 ? 0 : -1;
}

static int
open_sockets(struct msess *s)
{
	s->p_fd = mw_bind_udp(s->p.p_addr, s->p.p_port);
	s->pr_fd = mw_bind_udp(s->p.p_addr, s->p.p_port + 1);
	if (s->p_fd == -1 || s->pr_fd == -1 ||
	    watch(s, s->p_fd, MSESS_SOCK_PBX, p_cb, &s->p_ev) == -1 ||
	    watch(s, s->pr_fd, MSESS_SOCK_RTCP, pr_cb, &s->pr_ev) == -1)
		return -1;
	if (s->w->shared_fd != -1) {	/* the worker's port: not ours */
		s->b_fd = s->w->shared_fd;
		return idmap_put(&s->w->by_ufrag, mw_hash(s->p.ice_ufrag,
		    strlen(s->p.ice_ufrag)), s);
	}
	s->b_fd = mw_bind_udp(s->p.b_addr, s->p.b_port);
	if (s->b_fd == -1)
		return -1;
	return watch(s, s->b_fd, MSESS_SOCK_BROWSER, b_cb, &s->b_ev);
}

/*
 * DTLS starts once the browser's fingerprint is known: at once for calls
 * the browser made (its offer has it), after its answer for calls the PBX
 * made.  As client (the browser answered a=setup:passive) we send the
 * ClientHello when ICE has latched the browser's address.
 */
static void
dtls_setup(struct msess *s, const struct media_params *p)
{
	if (s->dtls_inited || p->remote_fingerprint[0] == '\0')
		return;
	memcpy(s->p.remote_fingerprint, p->remote_fingerprint,
	    sizeof(s->p.remote_fingerprint));
	s->p.dtls_server = p->dtls_server;
	if (dtls_conn_init(&s->dtls, s->w->dtls, p->dtls_server,
	    p->remote_fingerprint) == -1) {
		report(s, MEDIA_EV_FAILED, "DTLS setup failed");
		return;
	}
	s->dtls_inited = 1;
	dtls_client_start(s);
}

static void
disconnect(int fd)
{
	struct sockaddr	sa = { .sa_family = AF_UNSPEC };

	if (fd != -1)
		connect(fd, &sa, sizeof(sa));
}

static void
set_pbx_remote(struct msess *s, const struct sockaddr_storage *ss)
{
	socklen_t	len = ss->ss_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	in_port_t	*port;

	peer_set(&s->p_peer, (const struct sockaddr *)ss, len);
	s->pr_peer = s->p_peer;
	port = ss->ss_family == AF_INET6 ?
	    &((struct sockaddr_in6 *)&s->pr_peer.addr)->sin6_port :
	    &((struct sockaddr_in *)&s->pr_peer.addr)->sin_port;
	*port = htons(ntohs(*port) + 1);
	s->p_latched = s->pr_latched = 0;	/* latch again from there */
	disconnect(s->p_fd);
	disconnect(s->pr_fd);
}

/*
 * SDES keys of the PBX leg: new contexts when signaling sent a new key
 * generation (first answer, a re-INVITE that changed keys, a fallback to
 * plain RTP).  Our copy of the keys is wiped: they live in libsrtp.
 */
static void
pbx_keys(struct msess *s, const struct media_params *p)
{
	if (p->p_key_gen == s->p_key_gen)
		goto wipe;
	if (s->p_srtp_up)
		srtp_pair_free(&s->p_srtp);
	s->p_srtp_up = 0;
	s->p_key_gen = p->p_key_gen;
	if (p->p_suite[0] != '\0') {
		if (srtp_pair_init_sdes(&s->p_srtp, p->p_suite, p->p_local_key,
		    p->p_key_len, p->p_remote_key, p->p_key_len) == -1) {
			report(s, MEDIA_EV_FAILED, "SDES-SRTP setup failed");
			goto wipe;
		}
		s->p_srtp_up = 1;
	}
wipe:
	OPENSSL_cleanse(s->p.p_local_key, sizeof(s->p.p_local_key));
	OPENSSL_cleanse(s->p.p_remote_key, sizeof(s->p.p_remote_key));
}

/*
 * New ICE credentials of ours (an ICE restart, RFC 8445 §9): checks use
 * them now; the old ones still answer consent checks on the old pair
 * until the browser has our answer and a check with the new ones works.
 */
static void
ice_creds(struct msess *s, const struct media_params *p)
{
	struct idmap	*m = &s->w->by_ufrag;
	uint64_t	 h;

	if (p->ice_ufrag[0] == '\0' ||
	    strcmp(p->ice_ufrag, s->p.ice_ufrag) == 0)
		return;
	if (s->b_fd != -1 && s->b_fd == s->w->shared_fd) {
		h = mw_hash(s->p.ice_ufrag, strlen(s->p.ice_ufrag));
		if (idmap_get(m, h) == s)
			idmap_del(m, h);
		idmap_put(m, mw_hash(p->ice_ufrag, strlen(p->ice_ufrag)), s);
	}
	memcpy(s->old_ufrag, s->p.ice_ufrag, sizeof(s->old_ufrag));
	memcpy(s->old_pwd, s->p.ice_pwd, sizeof(s->old_pwd));
	memcpy(s->p.ice_ufrag, p->ice_ufrag, sizeof(s->p.ice_ufrag));
	memcpy(s->p.ice_pwd, p->ice_pwd, sizeof(s->p.ice_pwd));
}

/* New parameters from signaling (the PBX's answer, a re-INVITE). */
void
msess_update(struct msess *s, const struct media_params *p)
{
	socklen_t	len = p->p_remote.ss_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	pbx_keys(s, p);
	ice_creds(s, p);
	s->p.p_rtcp_mux = p->p_rtcp_mux;
	s->p.timeout = p->timeout;
	dtls_setup(s, p);
	if (!p->p_remote_set)
		return;
	s->p.p_remote = p->p_remote;
	s->p.p_remote_set = 1;
	if (!s->p_peer.set || !same_host(&s->p_peer.addr, &p->p_remote) ||
	    (!s->p_latched && !peer_is(&s->p_peer, &p->p_remote, len)))
		set_pbx_remote(s, &p->p_remote);
}

int
msess_create(struct mworker *w, uint64_t id, struct sbc_service *owner,
    const struct media_params *p, struct msess **out)
{
	struct msess	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->w = w;
	s->id = id;
	s->owner = owner;
	s->p = *p;
	s->b_fd = s->p_fd = s->pr_fd = -1;
	s->last_in = s->last_stun = time(NULL);
	*out = s;
	if (open_sockets(s) == -1)
		return -1;
	msess_update(s, p);
	return 0;
}

static void
close_fd(int fd, struct event *ev)
{
	if (ev != NULL)
		event_free(ev);
	if (fd != -1)
		close(fd);
}

static void
session_unshare(struct msess *s)
{
	struct mworker	*w = s->w;
	uint64_t	 h = mw_hash(s->p.ice_ufrag, strlen(s->p.ice_ufrag));
	unsigned	 i;

	if (idmap_get(&w->by_ufrag, h) == s)
		idmap_del(&w->by_ufrag, h);
	for (i = 0; i < s->b_nvalid; i++)
		valid_unmap(s, &s->b_valid[i]);
}

void
msess_free(struct msess *s)
{
	if (s->w->ring != NULL) {	/* queued, not yet submitted */
		mring_forget(s->w->ring, s->p_fd);
		mring_forget(s->w->ring, s->pr_fd);
		if (s->b_fd != s->w->shared_fd)
			mring_forget(s->w->ring, s->b_fd);
	}
	if (s->b_fd != -1 && s->b_fd == s->w->shared_fd)
		session_unshare(s);
	else
		close_fd(s->b_fd, s->b_ev);
	close_fd(s->p_fd, s->p_ev);
	close_fd(s->pr_fd, s->pr_ev);
	if (s->dtls_inited)
		dtls_conn_free(&s->dtls);
	if (s->srtp_up)
		srtp_pair_free(&s->srtp);
	if (s->p_srtp_up)
		srtp_pair_free(&s->p_srtp);
	free(s);
}

void
msess_tick(struct msess *s, time_t now)
{
	if (s->dead)
		return;
	if (s->dtls_inited && s->dtls.state == DTLS_HANDSHAKING &&
	    s->b_peer.set &&
	    dtls_conn_timeout_ms(&s->dtls) == 0) {
		dtls_conn_handle_timeout(&s->dtls);
		flush_dtls(s);
	}
	if (s->dtls_inited && s->dtls.state == DTLS_FAILED) {
		s->w->stats.dtls_failures++;
		report(s, MEDIA_EV_FAILED, dtls_fail_str(s->dtls.fail));
	} else if (now - s->last_in >= s->p.timeout)
		report(s, MEDIA_EV_TIMEOUT, "no media");
	else if (s->srtp_up && now - s->last_stun >= CONSENT_SECONDS)
		report(s, MEDIA_EV_TIMEOUT, "ICE consent expired");
}
