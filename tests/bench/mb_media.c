/*
 * mb_media.c: mediabench media.  Browser leg of each call: its own UDP
 * socket (as a browser has), an ICE connectivity check as the controlling
 * agent with USE-CANDIDATE (libnice's STUN usage), a DTLS client
 * handshake with the project's media/dtls.c checked against the SBC's
 * a=fingerprint, SRTP from the exported keys (media/srtp_ctx.c), consent
 * checks every 5 s.  PBX leg: plain RTP on a small pool of shared sockets
 * (or one per call), demultiplexed by the SBC's source port.  Every
 * 20 ms each call sends one 172-byte RTP packet each way; the payload
 * carries the call, a sequence number and the CLOCK_REALTIME send time,
 * compared on receipt with the kernel receive timestamp (SO_TIMESTAMPNS).
 *
 * Owns: the media sockets, DTLS and SRTP state of every call.
 * Thread: the generator's only thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <stun/usages/ice.h>

#include "media/rtp.h"
#include "tests/bench/mb.h"

#define RXB		32		/* datagrams per recvmmsg() */
#define TXB		64		/* datagrams per sendmmsg() */
#define STUN_RTO_NS	200000000LL
#define STUN_TRIES	40
#define CONSENT_NS	5000000000LL

struct payload {
	uint32_t	magic;
	uint32_t	call;
	int64_t		stamp_ns;
	uint32_t	seq;
	uint32_t	flags;
};

static struct {
	struct mmsghdr		m[RXB];
	struct iovec		iov[RXB];
	struct sockaddr_in	from[RXB];
	char			ctl[RXB][64];
	uint8_t			buf[RXB][MB_PKT];
} rx;

/* One pending sendmmsg() batch per side. */
static struct txb {
	struct mmsghdr		m[TXB];
	struct iovec		iov[TXB];
	uint8_t			buf[TXB][MB_RTP_LEN + SRTP_PAIR_TRAILER_MAX];
	int			fd;
	int			n;
} tx[2];

static const uint16_t stun_attrs[] = {
	STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
	STUN_ATTRIBUTE_FINGERPRINT, STUN_ATTRIBUTE_PRIORITY,
	STUN_ATTRIBUTE_USE_CANDIDATE, STUN_ATTRIBUTE_ICE_CONTROLLED,
	STUN_ATTRIBUTE_ICE_CONTROLLING, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, 0
};

/* ------------------------------------------------------------ sockets */

static int
udp_socket(struct mb *mb, int rcvbuf, int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	*port = ntohs(sin.sin_port);
	mb->our_port[*port] = 1;
	return fd;
}

static void
ice_token(char *out, size_t len)
{
	static const char	chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char		rnd[64];
	size_t			i;

	RAND_bytes(rnd, (int)len);
	for (i = 0; i + 1 < len; i++)
		out[i] = chars[rnd[i] & 63];
	out[len - 1] = '\0';
}

int
media_port(struct mb *mb, const struct mb_call *c, int side)
{
	return mb->pool[side].port[c->sock[side]];
}

