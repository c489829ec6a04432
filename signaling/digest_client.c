/*
 * digest_client.c: client side HTTP digest for SIP (see digest_client.h):
 * a bounded parser for WWW-/Proxy-Authenticate Digest challenges, the
 * choice among several, and the Authorization value (the hashes come from
 * digest.c: digest_ha1(), digest_response()).
 *
 * Owns: nothing; H(A1) and the response are cleansed from our buffers.
 * Thread: pure; the "signaling" thread, tests and fuzzers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "signaling/digest_client.h"
#include "signaling/digest_lex.h"

/* What one parameter value is for; a value is at most DIGEST_MAX_FIELD. */
enum param { P_REALM, P_NONCE, P_OPAQUE, P_ALGORITHM, P_QOP, P_STALE, P_N };

static const char *const param_names[P_N] = {
	[P_REALM] = "realm", [P_NONCE] = "nonce", [P_OPAQUE] = "opaque",
	[P_ALGORITHM] = "algorithm", [P_QOP] = "qop", [P_STALE] = "stale",
};

/* Raw parameter values while parsing. */
struct raw {
	unsigned	have;			/* 1 << enum param */
	char		v[P_N][DIGEST_MAX_FIELD];
};

static const struct {
	const char	*name;
	int		 algo;			/* -1: refused */
} algorithms[] = {
	{ "MD5", DIGEST_MD5 },
	{ "SHA-256", DIGEST_SHA256 },
	{ "MD5-sess", -1 },
	{ "SHA-256-sess", -1 },
};

static const char *const reasons[] = {
	[-DC_OK] = "ok",
	[-DC_ERR_SYNTAX] = "malformed challenge",
	[-DC_ERR_SCHEME] = "not a Digest challenge",
	[-DC_ERR_NO_REALM] = "challenge without realm",
	[-DC_ERR_NO_NONCE] = "challenge without nonce",
	[-DC_ERR_TOO_LONG] = "challenge value too long",
	[-DC_ERR_ALGORITHM] = "unsupported digest algorithm",
	[-DC_ERR_QOP] = "challenge qop without auth",
	[-DC_ERR_NONE] = "no challenge",
};

/* A value for the challenge parser, lexer errors as dc_status. */
static int
get_value(struct dlex *c, char *dst, size_t cap)
{
	switch (dlex_value(c, dst, cap)) {
	case 0:
		return DC_OK;
	case DLEX_TOO_LONG:
		return DC_ERR_TOO_LONG;
	default:
		return DC_ERR_SYNTAX;
	}
}

/* ---------------------------------------------------------------- parsing */

static int
param_of(const char *name, size_t len)
{
	int	i;

	for (i = 0; i < P_N; i++)
		if (strlen(param_names[i]) == len &&
		    strncasecmp(param_names[i], name, len) == 0)
			return i;
	return -1;
}

/* name = value at c->p. */
static int
parse_param(struct dlex *c, struct raw *r)
{
	const char	*name = c->p;
	size_t		 len = dlex_token_len(c);
	int		 i;

	if (len == 0)
		return DC_ERR_SYNTAX;
	c->p += len;
	dlex_skip_ws(c);
	if (c->p == c->end || *c->p != '=')
		return DC_ERR_SYNTAX;
	c->p++;
	dlex_skip_ws(c);
	if ((i = param_of(name, len)) == -1)
		return get_value(c, NULL, 0);
	if (r->have & (1u << i))
		return DC_ERR_SYNTAX;		/* a repeated parameter */
	r->have |= 1u << i;
	return get_value(c, r->v[i], sizeof(r->v[i]));
}

/* A comma-separated list; empty elements are allowed (RFC 7230 7). */
static int
parse_params(struct dlex *c, struct raw *r)
{
	int	rc;

	for (;;) {
		dlex_skip_ws(c);
		while (c->p < c->end && *c->p == ',') {
			c->p++;
			dlex_skip_ws(c);
		}
		if (c->p == c->end)
			return DC_OK;
		if ((rc = parse_param(c, r)) != DC_OK)
			return rc;
		dlex_skip_ws(c);
		if (c->p == c->end)
			return DC_OK;
		if (*c->p++ != ',')
			return DC_ERR_SYNTAX;
	}
}

