/*
 * dtls.h: DTLS-SRTP key agreement with browsers (RFC 5763, 5764, 8842)
 * over OpenSSL 3.0, without sockets: the worker feeds received datagrams
 * in and pops datagrams to send out.
 *
 * Owns: struct dtls_identity (our ECDSA P-256 key, self-signed cert, its
 * SDP fingerprint, the one SSL_CTX and our datagram BIO method): built by
 * main at start, read-only afterwards and shared by every worker (OpenSSL
 * makes SSL_new() on a shared SSL_CTX thread-safe; the session cache is
 * off).  struct dtls_conn (one SSL object, its datagram queue and the
 * exported SRTP keys) belongs to the media worker that owns the stream.
 * Thread: identity in main; conns in their worker.  No logging here: the
 * worker reads c->state / c->fail and counts and logs.
 *
 * Version: DTLS 1.2 only.  OpenSSL 3.0 has no DTLS 1.3 (DTLS_MAX_VERSION
 * is DTLS1_2_VERSION); browsers offering DTLS 1.3 still send a 1.2
 * legacy_version and supported_versions with 1.2, so they fall back.
 * Their large ClientHello (post-quantum key share, ~1.4 kB) arrives in
 * several fragments that OpenSSL reassembles.
 *
 * Role (a=setup): we answer a browser's a=setup:actpass with
 * a=setup:passive, so the browser is the DTLS client and we are the server
 * (is_server = 1).  RFC 5763 §5 / RFC 8842 §5.3 let the answerer pick
 * either (active only saves latency); passive suits an ICE-lite SBC: the
 * browser, which controls ICE, sends its ClientHello once its checks
 * succeed, and we never send into a path not yet validated nor race our
 * own answer.  When we offer, we offer actpass (RFC 8842 §5.2); a peer
 * answering active makes us the server, passive makes us the client
 * (is_server = 0, call dtls_conn_start() once ICE has a valid pair).  The
 * role is fixed at dtls_conn_init(), before any datagram.
 */
#ifndef SBC_DTLS_H
#define SBC_DTLS_H

#include <stddef.h>
#include <stdint.h>

#include "media/srtp_ctx.h"

struct ssl_ctx_st;
struct ssl_st;
struct bio_method_st;

#define DTLS_MTU	1200	/* largest datagram we send (UDP payload) */
#define DTLS_FP_MAX	200	/* "sha-512 " + 64 * 3 - 1 + NUL */
#define DTLS_OUTQ	8192	/* bytes of datagrams waiting to be sent */

/* Offered/accepted DTLS-SRTP profiles, server preference first. */
#define DTLS_SRTP_PROFILES \
	"SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

enum dtls_state {
	DTLS_HANDSHAKING,
	DTLS_CONNECTED,		/* c->keys valid */
	DTLS_CLOSED,		/* close_notify sent or received */
	DTLS_FAILED,		/* see c->fail */
};

enum dtls_fail {
	DTLS_FAIL_NONE,
	DTLS_FAIL_HANDSHAKE,	/* protocol error or fatal alert */
	DTLS_FAIL_FINGERPRINT,	/* peer cert does not match a=fingerprint */
	DTLS_FAIL_PROFILE,	/* no DTLS-SRTP profile negotiated */
	DTLS_FAIL_EXPORT,	/* keying material export failed */
	DTLS_FAIL_TIMEOUT,	/* too many retransmissions */
	DTLS_FAIL_INTERNAL,
};

struct dtls_identity {
	struct ssl_ctx_st	*ctx;
	struct bio_method_st	*bio_meth;
	char			 fingerprint[DTLS_FP_MAX]; /* "sha-256 AB:.." */
};

struct dtls_conn {
	struct ssl_st		*ssl;
	enum dtls_state		 state;
	enum dtls_fail		 fail;
	unsigned long		 ssl_err;	/* OpenSSL error at failure */
	int			 is_server;
	const void		*fp_md;		/* EVP_MD of remote_fp */
	char			 remote_fp[DTLS_FP_MAX];
	struct srtp_keys	 keys;		/* secret; valid if CONNECTED */
	const uint8_t		*in;		/* datagram being fed */
	size_t			 inlen;
	size_t			 outhead, outtail;
	uint64_t		 dropped_in;	/* not DTLS (RFC 7983) */
	uint64_t		 dropped_out;	/* queue full or too big */
	uint8_t			*outq;		/* DTLS_OUTQ bytes while the
						   SSL lives: [len16][dgram].. */
};

/* Generate (cert == key == NULL) or load PEM files; -1 on error.  Free
 * the identity only after every conn made from it. */
int	dtls_identity_init(struct dtls_identity *, const char *cert,
	    const char *key);
void	dtls_identity_free(struct dtls_identity *);

/*
 * remote_fingerprint: the peer's a=fingerprint value ("sha-256 AB:CD:..",
 * sha-1/224/256/384/512, hex case-insensitive).  The conn points to
 * itself from OpenSSL's BIO: do not move it after init.  -1 on error
 * (then only dtls_conn_free() is allowed).
 */
int	dtls_conn_init(struct dtls_conn *, struct dtls_identity *,
	    int is_server, const char *remote_fingerprint);
void	dtls_conn_free(struct dtls_conn *);
/*
 * The peer has shown it completed the handshake (its SRTP authenticated
 * with the exported keys): nothing of DTLS is needed any more, so the
 * SSL object and the queue (about 30 KiB and 8 KiB) go.  The state stays
 * CONNECTED; later datagrams are refused (dtls_conn_input() -1).
 */
void	dtls_conn_retire(struct dtls_conn *);

/* Restrict the profiles offered/accepted (OpenSSL names, ':'-separated);
 * before the first datagram.  -1 on error. */
int	dtls_conn_set_profiles(struct dtls_conn *, const char *profiles);

/* Client: queue the ClientHello.  Server: nothing.  -1 on failure. */
int	dtls_conn_start(struct dtls_conn *);

/*
 * Feed one received datagram.  1: this datagram completed the handshake
 * (c->keys ready); 0: fine (or ignored); -1: the association failed or
 * closed now or earlier (see c->state, c->fail).
 */
int	dtls_conn_input(struct dtls_conn *, const uint8_t *pkt, size_t len);

/* Pop the next datagram to send into out; 0 when none.  Call in a loop
 * after start, input, handle_timeout and close. */
size_t	dtls_conn_pending(struct dtls_conn *, uint8_t *out, size_t outlen);

/* Milliseconds until dtls_conn_handle_timeout() is due, -1 if no timer. */
int	dtls_conn_timeout_ms(struct dtls_conn *);
/* Retransmit if due; -1 when retransmissions are exhausted (FAILED). */
int	dtls_conn_handle_timeout(struct dtls_conn *);

/* Queue a close_notify (if connected); state becomes DTLS_CLOSED and
 * c->keys is wiped (build the srtp_pair before). */
void	dtls_conn_close(struct dtls_conn *);

const char *dtls_fail_str(enum dtls_fail);

#endif
