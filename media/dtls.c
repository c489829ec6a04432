/*
 * dtls.c: DTLS-SRTP over OpenSSL 3.0 with a datagram-preserving BIO (see
 * dtls.h).  Identity: key, self-signed cert, fingerprint, SSL_CTX.  Conn:
 * handshake driven by the worker's datagrams and timer, fingerprint check,
 * SRTP profile and keying material export (RFC 5764 §4.2).
 *
 * Why not BIO_s_mem(): a memory BIO concatenates what OpenSSL writes, so
 * a fragmented flight (a 1.4 kB ClientHello: 1200 + 247 bytes) comes out
 * as one 1447-byte blob with no way to pop "the next datagram", and
 * several received datagrams would be read as one.  Our BIO reads exactly
 * the datagram being fed and keeps each write (one datagram: OpenSSL
 * buffers a flight and flushes it per MTU) as one queue entry.
 *
 * Owns: the identity's SSL_CTX and BIO_METHOD; each conn's SSL (and BIO).
 * Thread: identity in main; a conn in its media worker.  OpenSSL's error
 * queue is per thread: every call here starts with ERR_clear_error().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "media/dtls.h"
#include "sbc/x509.h"

#define CERT_DAYS	365
#define RTX_FIRST_US	400000	/* first retransmission (OpenSSL: 1 s) */
#define RTX_MAX_US	4000000

static const struct {
	const char	*sdp;	/* RFC 8122 hash name */
	const char	*ossl;
} fp_hashes[] = {
	{ "sha-1", "SHA1" }, { "sha-224", "SHA224" }, { "sha-256", "SHA256" },
	{ "sha-384", "SHA384" }, { "sha-512", "SHA512" },
};

/* ------------------------------------------------------------ fingerprints */

/* "<name> AB:CD:.." of x's DER under md; -1 if it does not fit. */
static int
fp_format(X509 *x, const EVP_MD *md, const char *name, char *out,
    size_t outlen)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 d[EVP_MAX_MD_SIZE];
	unsigned int		 n, i;
	size_t			 pos;

	if (X509_digest(x, md, d, &n) != 1)
		return -1;
	pos = strlen(name) + 1;
	if (n == 0 || pos + 3 * (size_t)n > outlen)
		return -1;
	memcpy(out, name, pos - 1);
	out[pos - 1] = ' ';
	for (i = 0; i < n; i++) {
		out[pos++] = hex[d[i] >> 4];
		out[pos++] = hex[d[i] & 0xf];
		out[pos++] = i + 1 < n ? ':' : '\0';
	}
	return 0;
}

/* Canonicalise the peer's a=fingerprint value into c->remote_fp/fp_md. */
static int
fp_parse(struct dtls_conn *c, const char *s)
{
	const EVP_MD	*md = NULL;
	const char	*v;
	size_t		 i, nlen, vlen;

	if (s == NULL)
		return -1;
	s += strspn(s, " \t");
	nlen = strcspn(s, " \t");
	v = s + nlen + strspn(s + nlen, " \t");
	vlen = strcspn(v, " \t\r\n");
	for (i = 0; i < sizeof(fp_hashes) / sizeof(fp_hashes[0]); i++)
		if (strlen(fp_hashes[i].sdp) == nlen &&
		    strncasecmp(fp_hashes[i].sdp, s, nlen) == 0) {
			md = EVP_get_digestbyname(fp_hashes[i].ossl);
			s = fp_hashes[i].sdp;	/* canonical case */
			break;
		}
	if (md == NULL || vlen != 3 * (size_t)EVP_MD_get_size(md) - 1 ||
	    nlen + 1 + vlen + 1 > sizeof(c->remote_fp))
		return -1;
	memcpy(c->remote_fp, s, nlen);
	c->remote_fp[nlen] = ' ';
	memcpy(c->remote_fp + nlen + 1, v, vlen);
	c->remote_fp[nlen + 1 + vlen] = '\0';
	c->fp_md = md;
	return 0;
}

static int
fp_matches(const struct dtls_conn *c, X509 *x)
{
	char	fp[DTLS_FP_MAX], name[16];
	size_t	nlen;

	if (x == NULL || c->fp_md == NULL)
		return 0;
	nlen = strcspn(c->remote_fp, " ");
	if (nlen >= sizeof(name))
		return 0;
	memcpy(name, c->remote_fp, nlen);
	name[nlen] = '\0';
	if (fp_format(x, c->fp_md, name, fp, sizeof(fp)) == -1)
		return 0;
	return strcasecmp(fp, c->remote_fp) == 0;
}

/* ------------------------------------------------------------ identity */

