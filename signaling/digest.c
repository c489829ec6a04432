/*
 * digest.c: server side HTTP digest for SIP (see digest.h): HMAC-signed
 * stateless nonces, the WWW-Authenticate value, a bounded parser for the
 * Authorization value, and MD5/SHA-256 response checks in constant time.
 *
 * Owns: nothing; secrets stay in the caller's struct digest_ctx and every
 * buffer that held a hash of a password is cleansed before returning.
 * Thread: pure; the "signaling" thread, tests and fuzzers.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "signaling/digest.h"
#include "signaling/digest_lex.h"

#define NONCE_TS_LEN	8
#define NONCE_MAC_LEN	16
#define NONCE_RAW_LEN	(NONCE_TS_LEN + NONCE_MAC_LEN)

struct field {
	const char	*name;
	size_t		 off;
	size_t		 size;
	unsigned	 bit;
};

#define FIELD(n, b) { #n, offsetof(struct digest_creds, n), \
	sizeof(((struct digest_creds *)0)->n), DIGEST_HAVE_ ## b }

static const struct field fields[] = {
	FIELD(username, USERNAME),
	FIELD(realm, REALM),
	FIELD(nonce, NONCE),
	FIELD(uri, URI),
	FIELD(response, RESPONSE),
	FIELD(algorithm, ALGORITHM),
	FIELD(cnonce, CNONCE),
	FIELD(nc, NC),
	FIELD(qop, QOP),
	FIELD(opaque, OPAQUE),
};

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---------------------------------------------------------------- context */

int
digest_ctx_init(struct digest_ctx *ctx,
    const unsigned char secret[DIGEST_SECRET_LEN], unsigned lifetime)
{
	if (ctx == NULL || secret == NULL || lifetime == 0)
		return -1;
	memcpy(ctx->secret, secret, DIGEST_SECRET_LEN);
	ctx->lifetime = lifetime;
	ctx->allow_no_qop = 1;
	return 0;
}

void
digest_ctx_clear(struct digest_ctx *ctx)
{
	OPENSSL_cleanse(ctx, sizeof(*ctx));
}

/* ---------------------------------------------------------------- nonces */

/* n: a multiple of 3; out gets n / 3 * 4 characters, no NUL. */
static void
b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t		i;
	uint32_t	v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64url[v >> 18 & 63];
		*out++ = b64url[v >> 12 & 63];
		*out++ = b64url[v >> 6 & 63];
		*out++ = b64url[v & 63];
	}
}

static int
b64url_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64url, c)) == NULL)
		return -1;
	return (int)(p - b64url);
}

/* n: a multiple of 4; out gets n / 4 * 3 bytes. */
static int
b64url_decode(const char *in, size_t n, unsigned char *out)
{
	size_t		i, j;
	uint32_t	v;
	int		d;

	for (i = 0; i + 4 <= n; i += 4) {
		for (v = 0, j = 0; j < 4; j++) {
			if ((d = b64url_value(in[i + j])) == -1)
				return -1;
			v = v << 6 | (uint32_t)d;
		}
		*out++ = (unsigned char)(v >> 16);
		*out++ = (unsigned char)(v >> 8);
		*out++ = (unsigned char)v;
	}
	return 0;
}