static int
algo_of(const struct raw *r)
{
	size_t	i;

	if (!(r->have & (1u << P_ALGORITHM)))
		return DIGEST_MD5;
	for (i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (strcasecmp(r->v[P_ALGORITHM], algorithms[i].name) == 0)
			return algorithms[i].algo;
	return -1;
}

/* qop: absent (0), a list holding "auth" (1), or neither (-1). */
static int
qop_of(const struct raw *r)
{
	const char	*p = r->v[P_QOP];
	size_t		 n;

	if (!(r->have & (1u << P_QOP)))
		return 0;
	while (*p != '\0') {
		while (*p == ',' || dlex_is_ws(*p))
			p++;
		n = strcspn(p, ", \t\r\n");
		if (n == 4 && strncasecmp(p, "auth", 4) == 0)
			return 1;
		p += n;
	}
	return -1;
}

/* The parsed values make a challenge we can answer. */
static int
raw_to_challenge(const struct raw *r, struct dc_challenge *ch)
{
	int	qop = qop_of(r);

	if (!(r->have & (1u << P_REALM)))
		return DC_ERR_NO_REALM;
	if (!(r->have & (1u << P_NONCE)) || r->v[P_NONCE][0] == '\0')
		return DC_ERR_NO_NONCE;
	if ((ch->algo = algo_of(r)) == -1)
		return DC_ERR_ALGORITHM;
	if (qop == -1)
		return DC_ERR_QOP;
	ch->qop_auth = qop;
	ch->stale = (r->have & (1u << P_STALE)) &&
	    strcasecmp(r->v[P_STALE], "true") == 0;
	ch->has_opaque = (r->have & (1u << P_OPAQUE)) != 0;
	memcpy(ch->realm, r->v[P_REALM], sizeof(ch->realm));
	memcpy(ch->nonce, r->v[P_NONCE], sizeof(ch->nonce));
	memcpy(ch->opaque, r->v[P_OPAQUE], sizeof(ch->opaque));
	return DC_OK;
}

int
dc_parse(const char *s, size_t len, struct dc_challenge *ch)
{
	struct dlex	c = { s, s + len };
	struct raw	r;
	int		rc;

	memset(ch, 0, sizeof(*ch));
	if (s == NULL)
		return DC_ERR_NONE;
	if (len > DIGEST_MAX_HEADER)
		return DC_ERR_TOO_LONG;
	memset(&r, 0, sizeof(r));
	dlex_skip_ws(&c);
	if (dlex_token_len(&c) != 6 || strncasecmp(c.p, "Digest", 6) != 0)
		return dlex_token_len(&c) == 0 ? DC_ERR_SYNTAX : DC_ERR_SCHEME;
	c.p += 6;
	if (c.p == c.end || !dlex_is_ws(*c.p))
		return DC_ERR_SYNTAX;
	if ((rc = parse_params(&c, &r)) == DC_OK)
		rc = raw_to_challenge(&r, ch);
	if (rc != DC_OK)
		memset(ch, 0, sizeof(*ch));
	return rc;
}

/* Higher is better: SHA-256 over MD5, then qop=auth over none. */
static int
rank(const struct dc_challenge *ch)
{
	return (ch->algo == DIGEST_SHA256 ? 2 : 0) + ch->qop_auth;
}

int
dc_choose(const char *const *v, const size_t *len, size_t n,
    struct dc_challenge *out)
{
	struct dc_challenge	ch;
	int			first = DC_ERR_NONE, rc, best = -1;
	size_t			i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		rc = dc_parse(v[i], len[i], &ch);
		if (i == 0)
			first = rc;
		if (rc == DC_OK && rank(&ch) > best) {
			best = rank(&ch);
			*out = ch;
		}
	}
	return best >= 0 ? DC_OK : first;
}

const char *
dc_strerror(int rc)
{
	if (rc > 0 || -rc >= (int)(sizeof(reasons) / sizeof(reasons[0])))
		return "unknown error";
	return reasons[-rc];
}

/* ---------------------------------------------------------------- answer */

void
dc_session_start(struct dc_session *s, const struct dc_challenge *ch)
{
	s->ch = *ch;
	s->nc = 0;
	s->valid = 1;
}

