/*
 * test_digest.c: cmocka unit tests for signaling/digest.c: the RFC 7616
 * section 3.9.1 vectors (SHA-256 and MD5, then the same credentials on
 * SIP methods, values from an independent Python hashlib/hmac run), the
 * RFC 2617 vector, nonce format and challenges, full verification with an
 * injected clock (fresh, stale, tampered, other realm, wrong password),
 * qop-less MD5, unsupported qop/algorithm, and Authorization parsing edge
 * cases (quotes, escapes, white space, unknown and duplicate parameters,
 * size limits).
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/digest.h"

#define NOW		((time_t)1700000000)
#define LIFETIME	300
#define REALM		"example.org"
/* digest_nonce(secret 00..1f, REALM, NOW), computed in Python */
#define NONCE		"AAAAAGVT8QBf6MQfXH7QnREnaITQU06Z"

/* RFC 7616 3.9.1 */
#define R7616_REALM	"http-auth@example.org"
#define R7616_NONCE	"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE	"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE	"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_PASS	"Circle of Life"

static void
ctx_make(struct digest_ctx *ctx)
{
	unsigned char	secret[DIGEST_SECRET_LEN];
	int		i;

	for (i = 0; i < DIGEST_SECRET_LEN; i++)
		secret[i] = (unsigned char)i;
	assert_int_equal(digest_ctx_init(ctx, secret, LIFETIME), 0);
}

static int
parse(const char *s, struct digest_creds *cr)
{
	return digest_parse(s, strlen(s), cr);
}

/* The RFC's Authorization header, folded over lines as printed. */
static void
rfc7616_parse(const char *algo, const char *response, struct digest_creds *cr)
{
	char	h[1024];

	snprintf(h, sizeof(h), "Digest username=\"Mufasa\",\r\n"
	    "       realm=\"" R7616_REALM "\",\r\n"
	    "       uri=\"/dir/index.html\",\r\n"
	    "       algorithm=%s,\r\n"
	    "       nonce=\"" R7616_NONCE "\",\r\n"
	    "       nc=00000001,\r\n"
	    "       cnonce=\"" R7616_CNONCE "\",\r\n"
	    "       qop=auth,\r\n"
	    "       response=\"%s\",\r\n"
	    "       opaque=\"" R7616_OPAQUE "\"", algo, response);
	assert_int_equal(parse(h, cr), 0);
}

static void
expect_response(struct digest_creds *cr, int algo, const char *method,
    const char *uri, const char *want)
{
	char	ha1[DIGEST_HEX_MAX], got[DIGEST_HEX_MAX];

	snprintf(cr->uri, sizeof(cr->uri), "%s", uri);
	assert_int_equal(digest_ha1(algo, cr->username, cr->realm,
	    R7616_PASS, ha1), 0);
	assert_int_equal(digest_response(cr, algo, ha1, method, got), 0);
	assert_string_equal(got, want);
}

/* ------------------------------------------------------------ vectors */

static void
test_rfc7616_sha256(void **state)
{
	struct digest_creds	cr;
	char			ha1[DIGEST_HEX_MAX];
	const char		*resp = "753927fa0e85d155564e2e272a28d180"
				    "2ca10daf4496794697cf8db5856cb6c1";

	(void)state;
	rfc7616_parse("SHA-256", resp, &cr);
	assert_string_equal(cr.username, "Mufasa");
	assert_string_equal(cr.realm, R7616_REALM);
	assert_string_equal(cr.nonce, R7616_NONCE);
	assert_string_equal(cr.cnonce, R7616_CNONCE);
	assert_string_equal(cr.nc, "00000001");
	assert_string_equal(cr.qop, "auth");
	assert_string_equal(cr.opaque, R7616_OPAQUE);
	assert_string_equal(cr.response, resp);
	assert_int_equal(digest_algo(&cr), DIGEST_SHA256);
	assert_int_equal(digest_ha1(DIGEST_SHA256, "Mufasa", R7616_REALM,
	    R7616_PASS, ha1), 0);
	assert_string_equal(ha1, "7987c64c30e25f1b74be53f966b49b90"
	    "f2808aa92faf9a00262392d7b4794232");
	expect_response(&cr, DIGEST_SHA256, "GET", "/dir/index.html", resp);
	expect_response(&cr, DIGEST_SHA256, "REGISTER", "sip:example.org",
	    "d57413410d78b292532cea78ea9f61d570d2a1f061edfb96af7836c329503c9d");
	expect_response(&cr, DIGEST_SHA256, "INVITE", "sip:bob@example.org",
	    "b9f6e862ef1a5c7f7759e871dea4b33c76ee452c042f6bb43012c44d4578fe0b");
}

