/*
 * digest_client.h: the client side of HTTP digest for SIP (RFC 3261
 * section 22, RFC 7616): parse a WWW-Authenticate / Proxy-Authenticate
 * Digest challenge and build the Authorization / Proxy-Authorization
 * value that answers it.  The SBC uses it to register to trunks in its
 * own name (signaling/trunk.c).
 *
 * Accepted: algorithm MD5 (also when absent) and SHA-256; qop "auth" (from
 * a list such as "auth,auth-int"), or no qop at all (RFC 2069 style);
 * realm, nonce, opaque, stale.  Refused, with a reason: any other scheme,
 * the -sess algorithms, unknown algorithms, a qop list without "auth",
 * no realm, no (or an empty) nonce, a value longer than its field
 * (DIGEST_MAX_FIELD - 1 bytes: a 10 kB nonce is refused, not truncated),
 * a header longer than DIGEST_MAX_HEADER, duplicate parameters, control
 * characters, broken quoting.  Unknown parameters (domain, charset,
 * userhash, ...) are skipped.  One challenge per header value.
 *
 * Owns: nothing; a struct dc_session holds the challenge being answered
 * and its nonce count.  Passwords are never kept; H(A1) and the response
 * are cleansed from our buffers (the caller's output holds the response:
 * never log it).  Nothing here logs.
 * Thread: pure; the "signaling" thread, tests and fuzzers.
 */
#ifndef SBC_SIGNALING_DIGEST_CLIENT_H
#define SBC_SIGNALING_DIGEST_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "signaling/digest.h"

/* dc_parse() and dc_choose() results; every failure is negative. */
enum dc_status {
	DC_OK = 0,
	DC_ERR_SYNTAX = -1,	/* not a well-formed parameter list */
	DC_ERR_SCHEME = -2,	/* not "Digest" */
	DC_ERR_NO_REALM = -3,
	DC_ERR_NO_NONCE = -4,
	DC_ERR_TOO_LONG = -5,	/* the header, or one value, over its bound */
	DC_ERR_ALGORITHM = -6,	/* unknown, or a -sess variant */
	DC_ERR_QOP = -7,	/* a qop list without "auth" */
	DC_ERR_NONE = -8,	/* no challenge at all */
};

/* A parsed challenge: unquoted, unescaped, NUL-terminated. */
struct dc_challenge {
	int	algo;			/* DIGEST_MD5 or DIGEST_SHA256 */
	int	qop_auth;		/* 1: answer with qop=auth; 0: no qop */
	int	stale;			/* stale=true */
	int	has_opaque;		/* echo opaque back */
	char	realm[DIGEST_MAX_FIELD];
	char	nonce[DIGEST_MAX_FIELD];
	char	opaque[DIGEST_MAX_FIELD];
};

/* The challenge we answer and how many times we used its nonce. */
struct dc_session {
	struct dc_challenge	ch;
	uint32_t		nc;	/* last nonce count sent */
	int			valid;	/* ch holds a challenge */
};

/* Parse one challenge value ("Digest realm=..."), len bytes, no NUL needed. */
int	dc_parse(const char *s, size_t len, struct dc_challenge *);

/*
 * Of n challenge values (one per WWW-Authenticate header), the best we can
 * answer into *out: SHA-256 before MD5, qop=auth before none.  DC_OK, or
 * the reason the first value was refused (DC_ERR_NONE when n is 0).
 */
int	dc_choose(const char *const *v, const size_t *len, size_t n,
	    struct dc_challenge *out);

/* A short English reason for a dc_status. */
const char *dc_strerror(int);

/* Answer ch from now on (nonce count back to 0). */
void	dc_session_start(struct dc_session *, const struct dc_challenge *);

/*
 * The Authorization value answering the session's challenge for method and
 * uri (the Request-URI), with the next nonce count.  cnonce NULL: 16
 * random bytes in hex (tests pass their own).  -1 when there is no
 * challenge, a field is too long, out is too short, or hashing fails.
 */
int	dc_authorize(struct dc_session *, const char *method, const char *uri,
	    const char *username, const char *password, const char *cnonce,
	    char *out, size_t outlen);

/* Forget the challenge (OPENSSL_cleanse). */
void	dc_session_clear(struct dc_session *);

#endif
