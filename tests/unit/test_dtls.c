/*
 * test_dtls.c: cmocka unit tests for media/dtls.c and media/srtp_ctx.c:
 * in-memory DTLS-SRTP handshakes between two identities (every profile,
 * fingerprint mismatch, garbage, fragmented ClientHello, retransmission,
 * close_notify) and SRTP/SRTCP round trips on the exported keys and on
 * SDES keys (auth failure, replay, sequence-number jumps).
 *
 * Thread: single-threaded test binary; libsrtp's global init in the group
 * setup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "media/dtls.h"
#include "media/rtp.h"
#include "media/srtp_ctx.h"

struct ids {
	struct dtls_identity	a;	/* the "browser" (client) */
	struct dtls_identity	b;	/* the SBC (server) */
};

static const char *const profiles[] = {
	"SRTP_AEAD_AES_256_GCM", "SRTP_AEAD_AES_128_GCM",
	"SRTP_AES128_CM_SHA1_80",
};
static const int profile_ids[] = {
	SRTP_KEYS_AEAD_AES_256_GCM, SRTP_KEYS_AEAD_AES_128_GCM,
	SRTP_KEYS_AES128_CM_SHA1_80,
};

static int
group_setup(void **state)
{
	struct ids	*ids;

	if (srtp_global_init() == -1)
		return -1;
	if ((ids = calloc(1, sizeof(*ids))) == NULL)
		return -1;
	if (dtls_identity_init(&ids->a, NULL, NULL) == -1 ||
	    dtls_identity_init(&ids->b, NULL, NULL) == -1)
		return -1;
	*state = ids;
	return 0;
}

static int
group_teardown(void **state)
{
	struct ids	*ids = *state;

	dtls_identity_free(&ids->a);
	dtls_identity_free(&ids->b);
	free(ids);
	srtp_global_shutdown();
	return 0;
}

/* ------------------------------------------------------------ helpers */

typedef void (*inject_fn)(struct dtls_conn *);

/* Move datagrams both ways until quiet; `inject` may add noise. */
static int
pump(struct dtls_conn *a, struct dtls_conn *b, inject_fn inject)
{
	uint8_t	buf[2048];
	size_t	n;
	int	moved, total = 0, round;

	for (round = 0; round < 64; round++) {
		moved = 0;
		while ((n = dtls_conn_pending(a, buf, sizeof(buf))) > 0) {
			assert_true(n <= DTLS_MTU);
			(void)dtls_conn_input(b, buf, n);
			if (inject != NULL)
				inject(b);
			moved++;
		}
		while ((n = dtls_conn_pending(b, buf, sizeof(buf))) > 0) {
			assert_true(n <= DTLS_MTU);
			(void)dtls_conn_input(a, buf, n);
			if (inject != NULL)
				inject(a);
			moved++;
		}
		if (moved == 0)
			break;
		total += moved;
	}
	return total;
}

static void
conns_init(struct ids *ids, struct dtls_conn *cli, struct dtls_conn *srv,
    const char *cli_fp, const char *srv_fp)
{
	assert_int_equal(dtls_conn_init(cli, &ids->a, 0,
	    cli_fp != NULL ? cli_fp : ids->b.fingerprint), 0);
	assert_int_equal(dtls_conn_init(srv, &ids->b, 1,
	    srv_fp != NULL ? srv_fp : ids->a.fingerprint), 0);
}

static void
handshake(struct ids *ids, struct dtls_conn *cli, struct dtls_conn *srv,
    const char *profile)
{
	conns_init(ids, cli, srv, NULL, NULL);
	if (profile != NULL)
		assert_int_equal(dtls_conn_set_profiles(cli, profile), 0);
	assert_int_equal(dtls_conn_start(srv), 0);
	assert_int_equal(dtls_conn_start(cli), 0);
	pump(cli, srv, NULL);
	assert_int_equal(cli->state, DTLS_CONNECTED);
	assert_int_equal(srv->state, DTLS_CONNECTED);
}

static void
assert_mirrored(const struct srtp_keys *c, const struct srtp_keys *s)
{
	size_t	n = c->key_len + c->salt_len;
	uint8_t	zero[SRTP_KEYS_MAX];

	memset(zero, 0, sizeof(zero));
	assert_int_equal(c->profile, s->profile);
	assert_int_equal(c->key_len, s->key_len);
	assert_int_equal(c->salt_len, s->salt_len);
	assert_memory_equal(c->local_key, s->remote_key, n);
	assert_memory_equal(c->remote_key, s->local_key, n);
	assert_memory_not_equal(c->local_key, c->remote_key, n);
	assert_memory_not_equal(c->local_key, zero, n);
}