static void
test_rfc7616_md5(void **state)
{
	struct digest_creds	cr;
	char			ha1[DIGEST_HEX_MAX];

	(void)state;
	rfc7616_parse("MD5", "8ca523f5e9506fed4657c9700eebdbec", &cr);
	assert_int_equal(digest_algo(&cr), DIGEST_MD5);
	assert_int_equal(digest_ha1(DIGEST_MD5, "Mufasa", R7616_REALM,
	    R7616_PASS, ha1), 0);
	assert_string_equal(ha1, "3d78807defe7de2157e2b0b6573a855f");
	expect_response(&cr, DIGEST_MD5, "GET", "/dir/index.html",
	    "8ca523f5e9506fed4657c9700eebdbec");
	expect_response(&cr, DIGEST_MD5, "REGISTER", "sip:example.org",
	    "4d0bd2cf2b438b4c66115656036bd58e");
	expect_response(&cr, DIGEST_MD5, "INVITE", "sip:bob@example.org",
	    "a8deadd2cc80ac4aabd4eadb49afe190");
}

/* RFC 2617 3.5: no algorithm parameter means MD5. */
static void
test_rfc2617(void **state)
{
	struct digest_creds	cr;
	char			ha1[DIGEST_HEX_MAX], got[DIGEST_HEX_MAX];

	(void)state;
	assert_int_equal(parse("Digest username=\"Mufasa\", "
	    "realm=\"testrealm@host.com\", "
	    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	    "uri=\"/dir/index.html\", qop=auth, nc=00000001, "
	    "cnonce=\"0a4f113b\", "
	    "response=\"6629fae49393a05397450978507c4ef1\", "
	    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &cr), 0);
	assert_int_equal(digest_algo(&cr), DIGEST_MD5);
	assert_int_equal(digest_ha1(DIGEST_MD5, cr.username, cr.realm,
	    "Circle Of Life", ha1), 0);
	assert_int_equal(digest_response(&cr, DIGEST_MD5, ha1, "GET", got), 0);
	assert_string_equal(got, cr.response);
}

/* ------------------------------------------------------------ nonces */

static void
test_nonce_and_challenge(void **state)
{
	struct digest_ctx	ctx;
	char			n[DIGEST_NONCE_LEN + 1], out[256];

	(void)state;
	ctx_make(&ctx);
	assert_int_equal(digest_nonce(&ctx, REALM, NOW, n), 0);
	assert_string_equal(n, NONCE);
	assert_int_equal(digest_challenge(&ctx, REALM, DIGEST_SHA256, NOW, 0,
	    out, sizeof(out)), 0);
	assert_string_equal(out, "Digest realm=\"example.org\", nonce=\""
	    NONCE "\", algorithm=SHA-256, qop=\"auth\"");
	assert_int_equal(digest_challenge(&ctx, REALM, DIGEST_MD5, NOW, 1,
	    out, sizeof(out)), 0);
	assert_string_equal(out, "Digest realm=\"example.org\", nonce=\""
	    NONCE "\", algorithm=MD5, qop=\"auth\", stale=true");
	/* refused: unknown algorithm, unquotable realm, short buffer */
	assert_int_equal(digest_challenge(&ctx, REALM, 7, NOW, 0, out,
	    sizeof(out)), -1);
	assert_int_equal(digest_challenge(&ctx, "a\"b", DIGEST_MD5, NOW, 0,
	    out, sizeof(out)), -1);
	assert_int_equal(digest_challenge(&ctx, "a\\b", DIGEST_MD5, NOW, 0,
	    out, sizeof(out)), -1);
	assert_int_equal(digest_challenge(&ctx, "a\nb", DIGEST_MD5, NOW, 0,
	    out, sizeof(out)), -1);
	assert_int_equal(digest_challenge(&ctx, "", DIGEST_MD5, NOW, 0,
	    out, sizeof(out)), -1);
	assert_int_equal(digest_challenge(&ctx, REALM, DIGEST_MD5, NOW, 0,
	    out, 40), -1);
	/* a later second gives another nonce */
	assert_int_equal(digest_nonce(&ctx, REALM, NOW + 1, n), 0);
	assert_string_not_equal(n, NONCE);
	assert_int_equal(digest_ctx_init(&ctx, NULL, 10), -1);
	digest_ctx_clear(&ctx);
}

