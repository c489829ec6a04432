/*
 * test_msess.c: cmocka unit tests for media/session.c, a media session's
 * browser-leg packet path, against a scripted browser on loopback: ICE
 * checks made with libnice's STUN agent, a DTLS handshake with our own
 * dtls_conn as the browser's end, SRTP from the exported keys, and a
 * plain-RTP socket playing the PBX.  Packets from the browser are fed to
 * msess_browser_packet() with the source address they claim; what the
 * session sends is read from real sockets.
 *
 * What is asserted: media is accepted from every address that passed a
 * check, not only the nominated one (Chromium moves its media to a pair
 * before nominating it, e.g. after an ICE restart), the session then
 * sends to where the browser's media came from, an address that passed
 * no check is refused, the table of checked addresses stays bounded and
 * never forgets the latched one, on the shared port each checked
 * address finds the session until it is freed, and the session lets its
 * DTLS connection go once the browser's SRTP shows the handshake is done.
 *
 * Thread: single-threaded test binary (the session's worker is played by
 * the test itself).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <event2/event.h>
#include <stun/usages/ice.h>

#include "media/dtls.h"
#include "media/session.h"
#include "media/srtp_ctx.h"
#include "media/worker_int.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "tests/unit/stun_client.h"
#include "tests/unit/udp_sock.h"

#define OUR_UFRAG	"sbcufrag"
#define OUR_PWD		"sbcpassword0123456789abc"
#define PAYLOAD		160

struct fix {
	struct sbc_log		log;
	struct sbc_ctx		ctx;
	struct sbc_service	svc;
	struct mworker		*w;
	struct dtls_identity	sbc_id, browser_id;
	StunAgent		agent;
	struct sock		a, b, d, pbx;	/* d: never checked */
	struct dtls_conn	cli;		/* the browser's DTLS */
	struct srtp_pair	bsrtp;		/* the browser's SRTP */
	int			bsrtp_up;
	struct msess		*s;
	uint16_t		seq;
};

/* ------------------------------------------------------------ helpers */

/* A datagram on k within ms milliseconds (the worker's loop runs
 * meanwhile): its length, or 0. */
static size_t
sock_recv(struct fix *f, struct sock *k, uint8_t *buf, size_t len, int ms)
{
	struct pollfd	pfd = { .fd = k->fd, .events = POLLIN };
	ssize_t		n;

	for (; ms >= 0; ms -= 10) {
		event_base_loop(f->w->loop.base, EVLOOP_NONBLOCK);
		if (f->w->shared_fd != -1)
			mw_flush(f->w);	/* the worker does after each turn */
		if (poll(&pfd, 1, 10) == 1 &&
		    (n = recv(k->fd, buf, len, MSG_DONTWAIT)) > 0)
			return (size_t)n;
	}
	return 0;
}

/* Two free consecutive ports for the PBX leg's RTP and RTCP. */
static int
free_port_pair(void)
{
	struct sock	k;
	int		port;

	sock_open(&k);
	port = ntohs(((struct sockaddr_in *)&k.addr)->sin_port);
	close(k.fd);
	return port < 65000 ? port : port - 1000;
}