/* raw[0..8) holds the time stamp; the MAC goes to raw[8..24). */
static int
nonce_mac(const struct digest_ctx *ctx, const char *realm,
    unsigned char raw[NONCE_RAW_LEN])
{
	unsigned char	in[NONCE_TS_LEN + DIGEST_MAX_FIELD];
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned	mdlen = 0;
	size_t		rlen = strlen(realm);

	if (rlen >= DIGEST_MAX_FIELD)
		return -1;
	memcpy(in, raw, NONCE_TS_LEN);
	memcpy(in + NONCE_TS_LEN, realm, rlen);
	if (HMAC(EVP_sha256(), ctx->secret, DIGEST_SECRET_LEN, in,
	    NONCE_TS_LEN + rlen, md, &mdlen) == NULL || mdlen < NONCE_MAC_LEN)
		return -1;
	memcpy(raw + NONCE_TS_LEN, md, NONCE_MAC_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int
digest_nonce(const struct digest_ctx *ctx, const char *realm, time_t now,
    char out[DIGEST_NONCE_LEN + 1])
{
	unsigned char	raw[NONCE_RAW_LEN];
	uint64_t	ts = (uint64_t)(int64_t)now;
	int		i;

	for (i = NONCE_TS_LEN - 1; i >= 0; i--, ts >>= 8)
		raw[i] = (unsigned char)ts;
	if (nonce_mac(ctx, realm, raw) == -1)
		return -1;
	b64url_encode(raw, sizeof(raw), out);
	out[DIGEST_NONCE_LEN] = '\0';
	return 0;
}

/* 0: ours and fresh; 1: ours but stale; -1: not ours. */
static int
nonce_check(const struct digest_ctx *ctx, const char *realm,
    const char *nonce, time_t now)
{
	unsigned char	got[NONCE_RAW_LEN], want[NONCE_RAW_LEN];
	int64_t		ts = 0, n = (int64_t)now;
	int		i, ok;

	if (strlen(nonce) != DIGEST_NONCE_LEN ||
	    b64url_decode(nonce, DIGEST_NONCE_LEN, got) == -1)
		return -1;
	memcpy(want, got, NONCE_TS_LEN);
	if (nonce_mac(ctx, realm, want) == -1)
		return -1;
	ok = CRYPTO_memcmp(got + NONCE_TS_LEN, want + NONCE_TS_LEN,
	    NONCE_MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok)
		return -1;
	for (i = 0; i < NONCE_TS_LEN; i++)
		ts = (int64_t)((uint64_t)ts << 8 | got[i]);
	/* issued in the future: the clock went back; ask again */
	if (ts > n || (uint64_t)n - (uint64_t)ts > ctx->lifetime)
		return 1;
	return 0;
}

/* ---------------------------------------------------------------- challenge */

/* A realm we can put in a quoted-string without escapes. */
static int
realm_ok(const char *realm)
{
	const unsigned char	*p = (const unsigned char *)realm;

	if (*p == '\0' || strlen(realm) >= DIGEST_MAX_FIELD)
		return 0;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			return 0;
	return 1;
}

int
digest_challenge(const struct digest_ctx *ctx, const char *realm, int algo,
    time_t now, int stale, char *out, size_t outlen)
{
	char		 nonce[DIGEST_NONCE_LEN + 1];
	const char	*name;
	int		 n;

	if (algo == DIGEST_MD5)
		name = "MD5";
	else if (algo == DIGEST_SHA256)
		name = "SHA-256";
	else
		return -1;
	if (!realm_ok(realm) || digest_nonce(ctx, realm, now, nonce) == -1)
		return -1;
	n = snprintf(out, outlen,
	    "Digest realm=\"%s\", nonce=\"%s\", algorithm=%s, qop=\"auth\"%s",
	    realm, nonce, name, stale ? ", stale=true" : "");
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- parser */

/* A value for the Authorization parser: any lexer error is a refusal. */
static int
get_value(struct dlex *c, char *dst, size_t cap)
{
	return dlex_value(c, dst, cap) == 0 ? 0 : -1;
}

static const struct field *
field_named(const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == len &&
		    strncasecmp(fields[i].name, name, len) == 0)
			return &fields[i];
	return NULL;
}

/* name = value, at c->p (white space skipped). */
static int
parse_param(struct dlex *c, struct digest_creds *cr)
{
	const struct field	*f;
	const char		*name = c->p;
	size_t			 len = dlex_token_len(c);

	if (len == 0)
		return -1;
	c->p += len;
	dlex_skip_ws(c);
	if (c->p == c->end || *c->p != '=')
		return -1;
	c->p++;
	dlex_skip_ws(c);
	if ((f = field_named(name, len)) == NULL)
		return get_value(c, NULL, 0);
	if (cr->have & f->bit)
		return -1;
	cr->have |= f->bit;
	return get_value(c, (char *)cr + f->off, f->size);
}

/* A comma-separated list; empty elements are allowed (RFC 7230 7). */
static int
parse_params(struct dlex *c, struct digest_creds *cr)
{
	for (;;) {
		dlex_skip_ws(c);
		while (c->p < c->end && *c->p == ',') {
			c->p++;
			dlex_skip_ws(c);
		}
		if (c->p == c->end)
			return 0;
		if (parse_param(c, cr) == -1)
			return -1;
		dlex_skip_ws(c);
		if (c->p == c->end)
			return 0;
		if (*c->p++ != ',')
			return -1;
	}
}

int
digest_parse(const char *s, size_t len, struct digest_creds *cr)
{
	struct dlex	c = { s, s + len };
	unsigned	need = DIGEST_HAVE_USERNAME | DIGEST_HAVE_REALM |
			    DIGEST_HAVE_NONCE | DIGEST_HAVE_URI |
			    DIGEST_HAVE_RESPONSE;

	memset(cr, 0, sizeof(*cr));
	if (s == NULL || len > DIGEST_MAX_HEADER)
		return -1;
	dlex_skip_ws(&c);
	if (dlex_token_len(&c) != 6 || strncasecmp(c.p, "Digest", 6) != 0)
		return -1;
	c.p += 6;
	if (c.p == c.end || !dlex_is_ws(*c.p))
		return -1;
	if (parse_params(&c, cr) == -1)
		goto fail;
	if (cr->have & DIGEST_HAVE_QOP)
		need |= DIGEST_HAVE_CNONCE | DIGEST_HAVE_NC;
	if ((cr->have & need) != need)
		goto fail;
	return 0;
fail:
	memset(cr, 0, sizeof(*cr));
	return -1;
}

/* ---------------------------------------------------------------- hashes */

int
digest_algo(const struct digest_creds *cr)
{
	if (!(cr->have & DIGEST_HAVE_ALGORITHM) ||
	    strcasecmp(cr->algorithm, "MD5") == 0)
		return DIGEST_MD5;
	if (strcasecmp(cr->algorithm, "SHA-256") == 0)
		return DIGEST_SHA256;
	return -1;
}

static const EVP_MD *
md_of(int algo)
{
	if (algo == DIGEST_MD5)
		return EVP_md5();
	if (algo == DIGEST_SHA256)
		return EVP_sha256();
	return NULL;
}

/* H(parts[0] ":" parts[1] ":" ...) in lower-case hex. */
static int
hash_hex(int algo, const char *const *parts, size_t n,
    char hex[DIGEST_HEX_MAX])
{
	static const char	 digits[] = "0123456789abcdef";
	const EVP_MD		*md = md_of(algo);
	EVP_MD_CTX		*x;
	unsigned char		 out[EVP_MAX_MD_SIZE];
	unsigned		 len = 0, i;
	int			 ok;

	if (md == NULL || (x = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(x, md, NULL);
	for (i = 0; ok && i < n; i++)
		ok = (i == 0 || EVP_DigestUpdate(x, ":", 1)) &&
		    EVP_DigestUpdate(x, parts[i], strlen(parts[i]));
	ok = ok && EVP_DigestFinal_ex(x, out, &len);
	EVP_MD_CTX_free(x);
	if (ok && len * 2 < DIGEST_HEX_MAX) {
		for (i = 0; i < len; i++) {
			hex[2 * i] = digits[out[i] >> 4];
			hex[2 * i + 1] = digits[out[i] & 15];
		}
		hex[2 * len] = '\0';
	}
	OPENSSL_cleanse(out, sizeof(out));
	return ok && len * 2 < DIGEST_HEX_MAX ? 0 : -1;
}

int
digest_ha1(int algo, const char *username, const char *realm,
    const char *password, char hex[DIGEST_HEX_MAX])
{
	const char	*parts[3] = { username, realm, password };

	return hash_hex(algo, parts, 3, hex);
}

int
digest_response(const struct digest_creds *cr, int algo, const char *ha1,
    const char *method, char hex[DIGEST_HEX_MAX])
{
	char		 ha2[DIGEST_HEX_MAX];
	const char	*a2[2] = { method, cr->uri };
	const char	*qop[6] = { ha1, cr->nonce, cr->nc, cr->cnonce,
			    cr->qop, ha2 };
	const char	*old[3] = { ha1, cr->nonce, ha2 };
	int		 rc;

	if (hash_hex(algo, a2, 2, ha2) == -1)
		return -1;
	if (cr->have & DIGEST_HAVE_QOP)
		rc = hash_hex(algo, qop, 6, hex);
	else
		rc = hash_hex(algo, old, 3, hex);
	return rc;
}

/* ---------------------------------------------------------------- verify */

static int
is_nc(const char *nc)
{
	size_t	i;

	for (i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)nc[i]))
			return 0;
	return nc[8] == '\0';
}

/* The fields make sense for what we offered. */
static int
fields_ok(const struct digest_ctx *ctx, const struct digest_creds *cr,
    int algo)
{
	if (algo == -1 || (cr->have & DIGEST_HAVE_NONCE) == 0 ||
	    (cr->have & DIGEST_HAVE_RESPONSE) == 0)
		return 0;
	if (cr->have & DIGEST_HAVE_QOP)
		return strcasecmp(cr->qop, "auth") == 0 &&
		    cr->cnonce[0] != '\0' && is_nc(cr->nc);
	return algo == DIGEST_MD5 && ctx->allow_no_qop;
}

static int
response_matches(const char *got, const char *want)
{
	char	low[DIGEST_HEX_MAX];
	size_t	n = strlen(want), i;
	int	ok;

	if (strlen(got) != n || n >= sizeof(low))
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)got[i]);
	ok = CRYPTO_memcmp(low, want, n) == 0;
	OPENSSL_cleanse(low, sizeof(low));
	return ok;
}