/* ------------------------------------------------------------ verify */

/* Authorization for alice/REGISTER with the given nonce and response. */
static void
alice(struct digest_creds *cr, const char *algo, const char *nonce,
    const char *response, int with_qop)
{
	char	h[1024];

	snprintf(h, sizeof(h), "Digest username=\"alice\", realm=\"" REALM
	    "\", nonce=\"%s\", uri=\"sip:example.org\", response=\"%s\"%s%s%s",
	    nonce, response, algo ? ", algorithm=" : "", algo ? algo : "",
	    with_qop ? ", qop=auth, nc=00000001, cnonce=\"0a4f113b\"" : "");
	assert_int_equal(parse(h, cr), 0);
}

#define SHA_REG	"62e04ffc95ca280c2e8c48cb509901bec99faa51b4b64d292836658acbd285cc"
#define MD5_REG	"a4ecdcfdf6e02e52c48ff1846408b7ac"

static void
test_verify_ok(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;
	char			ha1[DIGEST_HEX_MAX];

	(void)state;
	ctx_make(&ctx);
	alice(&cr, "SHA-256", NONCE, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_OK);
	/* the method counts */
	assert_int_equal(digest_verify(&ctx, &cr, "INVITE", "s3cret", NOW),
	    DIGEST_BAD);
	/* a stored HA1 instead of the password */
	assert_int_equal(digest_ha1(DIGEST_SHA256, "alice", REALM, "s3cret",
	    ha1), 0);
	assert_int_equal(digest_verify_ha1(&ctx, &cr, "REGISTER", ha1, NOW),
	    DIGEST_OK);
	alice(&cr, "md5", NONCE, MD5_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret",
	    NOW + LIFETIME), DIGEST_OK);
	/* upper-case hex is accepted */
	alice(&cr, "MD5", NONCE, "A4ECDCFDF6E02E52C48FF1846408B7AC", 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_OK);
	/* truncated response */
	alice(&cr, "MD5", NONCE, "a4ecdcfdf6e02e52c48ff1846408b7a", 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	digest_ctx_clear(&ctx);
}

static void
test_stale(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;

	(void)state;
	ctx_make(&ctx);
	alice(&cr, "SHA-256", NONCE, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret",
	    NOW + LIFETIME + 1), DIGEST_STALE);
	/* issued "in the future": the clock went back */
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret",
	    NOW - 1), DIGEST_STALE);
	/* stale only for someone who knows the password */
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "wrong",
	    NOW + LIFETIME + 1), DIGEST_BAD);
	digest_ctx_clear(&ctx);
}