static int
load_pem(const char *cert, const char *key, X509 **x, EVP_PKEY **pk)
{
	FILE	*f;

	if ((f = fopen(cert, "re")) == NULL)
		return -1;
	*x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if ((f = fopen(key, "re")) == NULL)
		return -1;
	*pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return *x != NULL && *pk != NULL ? 0 : -1;
}

static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL			*ssl;
	struct dtls_conn	*c;

	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || (c = SSL_get_app_data(ssl)) == NULL)
		return 0;
	/* Self-signed is expected: the fingerprint is the check. */
	if (X509_STORE_CTX_get_error_depth(xs) != 0)
		return 1;
	if (fp_matches(c, X509_STORE_CTX_get_current_cert(xs)))
		return 1;
	c->fail = DTLS_FAIL_FINGERPRINT;
	X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
	return 0;
}

static int
make_ctx(struct dtls_identity *id, X509 *x, EVP_PKEY *pk)
{
	SSL_CTX	*ctx;

	if ((ctx = id->ctx = SSL_CTX_new(DTLS_method())) == NULL)
		return -1;
	if (SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, pk) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return -1;
	if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1)
		return -1;
	if (SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
	    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
	    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
	    "ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1)
		return -1;
	/* Inverted: 0 is success. */
	if (SSL_CTX_set_tlsext_use_srtp(ctx, DTLS_SRTP_PROFILES) != 0)
		return -1;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	/* NO_QUERY_MTU: use our MTU, and keep it across SSL_clear(). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_read_ahead(ctx, 0);
	return 0;
}

/* ------------------------------------------------------------ datagram BIO */

static int
bio_read(BIO *b, char *buf, int size)
{
	struct dtls_conn	*c = BIO_get_data(b);
	size_t			 n;

	BIO_clear_retry_flags(b);
	if (c == NULL || c->in == NULL || size <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = c->inlen < (size_t)size ? c->inlen : (size_t)size;
	memcpy(buf, c->in, n);
	c->in = NULL;		/* one datagram per read, like recv() */
	return (int)n;
}

static int
bio_write(BIO *b, const char *buf, int size)
{
	struct dtls_conn	*c = BIO_get_data(b);
	size_t			 n = size > 0 ? (size_t)size : 0;

	BIO_clear_retry_flags(b);
	if (c == NULL || n == 0)
		return -1;
	/* Like a full socket buffer: drop, retransmission recovers. */
	if (n > 0xffff || c->outq == NULL || c->outtail + 2 + n > DTLS_OUTQ) {
		c->dropped_out++;
		return size;
	}
	c->outq[c->outtail] = n >> 8;
	c->outq[c->outtail + 1] = n & 0xff;
	memcpy(c->outq + c->outtail + 2, buf, n);
	c->outtail += 2 + n;
	return size;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct dtls_conn	*c = BIO_get_data(b);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return c != NULL && c->in != NULL ? (long)c->inlen : 0;
	case BIO_CTRL_WPENDING:
		/* Queued datagrams count as sent (as BIO_s_mem says 0):
		 * OpenSSL subtracts this from the datagram it is filling. */
		return 0;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return DTLS_MTU;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 0;	/* DTLS_MTU is already the UDP payload */
	default:
		return 0;
	}
}

static int
make_bio_meth(struct dtls_identity *id)
{
	int	idx;

	if ((idx = BIO_get_new_index()) == -1)
		return -1;
	id->bio_meth = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK, "sbc-dgram");
	if (id->bio_meth == NULL ||
	    BIO_meth_set_read(id->bio_meth, bio_read) != 1 ||
	    BIO_meth_set_write(id->bio_meth, bio_write) != 1 ||
	    BIO_meth_set_ctrl(id->bio_meth, bio_ctrl) != 1)
		return -1;
	return 0;
}

int
dtls_identity_init(struct dtls_identity *id, const char *cert,
    const char *key)
{
	X509		*x = NULL;
	EVP_PKEY	*pk = NULL;
	int		 rc = -1;

	memset(id, 0, sizeof(*id));
	ERR_clear_error();
	if ((cert == NULL) != (key == NULL))
		goto cleanup;
	if (cert != NULL) {
		if (load_pem(cert, key, &x, &pk) == -1)
			goto cleanup;
	} else if ((pk = EVP_EC_gen("P-256")) == NULL ||
	    (x = sbc_x509_selfsigned(pk, "sbc-dtls", NULL, NULL,
	    CERT_DAYS)) == NULL)
		goto cleanup;
	if (fp_format(x, EVP_sha256(), "sha-256", id->fingerprint,
	    sizeof(id->fingerprint)) == -1)
		goto cleanup;
	if (make_ctx(id, x, pk) == -1 || make_bio_meth(id) == -1)
		goto cleanup;
	rc = 0;
cleanup:
	X509_free(x);
	EVP_PKEY_free(pk);
	if (rc == -1)
		dtls_identity_free(id);
	ERR_clear_error();
	return rc;
}