static int
pool_init(struct mb *mb, int side)
{
	struct mb_pool	*p = &mb->pool[side];
	int		 i, want = mb->o.nsock[side];

	p->n = want > 0 && want < mb->o.ncalls ? want : mb->o.ncalls;
	p->fd = calloc((size_t)p->n, sizeof(int));
	p->port = calloc((size_t)p->n, sizeof(int));
	if (p->fd == NULL || p->port == NULL)
		return -1;
	for (i = 0; i < p->n; i++) {
		p->fd[i] = udp_socket(mb, p->n == mb->o.ncalls ? 1 << 20 :
		    32 << 20, &p->port[i]);
		if (p->fd[i] == -1 || mb_epoll_add(mb, p->fd[i],
		    side == MB_BROWSER ? MB_EV_BROWSER : MB_EV_PBX,
		    (uint32_t)i) == -1) {
			fprintf(stderr, "mediabench: socket %d: %s\n", i,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
media_init(struct mb *mb)
{
	int	i;

	if (srtp_global_init() == -1 ||
	    dtls_identity_init(&mb->id, NULL, NULL) == -1)
		return -1;
	stun_agent_init(&mb->stun, stun_attrs, STUN_COMPATIBILITY_RFC5389,
	    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
	    STUN_AGENT_USAGE_USE_FINGERPRINT);
	RAND_bytes((unsigned char *)&mb->tie, sizeof(mb->tie));
	mb->port2call = malloc(65536 * sizeof(int32_t));
	mb->our_port = calloc(65536, 1);
	if (mb->port2call == NULL || mb->our_port == NULL)
		return -1;
	for (i = 0; i < 65536; i++)
		mb->port2call[i] = -1;
	return pool_init(mb, MB_BROWSER) == -1 || pool_init(mb, MB_PBX) == -1 ?
	    -1 : 0;
}

/* Calls of a slot that are next to each other share a socket, so one
 * sendmmsg() carries several of them. */
static int
sock_of(struct mb *mb, int idx, int side)
{
	int	n = mb->pool[side].n, per;

	if (n == mb->o.ncalls)
		return idx;
	per = ((mb->o.ncalls + MB_SLOTS - 1) / MB_SLOTS + n - 1) / n;
	return idx / MB_SLOTS / per < n ? idx / MB_SLOTS / per : n - 1;
}

int
media_call_init(struct mb *mb, struct mb_call *c)
{
	ice_token(c->ufrag, 9);
	ice_token(c->pwd, 25);
	RAND_bytes((unsigned char *)c->ssrc, sizeof(c->ssrc));
	RAND_bytes((unsigned char *)c->seq, sizeof(c->seq));
	RAND_bytes((unsigned char *)c->ts, sizeof(c->ts));
	c->sock[MB_BROWSER] = sock_of(mb, c->idx, MB_BROWSER);
	c->sock[MB_PBX] = sock_of(mb, c->idx, MB_PBX);
	return 0;
}

/* Send one datagram from a call's socket of side to the SBC. */
static void
send_one(struct mb *mb, struct mb_call *c, int side, const void *p,
    size_t len)
{
	sendto(mb->pool[side].fd[c->sock[side]], p, len, 0,
	    (struct sockaddr *)&c->sbc[side], sizeof(c->sbc[side]));
}

/* ------------------------------------------------------------ ICE, DTLS */

static void
stun_send(struct mb *mb, struct mb_call *c, int64_t now)
{
	uint8_t		buf[512];
	char		user[160];
	StunMessage	msg;
	size_t		len;

	snprintf(user, sizeof(user), "%s:%s", c->sbc_ufrag, c->ufrag);
	len = stun_usage_ice_conncheck_create(&mb->stun, &msg, buf,
	    sizeof(buf), (uint8_t *)user, strlen(user),
	    (uint8_t *)c->sbc_pwd, strlen(c->sbc_pwd), 1, 1, 0x6e0001ff,
	    mb->tie, NULL, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	if (len == 0)
		return;
	stun_message_id(&msg, c->stun_tid);
	stun_agent_forget_transaction(&mb->stun, c->stun_tid);
	send_one(mb, c, MB_BROWSER, buf, len);
	mb->stun_sent++;
	c->stun_next = now + (c->state == MB_C_ICE ? STUN_RTO_NS : CONSENT_NS);
}

/* ICE, then DTLS, for an answered call. */
void
media_start(struct mb *mb, struct mb_call *c)
{
	mb->nanswered--;
	mb->nhandshake++;
	if (mb->pool[MB_BROWSER].n < mb->o.ncalls)	/* shared: by source */
		mb->port2call[ntohs(c->sbc[MB_BROWSER].sin_port)] = c->idx;
	c->state = MB_C_ICE;
	stun_send(mb, c, mb_mono_ns());
}

static void
dtls_flush(struct mb *mb, struct mb_call *c)
{
	uint8_t	buf[MB_PKT];
	size_t	n;

	while ((n = dtls_conn_pending(&c->dtls, buf, sizeof(buf))) > 0)
		send_one(mb, c, MB_BROWSER, buf, n);
}

static void
dtls_start(struct mb *mb, struct mb_call *c)
{
	if (dtls_conn_init(&c->dtls, &mb->id, 0, c->sbc_fp) == -1) {
		mb_call_fail(mb, c, "dtls_conn_init");
		return;
	}
	c->dtls_inited = 1;
	if ((mb->o.profiles != NULL &&
	    dtls_conn_set_profiles(&c->dtls, mb->o.profiles) == -1) ||
	    dtls_conn_start(&c->dtls) == -1) {
		mb_call_fail(mb, c, "dtls_conn_start");
		return;
	}
	c->state = MB_C_DTLS;
	dtls_flush(mb, c);
}

static void
dtls_input(struct mb *mb, struct mb_call *c, const uint8_t *p, size_t len)
{
	if (!c->dtls_inited)
		return;
	dtls_conn_input(&c->dtls, p, len);
	dtls_flush(mb, c);
	if (c->dtls.state == DTLS_FAILED) {
		snprintf(c->fail, sizeof(c->fail), "DTLS: %s",
		    dtls_fail_str(c->dtls.fail));
		mb_call_fail(mb, c, c->fail);
		return;
	}
	if (c->dtls.state != DTLS_CONNECTED || c->srtp_up)
		return;
	c->profile = c->dtls.keys.profile;
	if (srtp_pair_init(&c->srtp, &c->dtls.keys) == -1) {
		mb_call_fail(mb, c, "srtp_pair_init");
		return;
	}
	memset(&c->dtls.keys, 0, sizeof(c->dtls.keys));
	c->srtp_up = 1;
	c->state = MB_C_UP;
	mb->nhandshake--;
	c->stun_next = mb_mono_ns() + CONSENT_NS;
	mb->nup++;
	c->sending = c->pbx_known;
}

void
media_pbx_known(struct mb *mb, struct mb_call *c)
{
	c->pbx_known = 1;
	mb->port2call[ntohs(c->sbc[MB_PBX].sin_port)] = c->idx;
	c->sending = c->state == MB_C_UP;
}

/* Every 10 ms: STUN retransmissions and consent, DTLS timers. */
void
media_tick(struct mb *mb, int64_t now)
{
	struct mb_call	*c;
	int		 i;

	for (i = 0; i < mb->o.ncalls; i++) {
		c = &mb->calls[i];
		if ((c->state == MB_C_ICE || c->state == MB_C_UP) &&
		    now >= c->stun_next) {
			if (c->state == MB_C_ICE &&
			    ++c->stun_tries > STUN_TRIES)
				mb_call_fail(mb, c, "no STUN answer");
			else
				stun_send(mb, c, now);
		} else if (c->state == MB_C_DTLS &&
		    dtls_conn_timeout_ms(&c->dtls) == 0) {
			if (dtls_conn_handle_timeout(&c->dtls) == -1)
				mb_call_fail(mb, c, "DTLS timeout");
			else
				dtls_flush(mb, c);
		}
	}
}

/* ------------------------------------------------------------ RTP out */

static size_t
build_rtp(struct mb_call *c, int dir, uint8_t *p, uint32_t flags,
    int64_t stamp)
{
	struct payload	pl;

	p[0] = 0x80;
	p[1] = 0;		/* PCMU */
	p[2] = (uint8_t)(c->seq[dir] >> 8);
	p[3] = (uint8_t)c->seq[dir];
	p[4] = (uint8_t)(c->ts[dir] >> 24);
	p[5] = (uint8_t)(c->ts[dir] >> 16);
	p[6] = (uint8_t)(c->ts[dir] >> 8);
	p[7] = (uint8_t)c->ts[dir];
	memcpy(p + 8, &c->ssrc[dir], 4);
	c->seq[dir]++;
	c->ts[dir] += MB_PAYLOAD;
	memset(p + 12, 0xff, MB_PAYLOAD);	/* µ-law silence */
	pl.magic = MB_MAGIC;
	pl.call = (uint32_t)c->idx;
	pl.stamp_ns = stamp;
	pl.seq = c->pkt[dir]++;
	pl.flags = flags;
	memcpy(p + 12, &pl, sizeof(pl));
	return MB_RTP_LEN;
}

static void
count_sent(struct mb *mb, struct mb_call *c, int dir, int64_t stamp)
{
	int64_t	sec = (stamp - mb->media_t0) / 1000000000LL;

	if (mb->measuring) {
		mb->d[dir].sent++;
		c->sent[dir]++;
	}
	if (sec >= 0 && sec < MB_TL_MAX)
		mb->tl[sec].sent++;
}

static void
tx_flush(struct txb *t)
{
	int	i = 0, n;

	while (i < t->n) {
		n = sendmmsg(t->fd, t->m + i, (unsigned)(t->n - i), 0);
		if (n <= 0)
			break;
		i += n;
	}
	t->n = 0;
}

/* Queue one datagram from a call's socket of side to the SBC; returns
 * its buffer (room for an SRTP trailer); set_len() fixes its length. */
static uint8_t *
tx_slot(struct mb *mb, struct mb_call *c, int side)
{
	struct txb	*t = &tx[side];
	int		 fd = mb->pool[side].fd[c->sock[side]];
	struct msghdr	*h;

	if (t->n == TXB || (t->n > 0 && t->fd != fd))
		tx_flush(t);
	t->fd = fd;
	h = &t->m[t->n].msg_hdr;
	memset(h, 0, sizeof(*h));
	t->iov[t->n].iov_base = t->buf[t->n];
	t->iov[t->n].iov_len = MB_RTP_LEN;
	h->msg_iov = &t->iov[t->n];
	h->msg_iovlen = 1;
	h->msg_name = &c->sbc[side];
	h->msg_namelen = sizeof(c->sbc[side]);
	return t->buf[t->n++];
}

/* One packet of the call's side (direction) into its batch: SRTP from
 * the browser side, plain RTP from the PBX side.  0, or -1. */
static int
queue_rtp(struct mb *mb, struct mb_call *c, int side, uint32_t flags)
{
	struct txb	*t = &tx[side];
	uint8_t		*p = tx_slot(mb, c, side);
	int64_t		 stamp = mb_real_ns();
	int		 len;

	len = (int)build_rtp(c, side, p, flags, stamp);
	if (side == MB_BROWSER &&
	    srtp_pair_protect(&c->srtp, p, &len, 0) == -1) {
		t->n--;
		return -1;
	}
	t->iov[t->n - 1].iov_len = (size_t)len;
	if (!(flags & MB_F_BURST))
		count_sent(mb, c, side, stamp);
	return 0;
}

void
media_send_slot(struct mb *mb, int slot)
{
	struct mb_call	*c;
	int		 i;

	for (i = slot; i < mb->o.ncalls; i += MB_SLOTS) {
		c = &mb->calls[i];
		if (!c->sending || c->state != MB_C_UP)
			continue;
		queue_rtp(mb, c, MB_BROWSER, mb->measuring ? MB_F_WINDOW : 0);
		queue_rtp(mb, c, MB_PBX, mb->measuring ? MB_F_WINDOW : 0);
	}
	tx_flush(&tx[MB_BROWSER]);
	tx_flush(&tx[MB_PBX]);
}

/* ------------------------------------------------------------ RTP in */

static void
rx_rtp(struct mb *mb, struct mb_call *c, int dir, const uint8_t *p,
    size_t len, int64_t rx_ns)
{
	struct rtp_hdr	 h;
	struct payload	 pl;
	int64_t		 lat, sec;

	if (rtp_parse(p, len, &h) == -1 || h.payload_len < sizeof(pl)) {
		mb->d[dir].bad++;
		return;
	}
	memcpy(&pl, p + h.payload_off, sizeof(pl));
	if (pl.magic != MB_MAGIC || pl.call != (uint32_t)c->idx) {
		mb->d[dir].bad++;
		return;
	}
	if (pl.flags & MB_F_BURST) {
		mb->d[dir].burst_recv++;
		if (rx_ns > mb->burst_last_rx)
			mb->burst_last_rx = rx_ns;
		return;
	}
	if (mb->measuring)
		mb->d[dir].relayed++;
	lat = rx_ns - pl.stamp_ns;
	if (pl.flags & MB_F_WINDOW) {
		mb->d[dir].recv++;
		c->recv[dir]++;
		hist_add(&mb->d[dir].h, lat);
	}
	sec = (pl.stamp_ns - mb->media_t0) / 1000000000LL;
	if (sec >= 0 && sec < MB_TL_MAX) {
		mb->tl[sec].recv++;
		if (lat > (int64_t)mb->tl[sec].max_ns)
			mb->tl[sec].max_ns = (uint64_t)lat;
	}
}

static int64_t
rx_stamp(struct msghdr *h)
{
	struct cmsghdr	*cm;
	struct timespec	 ts;

	for (cm = CMSG_FIRSTHDR(h); cm != NULL; cm = CMSG_NXTHDR(h, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		}
	return mb_real_ns();
}

static int
rx_batch(int fd)
{
	int	i;

	for (i = 0; i < RXB; i++) {
		memset(&rx.m[i].msg_hdr, 0, sizeof(rx.m[i].msg_hdr));
		rx.iov[i].iov_base = rx.buf[i];
		rx.iov[i].iov_len = MB_PKT;
		rx.m[i].msg_hdr.msg_iov = &rx.iov[i];
		rx.m[i].msg_hdr.msg_iovlen = 1;
		rx.m[i].msg_hdr.msg_name = &rx.from[i];
		rx.m[i].msg_hdr.msg_namelen = sizeof(rx.from[i]);
		rx.m[i].msg_hdr.msg_control = rx.ctl[i];
		rx.m[i].msg_hdr.msg_controllen = sizeof(rx.ctl[i]);
	}
	return recvmmsg(fd, rx.m, RXB, MSG_DONTWAIT, NULL);
}

static void
browser_stun(struct mb *mb, struct mb_call *c, const uint8_t *p, size_t len)
{
	if (len < 20 || p[0] != 0x01 || p[1] != 0x01 ||
	    memcmp(p + 4, c->stun_tid, sizeof(c->stun_tid)) != 0)
		return;			/* not our Binding success */
	mb->stun_ok++;
	if (c->state == MB_C_ICE)
		dtls_start(mb, c);
}

/* The call a datagram on socket sock of side belongs to, or NULL. */
static struct mb_call *
call_of(struct mb *mb, int side, int sock, const struct sockaddr_in *from)
{
	struct mb_call	*c;
	int		 k;

	if (mb->pool[side].n == mb->o.ncalls)
		c = &mb->calls[sock];
	else if ((k = mb->port2call[ntohs(from->sin_port)]) >= 0)
		c = &mb->calls[k];
	else
		return NULL;
	return c->sbc[side].sin_port == from->sin_port ? c : NULL;
}

static void
browser_datagram(struct mb *mb, struct mb_call *c, uint8_t *p, int len,
    struct msghdr *h)
{
	switch (rtp_classify(p, (size_t)len)) {
	case RTP_KIND_STUN:
		browser_stun(mb, c, p, (size_t)len);
		break;
	case RTP_KIND_DTLS:
		dtls_input(mb, c, p, (size_t)len);
		break;
	case RTP_KIND_RTP:
		if (!c->srtp_up ||
		    srtp_pair_unprotect(&c->srtp, p, &len, 0) == -1) {
			mb->d[MB_P2B].bad++;
			break;
		}
		rx_rtp(mb, c, MB_P2B, p, (size_t)len, rx_stamp(h));
		break;
	default:
		mb->d[MB_P2B].bad++;
	}
}

/* Socket sock of side is readable: drain it in batches. */
void
media_readable(struct mb *mb, int side, int sock)
{
	struct mb_call	*c;
	int		 i, n;

	do {
		n = rx_batch(mb->pool[side].fd[sock]);
		for (i = 0; i < n; i++) {
			c = call_of(mb, side, sock, &rx.from[i]);
			if (c == NULL) {
				mb->d[!side].bad++;
				continue;
			}
			if (side == MB_BROWSER)
				browser_datagram(mb, c, rx.buf[i],
				    (int)rx.m[i].msg_len, &rx.m[i].msg_hdr);
			else
				rx_rtp(mb, c, MB_B2P, rx.buf[i],
				    rx.m[i].msg_len,
				    rx_stamp(&rx.m[i].msg_hdr));
		}
	} while (n == RXB);
}

/* ------------------------------------------------------------ overload */

/* per packets of a second SSRC (the call's own stream stays in
 * sequence) from the call's side into the SBC. */
static void
burst_side(struct mb *mb, struct mb_call *c, int side, long per)
{
	uint32_t ssrc = c->ssrc[side], ts = c->ts[side];
	uint16_t seq = c->seq[side];
	long	 k;

	c->ssrc[side] = ~ssrc;
	for (k = 0; k < per; k++)
		if (queue_rtp(mb, c, side, MB_F_BURST) == 0)
			mb->d[side].burst_sent++;
	tx_flush(&tx[side]);
	c->ssrc[side] = ssrc;
	c->seq[side] = seq;
	c->ts[side] = ts;
}

/* npackets at once into the SBC: half to its browser-side ports (valid
 * SRTP, second SSRC), half to its PBX-side ports (plain RTP), spread over
 * every call that is up; the SBC relays what it can. */
void
media_burst(struct mb *mb, long npackets)
{
	long	per;
	int	i;

	if (mb->nup == 0)
		return;
	per = npackets / 2 / mb->nup;
	for (i = 0; i < mb->o.ncalls; i++)
		if (mb->calls[i].state == MB_C_UP) {
			burst_side(mb, &mb->calls[i], MB_BROWSER, per);
			burst_side(mb, &mb->calls[i], MB_PBX, per);
		}
	mb->burst_sent = mb->d[0].burst_sent + mb->d[1].burst_sent;
}

void
media_free(struct mb *mb)
{
	struct mb_call	*c;
	int		 i, side;

	for (i = 0; mb->calls != NULL && i < mb->o.ncalls; i++) {
		c = &mb->calls[i];
		if (c->dtls_inited)
			dtls_conn_free(&c->dtls);
		if (c->srtp_up)
			srtp_pair_free(&c->srtp);
	}
	for (side = 0; side < 2; side++) {
		for (i = 0; mb->pool[side].fd != NULL && i < mb->pool[side].n;
		    i++)
			if (mb->pool[side].fd[i] > 0)
				close(mb->pool[side].fd[i]);
		free(mb->pool[side].fd);
		free(mb->pool[side].port);
	}
	free(mb->port2call);
	free(mb->our_port);
	dtls_identity_free(&mb->id);
	srtp_global_shutdown();
}
