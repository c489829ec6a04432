/*
 * fuzz_digest.c: libFuzzer harness for signaling/digest.c.
 *
 * Input: an Authorization header value, as bytes (no NUL needed).  When
 * it parses: every string is NUL-terminated within its field and the
 * mandatory fields are present; the credentials, written back as a
 * header (all values quoted and escaped), parse to the same struct;
 * verification of the input as is can only fail (the nonce is not ours);
 * with our nonce and the right response put in, it succeeds (or is stale
 * after the lifetime) exactly when algorithm and qop are ones we accept.
 * Invariants are checked with __builtin_trap().
 *
 * Owns: nothing beyond its stack.  Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "signaling/digest.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)
#define NOW		((time_t)1700000000)
#define LIFETIME	300

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct named {
	const char	*name;
	unsigned	 bit;
	size_t		 off;
	size_t		 size;
};

#define NAMED(n, b) { #n, DIGEST_HAVE_ ## b, \
	offsetof(struct digest_creds, n), sizeof(((struct digest_creds *)0)->n) }

static const struct named named[] = {
	NAMED(username, USERNAME), NAMED(realm, REALM), NAMED(nonce, NONCE),
	NAMED(uri, URI), NAMED(response, RESPONSE),
	NAMED(algorithm, ALGORITHM), NAMED(cnonce, CNONCE), NAMED(nc, NC),
	NAMED(qop, QOP), NAMED(opaque, OPAQUE),
};

/* Append to out at *n, bounded; returns 0 or -1 when full. */
static int
put(char *out, size_t cap, size_t *n, char ch)
{
	if (*n + 1 >= cap)
		return -1;
	out[(*n)++] = ch;
	out[*n] = '\0';
	return 0;
}

/* The present fields as a header, every value quoted; -1 when too long. */
static int
write_back(const struct digest_creds *cr, char *out, size_t cap)
{
	const char	*v;
	size_t		 i, n = 0;
	int		 rc = 0;

	for (v = "Digest "; *v != '\0'; v++)
		rc |= put(out, cap, &n, *v);
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (!(cr->have & named[i].bit))
			continue;
		for (v = named[i].name; *v != '\0'; v++)
			rc |= put(out, cap, &n, *v);
		rc |= put(out, cap, &n, '=');
		rc |= put(out, cap, &n, '"');
		for (v = (const char *)cr + named[i].off; *v != '\0'; v++) {
			if (*v == '"' || *v == '\\')
				rc |= put(out, cap, &n, '\\');
			rc |= put(out, cap, &n, *v);
		}
		rc |= put(out, cap, &n, '"');
		rc |= put(out, cap, &n, ',');
	}
	return rc;
}

static int
acceptable(const struct digest_creds *cr, int algo)
{
	size_t	i;

	if (algo == -1)
		return 0;
	if (!(cr->have & DIGEST_HAVE_QOP))
		return algo == DIGEST_MD5;
	if (strcasecmp(cr->qop, "auth") != 0 || cr->cnonce[0] == '\0' ||
	    strlen(cr->nc) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		if (strchr("0123456789abcdefABCDEF", cr->nc[i]) == NULL)
			return 0;
	return 1;
}

/* Our nonce and the right response: OK/STALE iff acceptable. */
static void
check_signed(const struct digest_ctx *ctx, struct digest_creds *cr)
{
	char	ha1[DIGEST_HEX_MAX];
	int	algo = digest_algo(cr), ok = acceptable(cr, algo), rc;

	if (digest_nonce(ctx, cr->realm, NOW, cr->nonce) == -1)
		return;
	if (algo != -1) {
		CHECK(digest_ha1(algo, cr->username, cr->realm, "pw",
		    ha1) == 0);
		CHECK(digest_response(cr, algo, ha1, "REGISTER",
		    cr->response) == 0);
	}
	rc = digest_verify(ctx, cr, "REGISTER", "pw", NOW);
	CHECK(rc == (ok ? DIGEST_OK : DIGEST_BAD));
	rc = digest_verify(ctx, cr, "REGISTER", "pw", NOW + LIFETIME + 1);
	CHECK(rc == (ok ? DIGEST_STALE : DIGEST_BAD));
	CHECK(digest_verify(ctx, cr, "REGISTER", "px", NOW) == DIGEST_BAD);
	CHECK(digest_verify(ctx, cr, "INVITE", "pw", NOW) == DIGEST_BAD);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char	secret[DIGEST_SECRET_LEN] = { 1, 2, 3 };
	struct digest_ctx		ctx;
	struct digest_creds		cr, again;
	char				hdr[2 * DIGEST_MAX_HEADER];
	size_t				i;
	int				rc;

	if (digest_parse((const char *)data, size, &cr) == -1)
		return 0;
	CHECK(size <= DIGEST_MAX_HEADER);
	CHECK((cr.have & 0x1f) == 0x1f);
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		CHECK(memchr((const char *)&cr + named[i].off, '\0',
		    named[i].size) != NULL);
	if (write_back(&cr, hdr, sizeof(hdr)) == 0 &&
	    strlen(hdr) <= DIGEST_MAX_HEADER) {
		CHECK(digest_parse(hdr, strlen(hdr), &again) == 0);
		CHECK(memcmp(&cr, &again, sizeof(cr)) == 0);
	}
	CHECK(digest_ctx_init(&ctx, secret, LIFETIME) == 0);
	rc = digest_verify(&ctx, &cr, "REGISTER", "pw", NOW);
	CHECK(rc == DIGEST_BAD);
	check_signed(&ctx, &cr);
	digest_ctx_clear(&ctx);
	return 0;
}