void
dtls_identity_free(struct dtls_identity *id)
{
	SSL_CTX_free(id->ctx);
	BIO_meth_free(id->bio_meth);
	id->ctx = NULL;
	id->bio_meth = NULL;
}

/* ------------------------------------------------------------ conn */

static unsigned int
timer_cb(SSL *ssl, unsigned int us)
{
	if (us == 0)
		return RTX_FIRST_US;
	return us >= RTX_MAX_US / 2 ? RTX_MAX_US : 2 * us;
}

static int
conn_fail(struct dtls_conn *c, enum dtls_fail why)
{
	if (c->fail == DTLS_FAIL_NONE || why == DTLS_FAIL_FINGERPRINT)
		c->fail = why;
	c->ssl_err = ERR_peek_last_error();
	c->state = DTLS_FAILED;
	OPENSSL_cleanse(&c->keys, sizeof(c->keys));
	ERR_clear_error();
	return -1;
}

int
dtls_conn_init(struct dtls_conn *c, struct dtls_identity *id,
    int is_server, const char *remote_fingerprint)
{
	BIO	*bio;

	memset(c, 0, sizeof(*c));
	c->state = DTLS_FAILED;
	c->fail = DTLS_FAIL_INTERNAL;
	c->is_server = is_server;
	ERR_clear_error();
	if (id == NULL || id->ctx == NULL ||
	    fp_parse(c, remote_fingerprint) == -1)
		return -1;
	if ((c->outq = malloc(DTLS_OUTQ)) == NULL ||
	    (c->ssl = SSL_new(id->ctx)) == NULL)
		goto fail;
	if ((bio = BIO_new(id->bio_meth)) == NULL)
		goto fail;
	BIO_set_data(bio, c);
	BIO_set_init(bio, 1);
	SSL_set_bio(c->ssl, bio, bio);
	if (SSL_set_app_data(c->ssl, c) != 1 ||
	    SSL_set_mtu(c->ssl, DTLS_MTU) <= 0 ||
	    DTLS_set_link_mtu(c->ssl, DTLS_MTU) != 1)
		goto fail;
	DTLS_set_timer_cb(c->ssl, timer_cb);
	if (is_server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	c->state = DTLS_HANDSHAKING;
	c->fail = DTLS_FAIL_NONE;
	return 0;
fail:
	ERR_clear_error();
	SSL_free(c->ssl);
	c->ssl = NULL;
	free(c->outq);
	c->outq = NULL;
	return -1;
}

void
dtls_conn_retire(struct dtls_conn *c)
{
	SSL_free(c->ssl);	/* frees the BIO */
	c->ssl = NULL;
	free(c->outq);
	c->outq = NULL;
	c->outhead = c->outtail = 0;
}

void
dtls_conn_free(struct dtls_conn *c)
{
	dtls_conn_retire(c);
	c->state = DTLS_FAILED;
	OPENSSL_cleanse(&c->keys, sizeof(c->keys));
}

int
dtls_conn_set_profiles(struct dtls_conn *c, const char *profiles)
{
	int	rc;

	if (c->ssl == NULL || c->state != DTLS_HANDSHAKING)
		return -1;
	/* Inverted: 0 is success. */
	rc = SSL_set_tlsext_use_srtp(c->ssl, profiles) == 0 ? 0 : -1;
	ERR_clear_error();
	return rc;
}

/* RFC 5764 §4.2: client key, server key, client salt, server salt. */
static int
export_keys(struct dtls_conn *c, int profile)
{
	struct srtp_keys	*k = &c->keys;
	uint8_t			 m[2 * SRTP_KEYS_MAX];
	const uint8_t		*ck, *sk, *cs, *ss;
	size_t			 kl, sl;
	int			 rc = -1;

	if (srtp_keys_lengths(profile, &kl, &sl) == -1)
		return -1;
	if (SSL_export_keying_material(c->ssl, m, 2 * (kl + sl),
	    "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0) != 1)
		goto cleanup;
	ck = m;
	sk = m + kl;
	cs = m + 2 * kl;
	ss = m + 2 * kl + sl;
	k->profile = profile;
	k->key_len = kl;
	k->salt_len = sl;
	memcpy(k->local_key, c->is_server ? sk : ck, kl);
	memcpy(k->local_key + kl, c->is_server ? ss : cs, sl);
	memcpy(k->remote_key, c->is_server ? ck : sk, kl);
	memcpy(k->remote_key + kl, c->is_server ? cs : ss, sl);
	rc = 0;
cleanup:
	OPENSSL_cleanse(m, sizeof(m));
	return rc;
}

static int
on_connected(struct dtls_conn *c)
{
	SRTP_PROTECTION_PROFILE	*p;

	if (!fp_matches(c, SSL_get0_peer_certificate(c->ssl)))
		return conn_fail(c, DTLS_FAIL_FINGERPRINT);
	if ((p = SSL_get_selected_srtp_profile(c->ssl)) == NULL)
		return conn_fail(c, DTLS_FAIL_PROFILE);
	if (export_keys(c, (int)p->id) == -1)
		return conn_fail(c, DTLS_FAIL_EXPORT);
	c->state = DTLS_CONNECTED;
	return 1;
}

static int
drive(struct dtls_conn *c, int r)
{
	int	err = SSL_get_error(c->ssl, r);

	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return 0;
	}
	if (err == SSL_ERROR_ZERO_RETURN) {
		c->state = DTLS_CLOSED;
		ERR_clear_error();
		return -1;
	}
	return conn_fail(c, DTLS_FAIL_HANDSHAKE);
}

static int
do_handshake(struct dtls_conn *c)
{
	int	r;

	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) == 1)
		return on_connected(c);
	return drive(c, r);
}