/* An ICE check from k; the session's answer must be a success. */
static void
check_from(struct fix *f, struct sock *k, bool use_candidate)
{
	uint8_t			 req[512], rsp[512];
	StunMessage		 m;
	struct sockaddr_storage	 mapped;
	socklen_t		 mlen = sizeof(mapped);
	size_t			 n;

	n = stun_usage_ice_conncheck_create(&f->agent, &m, req, sizeof(req),
	    (const uint8_t *)OUR_UFRAG ":brws", strlen(OUR_UFRAG ":brws"),
	    (const uint8_t *)OUR_PWD, strlen(OUR_PWD), use_candidate, true,
	    0x6e7f1eff, 0x0123456789abcdefULL, NULL,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	assert_true(n > 20);
	msess_browser_packet(f->s, req, n, &k->addr, k->len);
	assert_true((n = sock_recv(f, k, rsp, sizeof(rsp), 1000)) > 0);
	assert_int_equal(stun_agent_validate(&f->agent, &m, rsp, n, NULL,
	    NULL), STUN_VALIDATION_SUCCESS);
	assert_int_equal(stun_usage_ice_conncheck_process(&m, &mapped, &mlen,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245), STUN_USAGE_ICE_RETURN_SUCCESS);
}

/* The browser's DTLS client against the session, over socket a. */
static void
dtls_handshake(struct fix *f)
{
	uint8_t	buf[2048];
	size_t	n;
	int	round;

	assert_int_equal(dtls_conn_init(&f->cli, &f->browser_id, 0,
	    f->sbc_id.fingerprint), 0);
	assert_int_equal(dtls_conn_start(&f->cli), 0);
	for (round = 0; round < 20 && !f->s->srtp_up; round++) {
		while ((n = dtls_conn_pending(&f->cli, buf, sizeof(buf))) > 0)
			msess_browser_packet(f->s, buf, n, &f->a.addr, f->a.len);
		while ((n = sock_recv(f, &f->a, buf, sizeof(buf), 50)) > 0)
			(void)dtls_conn_input(&f->cli, buf, n);
	}
	assert_int_equal(f->cli.state, DTLS_CONNECTED);
	assert_true(f->s->srtp_up);
	assert_int_equal(srtp_pair_init(&f->bsrtp, &f->cli.keys), 0);
	f->bsrtp_up = 1;
}

static size_t
rtp_make(uint8_t *pkt, uint16_t seq, uint32_t ssrc, uint8_t fill)
{
	memset(pkt, 0, 12);
	pkt[0] = 0x80;
	pkt[1] = 111;
	pkt[2] = seq >> 8;
	pkt[3] = seq & 0xff;
	pkt[8] = ssrc >> 24;
	pkt[9] = (ssrc >> 16) & 0xff;
	pkt[10] = (ssrc >> 8) & 0xff;
	pkt[11] = ssrc & 0xff;
	memset(pkt + 12, fill, PAYLOAD);
	return 12 + PAYLOAD;
}

/* SRTP claiming to come from k: did the PBX get it, in the clear? */
static int
srtp_from(struct fix *f, struct sock *k, uint8_t fill)
{
	uint8_t	pkt[MW_PKT], got[MW_PKT];
	int	len = (int)rtp_make(pkt, ++f->seq, 0x11223344, fill);
	size_t	n;

	assert_int_equal(srtp_pair_protect(&f->bsrtp, pkt, &len, 0), 0);
	msess_browser_packet(f->s, pkt, (size_t)len, &k->addr, k->len);
	if ((n = sock_recv(f, &f->pbx, got, sizeof(got), 200)) == 0)
		return 0;
	return n == 12 + PAYLOAD && got[12] == fill && got[12 + PAYLOAD - 1] ==
	    fill;
}

/* Plain RTP from the PBX: which browser socket got it, decryptable? */
static struct sock *
pbx_rtp_lands(struct fix *f, uint8_t fill)
{
	struct sockaddr_storage	 to;
	socklen_t		 tolen = sizeof(to);
	struct sock		*ks[] = { &f->a, &f->b, &f->d };
	uint8_t			 pkt[MW_PKT];
	size_t			 i, n;
	int			 len;

	assert_int_equal(getsockname(f->s->p_fd, (struct sockaddr *)&to,
	    &tolen), 0);
	n = rtp_make(pkt, 1000 + f->seq, 0x55667788, fill);
	assert_int_equal(sendto(f->pbx.fd, pkt, n, 0, (struct sockaddr *)&to,
	    tolen), (ssize_t)n);
	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		if ((len = (int)sock_recv(f, ks[i], pkt, sizeof(pkt),
		    i == 0 ? 300 : 50)) == 0)
			continue;
		assert_int_equal(srtp_pair_unprotect(&f->bsrtp, pkt, &len, 0), 0);
		assert_int_equal(pkt[12], fill);
		return ks[i];
	}
	return NULL;
}

/* ------------------------------------------------------------ fixture */

