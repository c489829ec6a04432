/*
 * digest.h: server side of HTTP digest authentication for SIP (RFC 3261
 * section 22, RFC 7616): stateless nonces, WWW-Authenticate challenges,
 * a bounded Authorization header parser, and response verification with
 * MD5 or SHA-256, qop=auth (and, for old MD5 clients, no qop).
 *
 * Nonces carry their own issue time and are signed:
 *   nonce = base64url(ts[8, big endian] || HMAC-SHA256(secret, ts || realm)[:16])
 * so no nonce table is kept; a nonce whose HMAC is right but which is
 * older than the lifetime is "stale" (the client retries with the new
 * nonce without asking the user).  Being stateless, nc is not tracked: a
 * captured request can be replayed within the nonce lifetime (WSS makes
 * capture hard).  Time is always passed in.
 *
 * Owns: nothing but the secret copied into struct digest_ctx (cleared by
 * digest_ctx_clear()).  Passwords and HA1 are never kept; intermediate
 * buffers are cleansed.  Nothing here logs.
 * Thread: pure; the "signaling" thread, tests and fuzzers.
 */
#ifndef SBC_SIGNALING_DIGEST_H
#define SBC_SIGNALING_DIGEST_H

#include <stddef.h>
#include <time.h>

#define DIGEST_SECRET_LEN	32
#define DIGEST_NONCE_LEN	32	/* base64url of 8 + 16 bytes */
#define DIGEST_HEX_MAX		65	/* SHA-256 in hex, with NUL */
#define DIGEST_MAX_HEADER	4096	/* whole Authorization value */
#define DIGEST_MAX_FIELD	256	/* one parameter, with NUL */
#define DIGEST_MAX_URI		1024	/* the uri parameter, with NUL */

enum digest_algo {
	DIGEST_MD5 = 1,
	DIGEST_SHA256 = 2,
};

/* digest_verify() results; both failures are negative. */
enum digest_result {
	DIGEST_OK = 0,
	DIGEST_BAD = -1,	/* wrong response/realm/nonce, bad fields */
	DIGEST_STALE = -2,	/* right credentials, expired nonce */
};

struct digest_ctx {
	unsigned char	secret[DIGEST_SECRET_LEN];
	unsigned	lifetime;	/* seconds a nonce is fresh */
	int		allow_no_qop;	/* RFC 2069 MD5 without qop (1) */
};

/* Which parameters were present in the header. */
enum digest_have {
	DIGEST_HAVE_USERNAME = 1 << 0,
	DIGEST_HAVE_REALM = 1 << 1,
	DIGEST_HAVE_NONCE = 1 << 2,
	DIGEST_HAVE_URI = 1 << 3,
	DIGEST_HAVE_RESPONSE = 1 << 4,
	DIGEST_HAVE_ALGORITHM = 1 << 5,
	DIGEST_HAVE_CNONCE = 1 << 6,
	DIGEST_HAVE_NC = 1 << 7,
	DIGEST_HAVE_QOP = 1 << 8,
	DIGEST_HAVE_OPAQUE = 1 << 9,
};

/* A parsed Authorization value: unquoted, unescaped, NUL-terminated. */
struct digest_creds {
	unsigned	have;		/* DIGEST_HAVE_* */
	char		username[DIGEST_MAX_FIELD];
	char		realm[DIGEST_MAX_FIELD];
	char		nonce[DIGEST_MAX_FIELD];
	char		uri[DIGEST_MAX_URI];
	char		response[DIGEST_MAX_FIELD];
	char		algorithm[DIGEST_MAX_FIELD];
	char		cnonce[DIGEST_MAX_FIELD];
	char		nc[DIGEST_MAX_FIELD];
	char		qop[DIGEST_MAX_FIELD];
	char		opaque[DIGEST_MAX_FIELD];
};

/* Copy the secret (random, from the caller); allow_no_qop starts at 1. */
int	digest_ctx_init(struct digest_ctx *,
	    const unsigned char secret[DIGEST_SECRET_LEN], unsigned lifetime);
void	digest_ctx_clear(struct digest_ctx *);

/* A nonce for realm issued at now: DIGEST_NONCE_LEN chars and a NUL. */
int	digest_nonce(const struct digest_ctx *, const char *realm, time_t now,
	    char out[DIGEST_NONCE_LEN + 1]);

/*
 * One WWW-Authenticate value (without the header name):
 *   Digest realm="R", nonce="N", algorithm=SHA-256, qop="auth"[, stale=true]
 * Offer both algorithms with two headers, SHA-256 first.  -1 when the
 * realm has a quote, backslash or control character, or out is short.
 */
int	digest_challenge(const struct digest_ctx *, const char *realm, int algo,
	    time_t now, int stale, char *out, size_t outlen);

/*
 * Parse an Authorization (or Proxy-Authorization) value, "Digest ..."
 * (len bytes, no NUL needed).  Names are case-insensitive; values are
 * tokens or quoted-strings (escapes undone); unknown parameters are
 * skipped; a repeated known parameter, a value too long for its field, a
 * NUL or control character, or a missing username, realm, nonce, uri or
 * response (cnonce and nc too when qop is present) is refused: -1.
 */
int	digest_parse(const char *s, size_t len, struct digest_creds *);

/* DIGEST_MD5 (also when no algorithm was sent), DIGEST_SHA256, or -1. */
int	digest_algo(const struct digest_creds *);

/* HA1 = H(username ":" realm ":" password) in lower-case hex. */
int	digest_ha1(int algo, const char *username, const char *realm,
	    const char *password, char hex[DIGEST_HEX_MAX]);

/* The response the client should have sent, from HA1 (lower-case hex). */
int	digest_response(const struct digest_creds *, int algo, const char *ha1,
	    const char *method, char hex[DIGEST_HEX_MAX]);

/*
 * Check parsed credentials for a request with this method.  The nonce
 * must be ours and signed for creds->realm, so a realm other than the one
 * challenged fails; the caller still checks that creds->realm is the
 * domain the password came from, and the username against To/From.
 * DIGEST_STALE only when the response is right.  digest_verify_ha1()
 * takes a stored HA1 (hex, for digest_algo(creds)) instead of a password.
 */
int	digest_verify(const struct digest_ctx *, const struct digest_creds *,
	    const char *method, const char *password, time_t now);
int	digest_verify_ha1(const struct digest_ctx *,
	    const struct digest_creds *, const char *method, const char *ha1,
	    time_t now);

#endif