/* ------------------------------------------------------------ DTLS */

static void
test_fingerprint_format(void **state)
{
	struct ids	*ids = *state;
	const char	*fp = ids->a.fingerprint;
	size_t		 i;

	assert_int_equal(strlen(fp), 8 + 95);
	assert_memory_equal(fp, "sha-256 ", 8);
	for (i = 8; fp[i] != '\0'; i++) {
		if ((i - 8) % 3 == 2)
			assert_int_equal(fp[i], ':');
		else
			assert_non_null(strchr("0123456789ABCDEF", fp[i]));
	}
	assert_string_not_equal(ids->a.fingerprint, ids->b.fingerprint);
}

static void
write_pem(const char *path, struct dtls_identity *id, int key)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	if (key)
		assert_int_equal(PEM_write_PrivateKey(f,
		    SSL_CTX_get0_privatekey(id->ctx), NULL, NULL, 0, NULL,
		    NULL), 1);
	else
		assert_int_equal(PEM_write_X509(f,
		    SSL_CTX_get0_certificate(id->ctx)), 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_identity_files(void **state)
{
	struct ids		*ids = *state;
	struct dtls_identity	 id;
	char			 cert[] = "/tmp/test_dtls_cert_XXXXXX";
	char			 key[] = "/tmp/test_dtls_key_XXXXXX";
	char			 okey[] = "/tmp/test_dtls_okey_XXXXXX";
	int			 fd;

	assert_true((fd = mkstemp(cert)) != -1);
	close(fd);
	assert_true((fd = mkstemp(key)) != -1);
	close(fd);
	assert_true((fd = mkstemp(okey)) != -1);
	close(fd);
	write_pem(cert, &ids->a, 0);
	write_pem(key, &ids->a, 1);
	write_pem(okey, &ids->b, 1);

	assert_int_equal(dtls_identity_init(&id, cert, key), 0);
	assert_string_equal(id.fingerprint, ids->a.fingerprint);
	dtls_identity_free(&id);

	assert_int_equal(dtls_identity_init(&id, cert, okey), -1);
	assert_int_equal(dtls_identity_init(&id, cert, NULL), -1);
	assert_int_equal(dtls_identity_init(&id, "/nonexistent", key), -1);
	assert_int_equal(dtls_identity_init(&id, key, key), -1);
	dtls_identity_free(&id);	/* idempotent after failure */
	unlink(cert);
	unlink(key);
	unlink(okey);
}

static void
test_handshake_default(void **state)
{
	struct dtls_conn	cli, srv;

	handshake(*state, &cli, &srv, NULL);
	/* our (server) preference wins: AES-256-GCM */
	assert_int_equal(cli.keys.profile, SRTP_KEYS_AEAD_AES_256_GCM);
	assert_int_equal(cli.keys.key_len, 32);
	assert_int_equal(cli.keys.salt_len, 12);
	assert_mirrored(&cli.keys, &srv.keys);
	assert_int_equal(dtls_conn_timeout_ms(&srv), -1);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

static void
test_handshake_each_profile(void **state)
{
	struct dtls_conn	cli, srv;
	size_t			i, kl, sl;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		handshake(*state, &cli, &srv, profiles[i]);
		assert_int_equal(cli.keys.profile, profile_ids[i]);
		assert_int_equal(srtp_keys_lengths(profile_ids[i], &kl, &sl),
		    0);
		assert_int_equal(cli.keys.key_len, kl);
		assert_int_equal(cli.keys.salt_len, sl);
		assert_mirrored(&cli.keys, &srv.keys);
		dtls_conn_free(&cli);
		dtls_conn_free(&srv);
	}
}

static void
test_no_common_profile(void **state)
{
	struct dtls_conn	cli, srv;

	conns_init(*state, &cli, &srv, NULL, NULL);
	assert_int_equal(dtls_conn_set_profiles(&cli,
	    "SRTP_AES128_CM_SHA1_32"), 0);
	assert_int_equal(dtls_conn_set_profiles(&cli, "NOT_A_PROFILE"), -1);
	assert_int_equal(dtls_conn_start(&cli), 0);
	pump(&cli, &srv, NULL);
	/* OpenSSL's server completes without use_srtp; we refuse. */
	assert_int_equal(srv.state, DTLS_FAILED);
	assert_int_equal(srv.fail, DTLS_FAIL_PROFILE);
	assert_int_not_equal(cli.state, DTLS_HANDSHAKING);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

static const char wrong_fp[] = "sha-256 "
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

static void
assert_dead(struct dtls_conn *c)
{
	uint8_t	buf[2048];
	uint8_t	junk[64];

	memset(junk, 22, sizeof(junk));
	assert_int_equal(dtls_conn_input(c, junk, sizeof(junk)), -1);
	assert_int_equal(dtls_conn_timeout_ms(c), -1);
	assert_int_equal(dtls_conn_handle_timeout(c), -1);
	while (dtls_conn_pending(c, buf, sizeof(buf)) > 0)
		;
	assert_int_equal(dtls_conn_pending(c, buf, sizeof(buf)), 0);
}

static void
test_fingerprint_mismatch_client(void **state)
{
	struct dtls_conn	cli, srv;

	conns_init(*state, &cli, &srv, wrong_fp, NULL);
	assert_int_equal(dtls_conn_start(&cli), 0);
	pump(&cli, &srv, NULL);
	assert_int_equal(cli.state, DTLS_FAILED);
	assert_int_equal(cli.fail, DTLS_FAIL_FINGERPRINT);
	assert_string_equal(dtls_fail_str(cli.fail),
	    "certificate fingerprint mismatch");
	/* the client's alert ends the server too */
	assert_int_equal(srv.state, DTLS_FAILED);
	assert_int_equal(srv.fail, DTLS_FAIL_HANDSHAKE);
	assert_dead(&cli);
	assert_dead(&srv);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

static void
test_fingerprint_mismatch_server(void **state)
{
	struct dtls_conn	cli, srv;

	conns_init(*state, &cli, &srv, NULL, wrong_fp);
	assert_int_equal(dtls_conn_start(&cli), 0);
	pump(&cli, &srv, NULL);
	assert_int_equal(srv.state, DTLS_FAILED);
	assert_int_equal(srv.fail, DTLS_FAIL_FINGERPRINT);
	assert_int_not_equal(cli.state, DTLS_CONNECTED);
	assert_dead(&srv);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

static void
test_fingerprint_parse(void **state)
{
	struct ids		*ids = *state;
	struct dtls_conn	 c, cli, srv;
	char			 lower[DTLS_FP_MAX];
	size_t			 i;

	assert_int_equal(dtls_conn_init(&c, &ids->b, 1, NULL), -1);
	dtls_conn_free(&c);
	assert_int_equal(dtls_conn_init(&c, &ids->b, 1, "sha-256"), -1);
	assert_int_equal(dtls_conn_init(&c, &ids->b, 1, "md5 00:11"), -1);
	assert_int_equal(dtls_conn_init(&c, &ids->b, 1,
	    "sha-256 00:11:22"), -1);
	assert_int_equal(dtls_conn_init(&c, &ids->b, 1, wrong_fp + 1), -1);
	assert_int_equal(dtls_conn_init(&c, NULL, 1, wrong_fp), -1);
	dtls_conn_free(&c);

	/* lowercase hex, uppercase name, extra blanks: still matches */
	snprintf(lower, sizeof(lower), "SHA-256  %s\r\n",
	    ids->a.fingerprint + 8);
	for (i = 9; lower[i] != '\0'; i++)
		if (lower[i] >= 'A' && lower[i] <= 'F')
			lower[i] += 'a' - 'A';
	conns_init(ids, &cli, &srv, NULL, lower);
	assert_int_equal(strlen(srv.remote_fp), 8 + 95);
	assert_memory_equal(srv.remote_fp, "sha-256 ", 8);
	assert_int_equal(dtls_conn_start(&cli), 0);
	pump(&cli, &srv, NULL);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_int_equal(cli.state, DTLS_CONNECTED);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

/* Noise a man on the path (or a confused peer) could send. */
static void
inject_garbage(struct dtls_conn *c)
{
	uint8_t	buf[300];
	size_t	i;

	RAND_bytes(buf, sizeof(buf));
	buf[0] = 22;				/* random "handshake" */
	(void)dtls_conn_input(c, buf, sizeof(buf));
	buf[0] = 23;				/* random "app data" */
	(void)dtls_conn_input(c, buf, 40);
	for (i = 1; i < 14; i++)		/* truncated headers */
		(void)dtls_conn_input(c, buf, i);
	memcpy(buf, "\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x63\x7f\xff",
	    13);				/* length past the end */
	(void)dtls_conn_input(c, buf, 100);
	memcpy(buf, "\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x09\x00\x40",
	    13);				/* epoch 1, bad MAC */
	(void)dtls_conn_input(c, buf, 13 + 64);
	buf[0] = 0;				/* STUN */
	(void)dtls_conn_input(c, buf, 20);
	buf[0] = 0x80;				/* RTP */
	(void)dtls_conn_input(c, buf, 172);
	(void)dtls_conn_input(c, buf, 0);
	(void)dtls_conn_input(c, NULL, 5);
}

static void
test_garbage_during_handshake(void **state)
{
	struct dtls_conn	cli, srv;

	conns_init(*state, &cli, &srv, NULL, NULL);
	inject_garbage(&srv);		/* before the ClientHello */
	assert_int_equal(srv.state, DTLS_HANDSHAKING);
	assert_int_equal(dtls_conn_start(&cli), 0);
	pump(&cli, &srv, inject_garbage);
	assert_int_equal(cli.state, DTLS_CONNECTED);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_mirrored(&cli.keys, &srv.keys);
	assert_true(srv.dropped_in > 0);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

static void
test_garbage_after_handshake(void **state)
{
	struct dtls_conn	cli, srv;
	struct srtp_keys	keep;
	int			i;

	handshake(*state, &cli, &srv, NULL);
	keep = cli.keys;
	for (i = 0; i < 20; i++) {
		inject_garbage(&cli);
		inject_garbage(&srv);
	}
	pump(&cli, &srv, NULL);
	assert_int_equal(cli.state, DTLS_CONNECTED);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_memory_equal(&keep, &cli.keys, sizeof(keep));
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
	/* and after free: refused, no crash */
	assert_dead(&cli);
}

/* Retired after the handshake: no SSL, still CONNECTED, every call
 * refused or empty, and free afterwards is safe. */
static void
test_retire(void **state)
{
	struct dtls_conn	cli, srv;

	handshake(*state, &cli, &srv, NULL);
	dtls_conn_retire(&srv);
	assert_null(srv.ssl);
	assert_null(srv.outq);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_dead(&srv);
	dtls_conn_retire(&srv);		/* twice: nothing left to free */
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

/* A ClientHello extension as big as a post-quantum key share. */
static int
big_ext_add(SSL *s, unsigned int type, const unsigned char **out,
    size_t *outlen, int *al, void *arg)
{
	static const unsigned char	blob[1250];

	*out = blob;
	*outlen = sizeof(blob);
	return 1;
}

static void
test_fragmented_client_hello(void **state)
{
	struct ids		*ids = *state;
	struct dtls_identity	 big;
	struct dtls_conn	 cli, srv;
	uint8_t			 dg[8][2048];
	size_t			 len[8], n = 0;

	assert_int_equal(dtls_identity_init(&big, NULL, NULL), 0);
	assert_int_equal(SSL_CTX_add_client_custom_ext(big.ctx, 0xff42,
	    big_ext_add, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(dtls_conn_init(&cli, &big, 0, ids->b.fingerprint),
	    0);
	assert_int_equal(dtls_conn_init(&srv, &ids->b, 1, big.fingerprint),
	    0);
	assert_int_equal(dtls_conn_start(&cli), 0);
	while (n < 8 && (len[n] = dtls_conn_pending(&cli, dg[n],
	    sizeof(dg[n]))) > 0) {
		assert_true(len[n] <= DTLS_MTU);
		n++;
	}
	assert_true(n >= 2);		/* the ClientHello was fragmented */
	while (n-- > 0)			/* and arrives out of order */
		assert_int_equal(dtls_conn_input(&srv, dg[n], len[n]), 0);
	pump(&cli, &srv, NULL);
	assert_int_equal(cli.state, DTLS_CONNECTED);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_mirrored(&cli.keys, &srv.keys);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
	dtls_identity_free(&big);
}

static void
sleep_ms(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void
test_retransmit(void **state)
{
	struct dtls_conn	cli, srv;
	uint8_t			buf[2048];
	int			ms;

	conns_init(*state, &cli, &srv, NULL, NULL);
	assert_int_equal(dtls_conn_timeout_ms(&cli), -1);
	assert_int_equal(dtls_conn_start(&cli), 0);
	while (dtls_conn_pending(&cli, buf, sizeof(buf)) > 0)
		;			/* the ClientHello is lost */
	ms = dtls_conn_timeout_ms(&cli);
	assert_true(ms > 0 && ms <= 400);
	assert_int_equal(dtls_conn_handle_timeout(&cli), 0);
	assert_int_equal(dtls_conn_pending(&cli, buf, sizeof(buf)), 0);
	sleep_ms(ms + 20);
	assert_int_equal(dtls_conn_timeout_ms(&cli), 0);
	assert_int_equal(dtls_conn_handle_timeout(&cli), 0);
	/* doubled for the next one */
	ms = dtls_conn_timeout_ms(&cli);
	assert_true(ms > 400 && ms <= 800);
	pump(&cli, &srv, NULL);		/* resent ClientHello */
	assert_int_equal(cli.state, DTLS_CONNECTED);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

/* Datagrams from a to b (or dropped if b is NULL); how many. */
static int
move(struct dtls_conn *a, struct dtls_conn *b)
{
	uint8_t	buf[2048];
	size_t	n;
	int	k = 0;

	while ((n = dtls_conn_pending(a, buf, sizeof(buf))) > 0) {
		if (b != NULL)
			(void)dtls_conn_input(b, buf, n);
		k++;
	}
	return k;
}

/* The server's last flight (CCS, Finished) is lost: the client resends
 * its flight, the already connected server answers it again. */
static void
test_lost_final_flight(void **state)
{
	struct dtls_conn	cli, srv;
	int			ms;

	conns_init(*state, &cli, &srv, NULL, NULL);
	assert_int_equal(dtls_conn_start(&cli), 0);
	assert_int_equal(move(&cli, &srv), 1);		/* ClientHello */
	assert_int_equal(move(&srv, &cli), 1);		/* ServerHello.. */
	assert_int_equal(move(&cli, &srv), 1);		/* Certificate.. */
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_int_equal(move(&srv, NULL), 1);		/* lost */
	assert_int_equal(cli.state, DTLS_HANDSHAKING);
	ms = dtls_conn_timeout_ms(&cli);
	assert_true(ms > 0 && ms <= 400);
	sleep_ms(ms + 20);
	assert_int_equal(dtls_conn_handle_timeout(&cli), 0);
	/* resent: OpenSSL flushes each message of a retransmitted flight
	 * as its own datagram (5 here, 1 the first time) */
	assert_true(move(&cli, &srv) >= 1);
	assert_int_equal(srv.state, DTLS_CONNECTED);
	assert_true(move(&srv, &cli) >= 1);		/* answered again */
	assert_int_equal(cli.state, DTLS_CONNECTED);
	assert_mirrored(&cli.keys, &srv.keys);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

static void
test_close_notify(void **state)
{
	struct dtls_conn	cli, srv;

	handshake(*state, &cli, &srv, NULL);
	dtls_conn_close(&cli);
	assert_int_equal(cli.state, DTLS_CLOSED);
	pump(&cli, &srv, NULL);
	assert_int_equal(srv.state, DTLS_CLOSED);
	assert_int_equal(srv.fail, DTLS_FAIL_NONE);
	assert_dead(&srv);
	dtls_conn_free(&cli);
	dtls_conn_free(&srv);
}

/* ------------------------------------------------------------ SRTP */

#define RTP_LEN		172	/* 12 + 160: G.711, 20 ms */
#define RTCP_LEN	32	/* RR with one report block */
#define PKT_MAX		(RTP_LEN + SRTP_PAIR_TRAILER_MAX)

static int
rtp_packet(uint8_t *p, uint16_t seq, uint32_t ssrc)
{
	uint32_t	ts = (uint32_t)seq * 160;

	memset(p, 0, PKT_MAX);
	p[0] = 0x80;
	p[1] = 0;			/* PCMU */
	p[2] = seq >> 8;
	p[3] = seq & 0xff;
	p[4] = ts >> 24;
	p[5] = ts >> 16;
	p[6] = ts >> 8;
	p[7] = ts;
	p[8] = ssrc >> 24;
	p[9] = ssrc >> 16;
	p[10] = ssrc >> 8;
	p[11] = ssrc;
	memset(p + 12, 0xd5 ^ (seq & 0xff), RTP_LEN - 12);
	return RTP_LEN;
}

static int
rtcp_packet(uint8_t *p, uint32_t ssrc)
{
	memset(p, 0, PKT_MAX);
	p[0] = 0x81;			/* V=2, RC=1 */
	p[1] = 201;			/* RR */
	p[3] = RTCP_LEN / 4 - 1;
	p[4] = ssrc >> 24;
	p[5] = ssrc >> 16;
	p[6] = ssrc >> 8;
	p[7] = ssrc;
	memset(p + 8, 0x5a, RTCP_LEN - 8);
	return RTCP_LEN;
}

/* One packet from `tx` to `rx`: intact, bit-flipped, replayed. */
static void
check_direction(struct srtp_pair *tx, struct srtp_pair *rx, int rtcp,
    uint16_t seq)
{
	uint8_t	plain[PKT_MAX], pkt[PKT_MAX], copy[PKT_MAX], bad[PKT_MAX];
	int	len, plen, clen, blen;

	plen = rtcp ? rtcp_packet(plain, 0x1234) : rtp_packet(plain, seq,
	    0x1234);
	memcpy(pkt, plain, sizeof(pkt));
	len = plen;
	assert_int_equal(srtp_pair_protect(tx, pkt, &len, rtcp), 0);
	assert_true(len > plen && len <= plen + SRTP_PAIR_TRAILER_MAX);
	assert_memory_not_equal(pkt + 12, plain + 12, 16);
	memcpy(copy, pkt, sizeof(copy));
	memcpy(bad, pkt, sizeof(bad));
	clen = blen = len;
	bad[20] ^= 0x01;
	assert_int_equal(srtp_pair_unprotect(rx, bad, &blen, rtcp), -1);
	assert_int_equal(rx->err, srtp_err_status_auth_fail);
	assert_int_equal(srtp_pair_unprotect(rx, pkt, &len, rtcp), 0);
	assert_int_equal(len, plen);
	assert_memory_equal(pkt, plain, plen);
	assert_int_equal(srtp_pair_unprotect(rx, copy, &clen, rtcp), -1);
	assert_int_equal(rx->err, srtp_err_status_replay_fail);
}

static void
check_pairs(struct srtp_pair *a, struct srtp_pair *b)
{
	uint16_t	seq;

	for (seq = 100; seq < 103; seq++) {
		check_direction(a, b, 0, seq);
		check_direction(b, a, 0, seq);
		check_direction(a, b, 1, seq);
		check_direction(b, a, 1, seq);
	}
	assert_int_equal(b->stats.auth_fail, 6);
	assert_int_equal(b->stats.replay_fail, 6);
	assert_int_equal(a->stats.protect_fail, 0);
}

static void
test_srtp_dtls_profiles(void **state)
{
	struct dtls_conn	cli, srv;
	struct srtp_pair	pc, ps;
	size_t			i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		handshake(*state, &cli, &srv, profiles[i]);
		assert_int_equal(srtp_pair_init(&pc, &cli.keys), 0);
		assert_int_equal(srtp_pair_init(&ps, &srv.keys), 0);
		check_pairs(&pc, &ps);
		srtp_pair_free(&pc);
		srtp_pair_free(&ps);
		srtp_pair_free(&ps);	/* idempotent */
		dtls_conn_free(&cli);
		dtls_conn_free(&srv);
	}
}

static const struct {
	const char	*name;
	size_t		 len;
} sdes[] = {
	{ "AES_CM_128_HMAC_SHA1_80", 30 }, { "AES_CM_128_HMAC_SHA1_32", 30 },
	{ "AEAD_AES_128_GCM", 28 }, { "AEAD_AES_256_GCM", 44 },
	{ "AES_256_CM_HMAC_SHA1_80", 46 },
};

static void
test_srtp_sdes_suites(void **state)
{
	struct srtp_pair	a, b;
	uint8_t			ka[SRTP_KEYS_MAX], kb[SRTP_KEYS_MAX];
	size_t			i;

	for (i = 0; i < sizeof(sdes) / sizeof(sdes[0]); i++) {
		assert_int_equal(RAND_bytes(ka, sizeof(ka)), 1);
		assert_int_equal(RAND_bytes(kb, sizeof(kb)), 1);
		assert_int_equal(srtp_pair_init_sdes(&a, sdes[i].name,
		    ka, sdes[i].len, kb, sdes[i].len), 0);
		assert_int_equal(srtp_pair_init_sdes(&b, sdes[i].name,
		    kb, sdes[i].len, ka, sdes[i].len), 0);
		check_pairs(&a, &b);
		srtp_pair_free(&a);
		srtp_pair_free(&b);
		/* a wrong length is refused */
		assert_int_equal(srtp_pair_init_sdes(&a, sdes[i].name,
		    ka, sdes[i].len - 1, kb, sdes[i].len), -1);
		srtp_pair_free(&a);
	}
}

static void
test_srtp_bad_init(void **state)
{
	struct srtp_pair	p;
	struct srtp_keys	k;
	uint8_t			key[SRTP_KEYS_MAX], pkt[PKT_MAX];
	int			len = 12;
	size_t			kl, sl;

	memset(key, 1, sizeof(key));
	assert_int_equal(srtp_pair_init_sdes(&p, "F8_128_HMAC_SHA1_80", key,
	    30, key, 30), -1);
	assert_int_equal(srtp_pair_init_sdes(&p, NULL, key, 30, key, 30), -1);
	memset(&k, 0, sizeof(k));
	k.profile = 0x0005;		/* NULL cipher: not accepted */
	assert_int_equal(srtp_pair_init(&p, &k), -1);
	assert_int_equal(srtp_keys_lengths(0x0005, &kl, &sl), -1);
	k.profile = SRTP_KEYS_AEAD_AES_128_GCM;
	k.key_len = 16;
	k.salt_len = 14;		/* GCM salt is 12 */
	assert_int_equal(srtp_pair_init(&p, &k), -1);
	assert_int_equal(srtp_pair_init(&p, NULL), -1);
	/* a failed pair refuses packets */
	memset(pkt, 0, sizeof(pkt));
	assert_int_equal(srtp_pair_protect(&p, pkt, &len, 0), -1);
	assert_int_equal(srtp_pair_unprotect(&p, pkt, &len, 0), -1);
	assert_int_equal(p.err, srtp_err_status_no_ctx);
	srtp_pair_free(&p);
}

/* Sender protects seq; the receiver gets it only if `deliver`. */
static srtp_err_status_t
send_seq(struct srtp_pair *tx, struct srtp_pair *rx, uint16_t seq,
    int deliver)
{
	uint8_t	plain[PKT_MAX], pkt[PKT_MAX];
	int	len;

	len = rtp_packet(plain, seq, 0xcafe);
	memcpy(pkt, plain, sizeof(pkt));
	if (srtp_pair_protect(tx, pkt, &len, 0) == -1)
		return tx->err;
	if (!deliver)
		return srtp_err_status_ok;
	if (srtp_pair_unprotect(rx, pkt, &len, 0) == -1)
		return rx->err;
	assert_int_equal(len, RTP_LEN);
	assert_memory_equal(pkt, plain, RTP_LEN);
	return srtp_err_status_ok;
}

/*
 * libsrtp guesses the ROC (RFC 3711 §3.3.1): a forward jump of up to
 * 32767 is fine, anywhere, across a 16-bit wrap too.  A jump of 32768 or
 * more once the index passed 32768 is taken for an old packet
 * (replay_old), and as the sender's ROC moved on, the stream never
 * recovers without new keys.
 */
static void
test_srtp_seq_jump(void **state)
{
	struct srtp_pair	tx, rx;
	uint8_t			k[30];
	uint16_t		seq = 1000;
	int			i;

	memset(k, 7, sizeof(k));
	assert_int_equal(srtp_pair_init_sdes(&tx, "AES_CM_128_HMAC_SHA1_80",
	    k, 30, k, 30), 0);
	assert_int_equal(srtp_pair_init_sdes(&rx, "AES_CM_128_HMAC_SHA1_80",
	    k, 30, k, 30), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(send_seq(&tx, &rx, seq++, 1), 0);
	seq += 30000;			/* hold: 31009 */
	assert_int_equal(send_seq(&tx, &rx, seq, 1), 0);
	seq += 30000;			/* 61009 */
	assert_int_equal(send_seq(&tx, &rx, seq, 1), 0);
	seq += 30000;			/* wraps: 25473, ROC 1 */
	assert_int_equal(send_seq(&tx, &rx, seq, 1), 0);
	seq += 32767;			/* the largest jump that works */
	assert_int_equal(send_seq(&tx, &rx, seq, 1), 0);
	assert_int_equal(send_seq(&tx, &rx, ++seq, 1), 0);
	/* libsrtp's own sender refuses a jump of 32768 ... */
	assert_int_equal(send_seq(&tx, &rx, seq + 32768, 1),
	    srtp_err_status_replay_old);
	/* ... a sender that steps there (lost packets) loses the receiver */
	seq += 16000;
	assert_int_equal(send_seq(&tx, &rx, seq, 0), 0);
	seq += 16800;			/* 32800 past the last delivered */
	assert_int_equal(send_seq(&tx, &rx, seq, 1),
	    srtp_err_status_replay_old);
	for (i = 0; i < 50; i++)
		assert_int_not_equal(send_seq(&tx, &rx, ++seq, 1), 0);
	srtp_pair_free(&tx);
	srtp_pair_free(&rx);
}

/* One packet with seq through rtp_seq_fix, protected, unprotected: the
 * number the receiver saw (or -1 if it refused the packet). */
static int
fixed_seq(struct rtp_seqfix *fx, struct srtp_pair *tx, struct srtp_pair *rx,
    uint16_t seq, uint32_t ssrc)
{
	uint8_t	pkt[PKT_MAX];
	int	len = rtp_packet(pkt, seq, ssrc);

	rtp_seq_fix(fx, pkt, (size_t)len);
	if (srtp_pair_protect(tx, pkt, &len, 0) == -1 ||
	    srtp_pair_unprotect(rx, pkt, &len, 0) == -1)
		return -1;
	return pkt[2] << 8 | pkt[3];
}

/*
 * The same hold jumps as above, through the worker's rtp_seq_fix (PBX ->
 * browser): every packet reaches the SRTP receiver, numbered on from the
 * last one; small gaps and reordering keep their numbers; a new SSRC
 * starts with its own.
 */
static void
test_srtp_seq_jump_fixed(void **state)
{
	struct rtp_seqfix	fx = { 0 };
	struct srtp_pair	tx, rx;
	uint8_t			k[30];
	int			i, got;

	memset(k, 9, sizeof(k));
	assert_int_equal(srtp_pair_init_sdes(&tx, "AES_CM_128_HMAC_SHA1_80",
	    k, 30, k, 30), 0);
	assert_int_equal(srtp_pair_init_sdes(&rx, "AES_CM_128_HMAC_SHA1_80",
	    k, 30, k, 30), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(fixed_seq(&fx, &tx, &rx, 1000 + i, 7), 1000 + i);
	/* after a hold the PBX restarts 40000 further on: 1010 follows */
	assert_int_equal(fixed_seq(&fx, &tx, &rx, 41009, 7), 1010);
	assert_int_equal(fixed_seq(&fx, &tx, &rx, 41010, 7), 1011);
	assert_int_equal(fixed_seq(&fx, &tx, &rx, 41013, 7), 1014); /* loss */
	assert_int_equal(fixed_seq(&fx, &tx, &rx, 41012, 7), 1013); /* late */
	/* and back 30000: still continuous */
	assert_int_equal(fixed_seq(&fx, &tx, &rx, 11014, 7), 1015);
	for (i = 0; i < 100; i++)
		assert_int_equal(fixed_seq(&fx, &tx, &rx, (uint16_t)(11015 + i),
		    7), 1016 + i);
	/* a new SSRC keeps its own numbers */
	got = fixed_seq(&fx, &tx, &rx, 50000, 8);
	assert_int_equal(got, 50000);
	srtp_pair_free(&tx);
	srtp_pair_free(&rx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srtp_seq_jump_fixed),
		cmocka_unit_test(test_fingerprint_format),
		cmocka_unit_test(test_identity_files),
		cmocka_unit_test(test_handshake_default),
		cmocka_unit_test(test_handshake_each_profile),
		cmocka_unit_test(test_no_common_profile),
		cmocka_unit_test(test_fingerprint_mismatch_client),
		cmocka_unit_test(test_fingerprint_mismatch_server),
		cmocka_unit_test(test_fingerprint_parse),
		cmocka_unit_test(test_garbage_during_handshake),
		cmocka_unit_test(test_garbage_after_handshake),
		cmocka_unit_test(test_fragmented_client_hello),
		cmocka_unit_test(test_retransmit),
		cmocka_unit_test(test_lost_final_flight),
		cmocka_unit_test(test_close_notify),
		cmocka_unit_test(test_srtp_dtls_profiles),
		cmocka_unit_test(test_srtp_sdes_suites),
		cmocka_unit_test(test_srtp_bad_init),
		cmocka_unit_test(test_srtp_seq_jump),
		cmocka_unit_test(test_retire),
	};

	return cmocka_run_group_tests_name("dtls", tests, group_setup,
	    group_teardown);
}