int
digest_verify_ha1(const struct digest_ctx *ctx, const struct digest_creds *cr,
    const char *method, const char *ha1, time_t now)
{
	char	want[DIGEST_HEX_MAX];
	int	algo = digest_algo(cr), fresh, ok;

	if (ha1 == NULL || method == NULL || !fields_ok(ctx, cr, algo))
		return DIGEST_BAD;
	if ((fresh = nonce_check(ctx, cr->realm, cr->nonce, now)) == -1)
		return DIGEST_BAD;
	if (digest_response(cr, algo, ha1, method, want) == -1)
		return DIGEST_BAD;
	ok = response_matches(cr->response, want);
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok)
		return DIGEST_BAD;
	return fresh == 0 ? DIGEST_OK : DIGEST_STALE;
}

int
digest_verify(const struct digest_ctx *ctx, const struct digest_creds *cr,
    const char *method, const char *password, time_t now)
{
	char	ha1[DIGEST_HEX_MAX];
	int	algo = digest_algo(cr), rc;

	if (algo == -1 || password == NULL || method == NULL ||
	    digest_ha1(algo, cr->username, cr->realm, password, ha1) == -1)
		return DIGEST_BAD;
	rc = digest_verify_ha1(ctx, cr, method, ha1, now);
	OPENSSL_cleanse(ha1, sizeof(ha1));
	return rc;
}