void
dc_session_clear(struct dc_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* One character at out[*n], NUL-terminated; -1 when it does not fit. */
static int
put(char *out, size_t cap, size_t *n, char ch)
{
	if (*n + 1 >= cap)
		return -1;
	out[(*n)++] = ch;
	out[*n] = '\0';
	return 0;
}

/* s at out[*n], as a quoted-string (escaped) when quoted. */
static int
add(char *out, size_t cap, size_t *n, const char *s, int quoted)
{
	if (quoted && put(out, cap, n, '"') == -1)
		return -1;
	for (; *s != '\0'; s++)
		if ((quoted && (*s == '"' || *s == '\\') &&
		    put(out, cap, n, '\\') == -1) || put(out, cap, n, *s) == -1)
			return -1;
	return quoted ? put(out, cap, n, '"') : 0;
}

/* Fill the request side of cr: nonce, uri, cnonce, nc, qop. */
static int
request_fields(struct dc_session *s, const char *uri, const char *cnonce,
    struct digest_creds *cr)
{
	unsigned char	rnd[16];
	size_t		i;

	memset(cr, 0, sizeof(*cr));
	if (strlen(uri) >= sizeof(cr->uri))
		return -1;
	memcpy(cr->nonce, s->ch.nonce, sizeof(cr->nonce));
	memcpy(cr->uri, uri, strlen(uri) + 1);
	if (!s->ch.qop_auth)
		return 0;
	cr->have |= DIGEST_HAVE_QOP;
	memcpy(cr->qop, "auth", 5);
	snprintf(cr->nc, sizeof(cr->nc), "%08x", (unsigned)++s->nc);
	if (cnonce != NULL) {
		if (strlen(cnonce) >= sizeof(cr->cnonce))
			return -1;
		memcpy(cr->cnonce, cnonce, strlen(cnonce) + 1);
		return 0;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(cr->cnonce + 2 * i, 3, "%02x", rnd[i]);
	return 0;
}

/* The header value from the filled fields and the response. */
static int
write_authz(const struct dc_session *s, const struct digest_creds *cr,
    const char *username, const char *response, char *out, size_t cap)
{
	const int	qop = s->ch.qop_auth, op = s->ch.has_opaque;
	const struct {
		const char	*text;		/* NULL: left out */
		int		 quoted;
	} v[] = {
		{ "Digest username=", 0 }, { username, 1 },
		{ ", realm=", 0 }, { s->ch.realm, 1 },
		{ ", nonce=", 0 }, { cr->nonce, 1 },
		{ ", uri=", 0 }, { cr->uri, 1 },
		{ ", response=", 0 }, { response, 1 },
		{ s->ch.algo == DIGEST_SHA256 ? ", algorithm=SHA-256" :
		    ", algorithm=MD5", 0 },
		{ qop ? ", cnonce=" : NULL, 0 }, { qop ? cr->cnonce : NULL, 1 },
		{ qop ? ", qop=auth, nc=" : NULL, 0 }, { qop ? cr->nc : NULL, 0 },
		{ op ? ", opaque=" : NULL, 0 }, { op ? s->ch.opaque : NULL, 1 },
	};
	size_t		i, n = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i].text != NULL &&
		    add(out, cap, &n, v[i].text, v[i].quoted) == -1)
			return -1;
	return 0;
}

int
dc_authorize(struct dc_session *s, const char *method, const char *uri,
    const char *username, const char *password, const char *cnonce,
    char *out, size_t outlen)
{
	struct digest_creds	cr;
	char			ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	int			rc = -1;

	if (s == NULL || !s->valid || method == NULL || uri == NULL ||
	    username == NULL || password == NULL || out == NULL ||
	    outlen == 0 || strlen(username) >= DIGEST_MAX_FIELD)
		return -1;
	out[0] = '\0';
	if (request_fields(s, uri, cnonce, &cr) == -1 ||
	    digest_ha1(s->ch.algo, username, s->ch.realm, password,
	    ha1) == -1 ||
	    digest_response(&cr, s->ch.algo, ha1, method, resp) == -1)
		goto cleanup;
	if (write_authz(s, &cr, username, resp, out, outlen) == -1) {
		OPENSSL_cleanse(out, outlen);
		goto cleanup;
	}
	rc = 0;
cleanup:
	OPENSSL_cleanse(ha1, sizeof(ha1));
	OPENSSL_cleanse(resp, sizeof(resp));
	OPENSSL_cleanse(&cr, sizeof(cr));
	return rc;
}