static void
test_tampered_nonce(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;
	char			n[DIGEST_NONCE_LEN + 1];
	unsigned char		other[DIGEST_SECRET_LEN];

	(void)state;
	ctx_make(&ctx);
	/* one character changed: the time stamp, then the MAC */
	snprintf(n, sizeof(n), "%s", NONCE);
	n[7] = n[7] == 'A' ? 'B' : 'A';
	alice(&cr, "SHA-256", n, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	snprintf(n, sizeof(n), "%s", NONCE);
	n[31] = n[31] == 'Z' ? 'Y' : 'Z';
	alice(&cr, "SHA-256", n, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	/* length, alphabet, padding */
	alice(&cr, "SHA-256", "AAAAAGVT8QBf6MQfXH7QnREnaITQU06", SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	alice(&cr, "SHA-256", "AAAAAGVT8QBf6MQfXH7QnREnaITQU0+Z", SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	alice(&cr, "SHA-256", NONCE "==", SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	/* another secret (a restart) */
	memset(other, 7, sizeof(other));
	assert_int_equal(digest_ctx_init(&ctx, other, LIFETIME), 0);
	alice(&cr, "SHA-256", NONCE, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	digest_ctx_clear(&ctx);
}

static void
test_wrong_password(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;

	(void)state;
	ctx_make(&ctx);
	alice(&cr, "SHA-256", NONCE, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3creT", NOW),
	    DIGEST_BAD);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "", NOW),
	    DIGEST_BAD);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", NULL, NOW),
	    DIGEST_BAD);
	digest_ctx_clear(&ctx);
}

/* A right response for another realm, on a nonce issued for REALM. */
static void
test_wrong_realm(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;
	char			ha1[DIGEST_HEX_MAX];
	char			n[DIGEST_NONCE_LEN + 1];

	(void)state;
	ctx_make(&ctx);
	alice(&cr, "SHA-256", NONCE, SHA_REG, 1);
	snprintf(cr.realm, sizeof(cr.realm), "other.org");
	assert_int_equal(digest_ha1(DIGEST_SHA256, "alice", "other.org",
	    "s3cret", ha1), 0);
	assert_int_equal(digest_response(&cr, DIGEST_SHA256, ha1, "REGISTER",
	    cr.response), 0);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	/* with a nonce issued for other.org it verifies */
	assert_int_equal(digest_nonce(&ctx, "other.org", NOW, n), 0);
	snprintf(cr.nonce, sizeof(cr.nonce), "%s", n);
	assert_int_equal(digest_response(&cr, DIGEST_SHA256, ha1, "REGISTER",
	    cr.response), 0);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_OK);
	digest_ctx_clear(&ctx);
}

static void
test_qop_less(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;

	(void)state;
	ctx_make(&ctx);
	alice(&cr, NULL, NONCE, "c2f9126dd40f303bb1a76aba1a63c257", 0);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_OK);
	alice(&cr, "MD5", NONCE, "c2f9126dd40f303bb1a76aba1a63c257", 0);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_OK);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret",
	    NOW + LIFETIME + 1), DIGEST_STALE);
	ctx.allow_no_qop = 0;
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	ctx.allow_no_qop = 1;
	/* no qop with SHA-256 is never accepted (RFC 7616) */
	alice(&cr, "SHA-256", NONCE, SHA_REG, 0);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	digest_ctx_clear(&ctx);
}