static int
setup_with(void **state, int shared)
{
	struct fix		*f = calloc(1, sizeof(*f));
	struct media_params	 p;
	struct sockaddr_in	*pr = (struct sockaddr_in *)&p.p_remote;

	assert_non_null(f);
	sbc_log_init(&f->log, SBC_LOG_STDERR, LOG_WARNING, LOG_DAEMON, "test");
	f->ctx.log = &f->log;
	f->svc.ctx = &f->ctx;
	assert_non_null(f->w = calloc(1, sizeof(*f->w)));
	f->w->svc = &f->svc;
	assert_non_null(f->w->loop.base = event_base_new());
	assert_int_equal(stun_lite_init(&f->w->stun), 0);
	assert_int_equal(idmap_init(&f->w->by_ufrag, 8), 0);
	assert_int_equal(idmap_init(&f->w->by_addr, 8), 0);
	assert_int_equal(dtls_identity_init(&f->sbc_id, NULL, NULL), 0);
	assert_int_equal(dtls_identity_init(&f->browser_id, NULL, NULL), 0);
	f->w->dtls = &f->sbc_id;
	f->w->shared_fd = shared ? mw_bind_udp("127.0.0.1", 0) : -1;
	stun_client_init(&f->agent, 1);
	sock_open(&f->a);
	sock_open(&f->b);
	sock_open(&f->d);
	sock_open(&f->pbx);

	memset(&p, 0, sizeof(p));
	snprintf(p.b_addr, sizeof(p.b_addr), "127.0.0.1");
	snprintf(p.p_addr, sizeof(p.p_addr), "127.0.0.1");
	p.p_port = free_port_pair();
	snprintf(p.ice_ufrag, sizeof(p.ice_ufrag), OUR_UFRAG);
	snprintf(p.ice_pwd, sizeof(p.ice_pwd), OUR_PWD);
	snprintf(p.remote_fingerprint, sizeof(p.remote_fingerprint), "%s",
	    f->browser_id.fingerprint);
	p.dtls_server = 1;
	memcpy(pr, &f->pbx.addr, sizeof(*pr));
	p.p_remote_set = 1;
	p.timeout = 30;
	assert_int_equal(msess_create(f->w, 1, NULL, &p, &f->s), 0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_with(state, 0);
}

static int
setup_shared(void **state)
{
	return setup_with(state, 1);
}

static int
teardown(void **state)
{
	struct fix	*f = *state;

	if (f->s != NULL)
		msess_free(f->s);
	if (f->cli.ssl != NULL)
		dtls_conn_free(&f->cli);
	if (f->bsrtp_up)
		srtp_pair_free(&f->bsrtp);
	close(f->a.fd);
	close(f->b.fd);
	close(f->d.fd);
	close(f->pbx.fd);
	if (f->w->shared_fd != -1)
		close(f->w->shared_fd);
	idmap_free(&f->w->by_ufrag);
	idmap_free(&f->w->by_addr);
	event_base_free(f->w->loop.base);
	dtls_identity_free(&f->sbc_id);
	dtls_identity_free(&f->browser_id);
	free(f->w);
	free(f);
	return 0;
}

/* ------------------------------------------------------------ tests */

/* The nominated pair carries media both ways. */
static void
test_nominated_pair(void **state)
{
	struct fix	*f = *state;

	check_from(f, &f->a, true);
	dtls_handshake(f);
	assert_true(srtp_from(f, &f->a, 0x11));
	assert_ptr_equal(pbx_rtp_lands(f, 0x22), &f->a);
}

/*
 * A pair that passed a check but is not nominated (yet): the browser's
 * media from it reaches the PBX, and the PBX's media follows it there.
 */
static void
test_media_moves_before_nomination(void **state)
{
	struct fix	*f = *state;

	check_from(f, &f->a, true);
	dtls_handshake(f);
	check_from(f, &f->b, false);
	assert_ptr_equal(pbx_rtp_lands(f, 0x21), &f->a);	/* not yet */
	assert_true(srtp_from(f, &f->b, 0x33));
	assert_ptr_equal(pbx_rtp_lands(f, 0x44), &f->b);
	assert_true(srtp_from(f, &f->a, 0x55));	/* and back */
	assert_ptr_equal(pbx_rtp_lands(f, 0x66), &f->a);
}

/* The browser's first authenticated SRTP shows it finished DTLS: the
 * session frees its SSL, media flows on both ways, and a late DTLS
 * datagram is dropped and counted. */
static void
test_dtls_retired(void **state)
{
	struct fix	*f = *state;
	uint8_t		 rec[64];
	uint64_t	 dropped;

	check_from(f, &f->a, true);
	dtls_handshake(f);
	assert_non_null(f->s->dtls.ssl);
	assert_true(srtp_from(f, &f->a, 0x11));
	assert_null(f->s->dtls.ssl);
	assert_int_equal(f->s->dtls.state, DTLS_CONNECTED);
	memset(rec, 0, sizeof(rec));
	rec[0] = 22;		/* a handshake record */
	rec[1] = 0xfe;
	rec[2] = 0xfd;
	dropped = f->s->dropped;
	msess_browser_packet(f->s, rec, sizeof(rec), &f->a.addr, f->a.len);
	assert_int_equal(f->s->dropped, dropped + 1);
	assert_true(srtp_from(f, &f->a, 0x12));
	assert_ptr_equal(pbx_rtp_lands(f, 0x22), &f->a);
}

/* An address that never passed a check gets nowhere, even with the
 * right keys; the session keeps sending where it did. */
static void
test_unchecked_refused(void **state)
{
	struct fix	*f = *state;
	uint64_t	 dropped;

	check_from(f, &f->a, true);
	dtls_handshake(f);
	dropped = f->s->dropped;
	assert_false(srtp_from(f, &f->d, 0x77));
	assert_int_equal(f->s->dropped, dropped + 1);
	assert_false(msess_browser_valid(f->s, &f->d.addr, f->d.len));
	assert_ptr_equal(pbx_rtp_lands(f, 0x88), &f->a);
}

/* Many checked addresses: the table stays bounded, the latched address
 * is never forgotten, the newest is kept. */
static void
test_bounded(void **state)
{
	struct fix	*f = *state;
	struct sock	 more[MSESS_VALID_MAX + 2];
	size_t		 i;

	check_from(f, &f->a, true);
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		sock_open(&more[i]);
		check_from(f, &more[i], false);
		assert_true(f->s->b_nvalid <= MSESS_VALID_MAX);
		assert_true(msess_browser_valid(f->s, &f->a.addr, f->a.len));
		assert_true(msess_browser_valid(f->s, &more[i].addr,
		    more[i].len));
	}
	assert_false(msess_browser_valid(f->s, &more[0].addr, more[0].len));
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		close(more[i].fd);
}

/* On the shared port every checked address maps to the session, and
 * none after it is freed. */
static void
test_shared_port_map(void **state)
{
	struct fix	*f = *state;
	struct idmap	*m = &f->w->by_addr;

	assert_int_equal(f->s->b_fd, f->w->shared_fd);
	check_from(f, &f->a, true);
	check_from(f, &f->b, false);
	assert_ptr_equal(idmap_get(m, mw_addr_hash(&f->a.addr, f->a.len)),
	    f->s);
	assert_ptr_equal(idmap_get(m, mw_addr_hash(&f->b.addr, f->b.len)),
	    f->s);
	assert_null(idmap_get(m, mw_addr_hash(&f->d.addr, f->d.len)));
	msess_free(f->s);
	f->s = NULL;
	assert_null(idmap_get(m, mw_addr_hash(&f->a.addr, f->a.len)));
	assert_null(idmap_get(m, mw_addr_hash(&f->b.addr, f->b.len)));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_nominated_pair, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_media_moves_before_nomination, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchecked_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_retired, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shared_port_map,
		    setup_shared, teardown),
	};
	int	rc;

	if (srtp_global_init() == -1)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	srtp_global_shutdown();
	return rc;
}