/* After the handshake: retransmitted Finished, alerts, close_notify.
 * Application data (data channels) is not ours: read and dropped. */
static int
do_read(struct dtls_conn *c)
{
	uint8_t	buf[2048];
	int	r;

	for (;;) {
		ERR_clear_error();
		if ((r = SSL_read(c->ssl, buf, sizeof(buf))) <= 0)
			break;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return drive(c, r);
}

int
dtls_conn_start(struct dtls_conn *c)
{
	if (c->ssl == NULL || c->state != DTLS_HANDSHAKING)
		return -1;
	if (c->is_server)
		return 0;
	return do_handshake(c) == -1 ? -1 : 0;
}

int
dtls_conn_input(struct dtls_conn *c, const uint8_t *pkt, size_t len)
{
	int	rc;

	if (c->ssl == NULL || (c->state != DTLS_HANDSHAKING &&
	    c->state != DTLS_CONNECTED))
		return -1;
	/* RFC 7983: DTLS is 20..63. */
	if (pkt == NULL || len == 0 || pkt[0] < 20 || pkt[0] > 63) {
		c->dropped_in++;
		return 0;
	}
	c->in = pkt;
	c->inlen = len;
	if (c->state == DTLS_HANDSHAKING)
		rc = do_handshake(c);
	else
		rc = do_read(c);
	c->in = NULL;
	return rc;
}

size_t
dtls_conn_pending(struct dtls_conn *c, uint8_t *out, size_t outlen)
{
	size_t	n;

	while (c->outhead < c->outtail) {
		n = (size_t)c->outq[c->outhead] << 8 | c->outq[c->outhead + 1];
		c->outhead += 2 + n;
		if (n <= outlen) {
			memcpy(out, c->outq + c->outhead - n, n);
			return n;
		}
		c->dropped_out++;
	}
	c->outhead = c->outtail = 0;
	return 0;
}

int
dtls_conn_timeout_ms(struct dtls_conn *c)
{
	struct timeval	tv;
	long		ms;

	if (c->ssl == NULL || (c->state != DTLS_HANDSHAKING &&
	    c->state != DTLS_CONNECTED))
		return -1;
	if (DTLSv1_get_timeout(c->ssl, &tv) != 1)
		return -1;
	ms = (long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms > 0x7fffffffL ? 0x7fffffff : (int)ms;
}

int
dtls_conn_handle_timeout(struct dtls_conn *c)
{
	if (c->ssl == NULL || (c->state != DTLS_HANDSHAKING &&
	    c->state != DTLS_CONNECTED))
		return -1;
	ERR_clear_error();
	if (DTLSv1_handle_timeout(c->ssl) < 0)
		return conn_fail(c, DTLS_FAIL_TIMEOUT);
	ERR_clear_error();
	return 0;
}

void
dtls_conn_close(struct dtls_conn *c)
{
	if (c->ssl != NULL && c->state == DTLS_CONNECTED) {
		ERR_clear_error();
		(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	if (c->state != DTLS_FAILED)
		c->state = DTLS_CLOSED;
	OPENSSL_cleanse(&c->keys, sizeof(c->keys));
}

const char *
dtls_fail_str(enum dtls_fail f)
{
	switch (f) {
	case DTLS_FAIL_NONE:
		return "none";
	case DTLS_FAIL_HANDSHAKE:
		return "DTLS protocol error or fatal alert";
	case DTLS_FAIL_FINGERPRINT:
		return "certificate fingerprint mismatch";
	case DTLS_FAIL_PROFILE:
		return "no DTLS-SRTP profile negotiated";
	case DTLS_FAIL_EXPORT:
		return "keying material export failed";
	case DTLS_FAIL_TIMEOUT:
		return "handshake timed out";
	case DTLS_FAIL_INTERNAL:
		return "internal error";
	}
	return "unknown";
}