static void
test_unsupported(void **state)
{
	struct digest_ctx	ctx;
	struct digest_creds	cr;

	(void)state;
	ctx_make(&ctx);
	alice(&cr, "MD5-sess", NONCE, MD5_REG, 1);
	assert_int_equal(digest_algo(&cr), -1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	alice(&cr, "SHA-512-256", NONCE, SHA_REG, 1);
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	alice(&cr, "MD5", NONCE, MD5_REG, 1);
	snprintf(cr.qop, sizeof(cr.qop), "auth-int");
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	snprintf(cr.qop, sizeof(cr.qop), "auth");
	snprintf(cr.nc, sizeof(cr.nc), "0000001");
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	snprintf(cr.nc, sizeof(cr.nc), "0000000g");
	assert_int_equal(digest_verify(&ctx, &cr, "REGISTER", "s3cret", NOW),
	    DIGEST_BAD);
	digest_ctx_clear(&ctx);
}

/* ------------------------------------------------------------ parsing */

#define BASE	"username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", " \
		"response=\"x\""

static void
test_missing_fields(void **state)
{
	struct digest_creds	cr;

	(void)state;
	assert_int_equal(parse("Digest " BASE, &cr), 0);
	assert_int_equal(parse("Digest realm=\"r\", nonce=\"n\", uri=\"u\", "
	    "response=\"x\"", &cr), -1);
	assert_int_equal(parse("Digest username=\"u\", nonce=\"n\", "
	    "uri=\"u\", response=\"x\"", &cr), -1);
	assert_int_equal(parse("Digest username=\"u\", realm=\"r\", "
	    "uri=\"u\", response=\"x\"", &cr), -1);
	assert_int_equal(parse("Digest username=\"u\", realm=\"r\", "
	    "nonce=\"n\", response=\"x\"", &cr), -1);
	assert_int_equal(parse("Digest username=\"u\", realm=\"r\", "
	    "nonce=\"n\", uri=\"u\"", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", qop=auth, nc=00000001",
	    &cr), -1);
	assert_int_equal(parse("Digest " BASE ", qop=auth, cnonce=\"c\"",
	    &cr), -1);
	assert_int_equal(cr.have, 0);	/* cleared on failure */
	assert_int_equal(parse("Digest ", &cr), -1);
	assert_int_equal(parse("Digest", &cr), -1);
	assert_int_equal(parse("", &cr), -1);
}

static void
test_parse_quotes(void **state)
{
	struct digest_creds	cr;

	(void)state;
	/* commas and '=' inside quotes; escaped quote and backslash */
	assert_int_equal(parse("Digest username=\"a,b=c\", "
	    "realm=\"say \\\"hi\\\" \\\\o/\", nonce=\"n\", "
	    "uri=\"sip:x;a=b,c\", response=\"x\"", &cr), 0);
	assert_string_equal(cr.username, "a,b=c");
	assert_string_equal(cr.realm, "say \"hi\" \\o/");
	assert_string_equal(cr.uri, "sip:x;a=b,c");
	/* any escaped character stands for itself; UTF-8 passes */
	assert_int_equal(parse("Digest username=\"\\a\xc3\xa9\", realm=\"r\", "
	    "nonce=\"n\", uri=\"u\", response=\"x\"", &cr), 0);
	assert_string_equal(cr.username, "a\xc3\xa9");
	/* empty quoted value */
	assert_int_equal(parse("Digest username=\"\", realm=\"r\", "
	    "nonce=\"n\", uri=\"u\", response=\"x\"", &cr), 0);
	assert_string_equal(cr.username, "");
	/* unterminated, escape at the end, CR/LF or NUL inside */
	assert_int_equal(parse("Digest " BASE ", opaque=\"abc", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", opaque=\"abc\\", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", opaque=\"a\r\nb\"", &cr),
	    -1);
	assert_int_equal(parse("Digest " BASE ", opaque=\"a\\\nb\"", &cr),
	    -1);
	assert_int_equal(digest_parse("Digest " BASE ", opaque=\"a\0b\"",
	    sizeof("Digest " BASE ", opaque=\"a\0b\"") - 1, &cr), -1);
	/* NUL outside quotes */
	assert_int_equal(digest_parse("Digest " BASE "\0", sizeof("Digest "
	    BASE), &cr), -1);
}

static void
test_parse_whitespace_case(void **state)
{
	struct digest_creds	cr;

	(void)state;
	assert_int_equal(parse("  dIGEST\tUserName = \"u\" ,REALM=r,\t"
	    "Nonce =\"n\",uri= \"sip:r\" , RESPONSE=\"x\"  ", &cr), 0);
	assert_string_equal(cr.username, "u");
	assert_string_equal(cr.realm, "r");
	assert_string_equal(cr.nonce, "n");
	assert_string_equal(cr.uri, "sip:r");
	/* quoted qop and token response are accepted too; empty elements */
	assert_int_equal(parse("Digest ,, " BASE ", , qop=\"auth\", "
	    "nc=00000001, cnonce=c,", &cr), 0);
	assert_string_equal(cr.qop, "auth");
	assert_string_equal(cr.cnonce, "c");
	/* scheme glued to a parameter, other schemes, junk */
	assert_int_equal(parse("Digestusername=\"u\"", &cr), -1);
	assert_int_equal(parse("Basic dTpw", &cr), -1);
	assert_int_equal(parse("Digest " BASE " junk", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", noequals", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", x=", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", =x", &cr), -1);
	assert_int_equal(parse("Digest " BASE "; opaque=o", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", Digest " BASE, &cr), -1);
}

static void
test_parse_unknown_duplicate(void **state)
{
	struct digest_creds	cr;

	(void)state;
	assert_int_equal(parse("Digest foo=bar, " BASE ", x-y=\"a, b=\\\"c\", "
	    "userhash=false, username*=UTF-8''u, foo=again", &cr), 0);
	assert_string_equal(cr.username, "u");
	assert_int_equal(cr.have, DIGEST_HAVE_USERNAME | DIGEST_HAVE_REALM |
	    DIGEST_HAVE_NONCE | DIGEST_HAVE_URI | DIGEST_HAVE_RESPONSE);
	assert_int_equal(parse("Digest " BASE ", realm=\"r\"", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", Response=\"y\"", &cr), -1);
	assert_int_equal(parse("Digest " BASE ", nc=1, NC=1", &cr), -1);
	/* a bad unknown parameter still fails */
	assert_int_equal(parse("Digest " BASE ", x=\"a\001\"", &cr), -1);
}

static void
test_parse_limits(void **state)
{
	struct digest_creds	 cr;
	char			*h, big[DIGEST_MAX_HEADER + 64];
	size_t			 n;

	(void)state;
	h = malloc(2 * DIGEST_MAX_HEADER);
	assert_non_null(h);
	/* 255 characters fit a field, 256 do not */
	memset(big, 'a', DIGEST_MAX_FIELD);
	big[DIGEST_MAX_FIELD - 1] = '\0';
	snprintf(h, 2 * DIGEST_MAX_HEADER, "Digest username=\"%s\", realm=r, "
	    "nonce=n, uri=u, response=x", big);
	assert_int_equal(parse(h, &cr), 0);
	assert_int_equal(strlen(cr.username), DIGEST_MAX_FIELD - 1);
	big[DIGEST_MAX_FIELD - 1] = 'a';
	big[DIGEST_MAX_FIELD] = '\0';
	snprintf(h, 2 * DIGEST_MAX_HEADER, "Digest username=\"%s\", realm=r, "
	    "nonce=n, uri=u, response=x", big);
	assert_int_equal(parse(h, &cr), -1);
	snprintf(h, 2 * DIGEST_MAX_HEADER, "Digest username=u, realm=%s, "
	    "nonce=n, uri=u, response=x", big);
	assert_int_equal(parse(h, &cr), -1);
	/* the uri has more room */
	snprintf(h, 2 * DIGEST_MAX_HEADER, "Digest username=u, realm=r, "
	    "nonce=n, uri=\"sip:%s\", response=x", big);
	assert_int_equal(parse(h, &cr), 0);
	/* a whole header over DIGEST_MAX_HEADER, even in unknown params */
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(h, 2 * DIGEST_MAX_HEADER, "Digest " BASE ", x=\"%s\"", big);
	n = strlen(h);
	assert_true(n > DIGEST_MAX_HEADER);
	assert_int_equal(digest_parse(h, n, &cr), -1);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7616_sha256),
		cmocka_unit_test(test_rfc7616_md5),
		cmocka_unit_test(test_rfc2617),
		cmocka_unit_test(test_nonce_and_challenge),
		cmocka_unit_test(test_verify_ok),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_tampered_nonce),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_wrong_realm),
		cmocka_unit_test(test_qop_less),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_parse_quotes),
		cmocka_unit_test(test_parse_whitespace_case),
		cmocka_unit_test(test_parse_unknown_duplicate),
		cmocka_unit_test(test_parse_limits),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
