/*
 * test_digest_client.c: cmocka unit tests for signaling/digest_client.c:
 * the RFC 7616 section 3.9.1 challenges (SHA-256 and MD5 offered together:
 * SHA-256 chosen) answered with the RFC's cnonce give the RFC's responses,
 * and the same credentials on a SIP REGISTER (values cross-checked with
 * Python hashlib); the nonce count; random cnonces; RFC 2069 (no qop);
 * escaping; the Authorization we write parses with the server-side parser
 * (digest.c); and every refusal: other schemes, -sess and unknown
 * algorithms, qop without auth, no realm, no or empty nonce, a 10 kB
 * nonce, duplicates, broken quoting, control characters, short buffers.
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
#include "signaling/digest_client.h"

/* RFC 7616 3.9.1 */
#define R7616_REALM	"http-auth@example.org"
#define R7616_NONCE	"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE	"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE	"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_PASS	"Circle of Life"
#define R7616_SHA256	"753927fa0e85d155564e2e272a28d180" \
			"2ca10daf4496794697cf8db5856cb6c1"
#define R7616_MD5	"8ca523f5e9506fed4657c9700eebdbec"

/* The RFC's two WWW-Authenticate values, folded as printed. */
#define R7616_CHALLENGE(algo) \
	"Digest\r\n" \
	"       realm=\"" R7616_REALM "\",\r\n" \
	"       qop=\"auth, auth-int\",\r\n" \
	"       algorithm=" algo ",\r\n" \
	"       nonce=\"" R7616_NONCE "\",\r\n" \
	"       opaque=\"" R7616_OPAQUE "\""

static int
parse(const char *s, struct dc_challenge *ch)
{
	return dc_parse(s, strlen(s), ch);
}

/* Answer s with the RFC's cnonce; check the result against the server
 * parser and the expected response. */
static void
answer(struct dc_session *s, const char *method, const char *uri,
    const char *want_response, const char *want_nc)
{
	struct digest_creds	cr;
	char			out[1024];

	assert_int_equal(dc_authorize(s, method, uri, "Mufasa", R7616_PASS,
	    R7616_CNONCE, out, sizeof(out)), 0);
	assert_int_equal(digest_parse(out, strlen(out), &cr), 0);
	assert_string_equal(cr.username, "Mufasa");
	assert_string_equal(cr.realm, R7616_REALM);
	assert_string_equal(cr.nonce, R7616_NONCE);
	assert_string_equal(cr.uri, uri);
	assert_string_equal(cr.cnonce, R7616_CNONCE);
	assert_string_equal(cr.qop, "auth");
	assert_string_equal(cr.nc, want_nc);
	assert_string_equal(cr.opaque, R7616_OPAQUE);
	assert_string_equal(cr.response, want_response);
}

/* ------------------------------------------------------------ vectors */

static void
test_rfc7616_sha256(void **state)
{
	const char		*v[2] = { R7616_CHALLENGE("MD5"),
				    R7616_CHALLENGE("SHA-256") };
	size_t			 len[2] = { strlen(v[0]), strlen(v[1]) };
	struct dc_challenge	 ch;
	struct dc_session	 s;

	(void)state;
	assert_int_equal(dc_choose(v, len, 2, &ch), DC_OK);
	assert_int_equal(ch.algo, DIGEST_SHA256);
	assert_int_equal(ch.qop_auth, 1);
	assert_int_equal(ch.stale, 0);
	assert_int_equal(ch.has_opaque, 1);
	assert_string_equal(ch.realm, R7616_REALM);
	assert_string_equal(ch.nonce, R7616_NONCE);
	assert_string_equal(ch.opaque, R7616_OPAQUE);
	dc_session_start(&s, &ch);
	answer(&s, "GET", "/dir/index.html", R7616_SHA256, "00000001");
	dc_session_start(&s, &ch);
	answer(&s, "REGISTER", "sip:example.org", "d57413410d78b292532cea78e"
	    "a9f61d570d2a1f061edfb96af7836c329503c9d", "00000001");
	dc_session_clear(&s);
	assert_int_equal(s.valid, 0);
}

static void
test_rfc7616_md5(void **state)
{
	struct dc_challenge	ch;
	struct dc_session	s;

	(void)state;
	assert_int_equal(parse(R7616_CHALLENGE("MD5"), &ch), DC_OK);
	assert_int_equal(ch.algo, DIGEST_MD5);
	dc_session_start(&s, &ch);
	answer(&s, "GET", "/dir/index.html", R7616_MD5, "00000001");
	dc_session_start(&s, &ch);
	answer(&s, "REGISTER", "sip:example.org",
	    "4d0bd2cf2b438b4c66115656036bd58e", "00000001");
	dc_session_start(&s, &ch);
	answer(&s, "INVITE", "sip:bob@example.org",
	    "a8deadd2cc80ac4aabd4eadb49afe190", "00000001");
}

/* No algorithm parameter means MD5; the choice keeps the best. */
static void
test_choose(void **state)
{
	const char		*v[3] = { "Basic realm=\"x\"",
				    "Digest realm=\"r\", nonce=\"n\"",
				    "Digest realm=\"r\", nonce=\"n\", qop=auth" };
	size_t			 len[3] = { strlen(v[0]), strlen(v[1]),
				    strlen(v[2]) };
	struct dc_challenge	 ch;

	(void)state;
	assert_int_equal(dc_choose(v, len, 3, &ch), DC_OK);
	assert_int_equal(ch.algo, DIGEST_MD5);
	assert_int_equal(ch.qop_auth, 1);
	assert_int_equal(dc_choose(v, len, 1, &ch), DC_ERR_SCHEME);
	assert_int_equal(dc_choose(v, len, 0, &ch), DC_ERR_NONE);
}

/* ------------------------------------------------------------ answering */

static void
test_nonce_count(void **state)
{
	struct dc_challenge	ch;
	struct dc_session	s;

	(void)state;
	assert_int_equal(parse(R7616_CHALLENGE("SHA-256"), &ch), DC_OK);
	dc_session_start(&s, &ch);
	answer(&s, "GET", "/dir/index.html", R7616_SHA256, "00000001");
	assert_int_equal(s.nc, 1);
	/* the second use of the nonce counts 2: another response */
	{
		struct digest_creds	cr;
		char			out[1024];

		assert_int_equal(dc_authorize(&s, "GET", "/dir/index.html",
		    "Mufasa", R7616_PASS, R7616_CNONCE, out, sizeof(out)), 0);
		assert_int_equal(digest_parse(out, strlen(out), &cr), 0);
		assert_string_equal(cr.nc, "00000002");
		assert_string_not_equal(cr.response, R7616_SHA256);
	}
	dc_session_start(&s, &ch);
	answer(&s, "GET", "/dir/index.html", R7616_SHA256, "00000001");
}

static void
test_random_cnonce(void **state)
{
	struct dc_challenge	ch;
	struct dc_session	s;
	struct digest_creds	a, b;
	char			out[1024];
	size_t			i;

	(void)state;
	assert_int_equal(parse("Digest realm=\"pbx.test\", nonce=\"abc\", "
	    "qop=\"auth\"", &ch), DC_OK);
	dc_session_start(&s, &ch);
	assert_int_equal(dc_authorize(&s, "REGISTER", "sip:pbx.test", "alice",
	    "secret", NULL, out, sizeof(out)), 0);
	assert_int_equal(digest_parse(out, strlen(out), &a), 0);
	assert_int_equal(dc_authorize(&s, "REGISTER", "sip:pbx.test", "alice",
	    "secret", NULL, out, sizeof(out)), 0);
	assert_int_equal(digest_parse(out, strlen(out), &b), 0);
	assert_int_equal(strlen(a.cnonce), 32);
	for (i = 0; i < 32; i++)
		assert_non_null(strchr("0123456789abcdef", a.cnonce[i]));
	assert_string_not_equal(a.cnonce, b.cnonce);
	assert_string_equal(b.nc, "00000002");
	assert_null(strstr(out, "secret"));	/* never the password */
	assert_int_equal(a.have & DIGEST_HAVE_OPAQUE, 0);
}

/* RFC 2069: no qop offered, none answered; value from Python hashlib. */
static void
test_no_qop(void **state)
{
	struct dc_challenge	ch;
	struct dc_session	s;
	struct digest_creds	cr;
	char			out[512];

	(void)state;
	assert_int_equal(parse("Digest realm=\"pbx.test\", nonce=\"abc123\", "
	    "algorithm=md5", &ch), DC_OK);
	assert_int_equal(ch.qop_auth, 0);
	dc_session_start(&s, &ch);
	assert_int_equal(dc_authorize(&s, "REGISTER", "sip:pbx.test", "alice",
	    "secret", NULL, out, sizeof(out)), 0);
	assert_int_equal(digest_parse(out, strlen(out), &cr), 0);
	assert_int_equal(cr.have & (DIGEST_HAVE_QOP | DIGEST_HAVE_NC |
	    DIGEST_HAVE_CNONCE), 0);
	assert_string_equal(cr.response, "eaefeceefefa29aaa9719184e337404a");
	assert_string_equal(cr.algorithm, "MD5");
}

/* Quotes and backslashes in values survive both ways. */
static void
test_escapes(void **state)
{
	struct dc_challenge	ch;
	struct dc_session	s;
	struct digest_creds	cr;
	char			out[512];

	(void)state;
	assert_int_equal(parse("Digest realm=\"a\\\"b\\\\c\", "
	    "nonce=\"n\\\"1\", opaque=\"\", stale=TRUE, "
	    "algorithm=\"SHA-256\", qop=\"auth-int,auth\"", &ch), DC_OK);
	assert_string_equal(ch.realm, "a\"b\\c");
	assert_string_equal(ch.nonce, "n\"1");
	assert_int_equal(ch.stale, 1);
	assert_int_equal(ch.has_opaque, 1);
	assert_int_equal(ch.algo, DIGEST_SHA256);
	assert_int_equal(ch.qop_auth, 1);
	dc_session_start(&s, &ch);
	assert_int_equal(dc_authorize(&s, "REGISTER", "sip:x", "us\"er",
	    "pw", "c", out, sizeof(out)), 0);
	assert_int_equal(digest_parse(out, strlen(out), &cr), 0);
	assert_string_equal(cr.username, "us\"er");
	assert_string_equal(cr.realm, "a\"b\\c");
	assert_string_equal(cr.nonce, "n\"1");
	assert_string_equal(cr.opaque, "");
	assert_string_equal(cr.algorithm, "SHA-256");
}

static void
test_short_buffer(void **state)
{
	struct dc_challenge	ch;
	struct dc_session	s;
	char			out[64];

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(dc_authorize(&s, "REGISTER", "sip:x", "u", "p", NULL,
	    out, sizeof(out)), -1);		/* no challenge yet */
	assert_int_equal(parse(R7616_CHALLENGE("MD5"), &ch), DC_OK);
	dc_session_start(&s, &ch);
	memset(out, 'x', sizeof(out));
	assert_int_equal(dc_authorize(&s, "REGISTER", "sip:x", "u", "p", NULL,
	    out, sizeof(out)), -1);
	assert_int_equal(out[0], '\0');
}

/* ------------------------------------------------------------ refusals */

static void
expect_refused(const char *s, int want)
{
	struct dc_challenge	ch;

	assert_int_equal(dc_parse(s, strlen(s), &ch), want);
	assert_int_equal(ch.nonce[0], '\0');	/* nothing half-filled */
}

static void
test_refusals(void **state)
{
	(void)state;
	expect_refused("", DC_ERR_SYNTAX);
	expect_refused("Basic realm=\"x\"", DC_ERR_SCHEME);
	expect_refused("Digestrealm=\"x\"", DC_ERR_SCHEME);
	expect_refused("Digest realm=\"r\"", DC_ERR_NO_NONCE);
	expect_refused("Digest realm=\"r\", nonce=\"\"", DC_ERR_NO_NONCE);
	expect_refused("Digest nonce=\"n\"", DC_ERR_NO_REALM);
	expect_refused("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5",
	    DC_ERR_ALGORITHM);
	expect_refused("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess",
	    DC_ERR_ALGORITHM);
	expect_refused("Digest realm=\"r\", nonce=\"n\", "
	    "algorithm=SHA-256-sess", DC_ERR_ALGORITHM);
	expect_refused("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
	    DC_ERR_ALGORITHM);
	expect_refused("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"",
	    DC_ERR_QOP);
	expect_refused("Digest realm=\"r\", nonce=\"n\", nonce=\"m\"",
	    DC_ERR_SYNTAX);
	expect_refused("Digest realm=\"r\", nonce=\"n", DC_ERR_SYNTAX);
	expect_refused("Digest realm=\"r\", nonce=\"a\001b\"", DC_ERR_SYNTAX);
	expect_refused("Digest realm=\"r\" nonce=\"n\"", DC_ERR_SYNTAX);
	expect_refused("Digest realm=, nonce=\"n\"", DC_ERR_SYNTAX);
}

/* Over-long values are refused, never truncated. */
static void
test_limits(void **state)
{
	char	*h = malloc(12000), big[10241];

	(void)state;
	assert_non_null(h);
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(h, 12000, "Digest realm=\"r\", nonce=\"%s\"", big);
	expect_refused(h, DC_ERR_TOO_LONG);		/* 10 kB nonce */
	big[DIGEST_MAX_FIELD] = '\0';
	snprintf(h, 12000, "Digest realm=\"r\", nonce=\"%s\"", big);
	expect_refused(h, DC_ERR_TOO_LONG);		/* one byte too many */
	snprintf(h, 12000, "Digest realm=\"r\", nonce=%s", big);
	expect_refused(h, DC_ERR_TOO_LONG);		/* as a token */
	big[DIGEST_MAX_FIELD - 1] = '\0';
	snprintf(h, 12000, "Digest realm=\"r\", nonce=\"%s\"", big);
	{
		struct dc_challenge	ch;

		assert_int_equal(dc_parse(h, strlen(h), &ch), DC_OK);
		assert_int_equal(strlen(ch.nonce), DIGEST_MAX_FIELD - 1);
	}
	free(h);
}

static void
test_strerror(void **state)
{
	int	rc;

	(void)state;
	for (rc = DC_OK; rc >= DC_ERR_NONE; rc--)
		assert_string_not_equal(dc_strerror(rc), "unknown error");
	assert_string_equal(dc_strerror(DC_ERR_NONE - 1), "unknown error");
	assert_string_equal(dc_strerror(1), "unknown error");
	assert_string_equal(dc_strerror(DC_ERR_ALGORITHM),
	    "unsupported digest algorithm");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7616_sha256),
		cmocka_unit_test(test_rfc7616_md5),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_nonce_count),
		cmocka_unit_test(test_random_cnonce),
		cmocka_unit_test(test_no_qop),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("digest_client", tests, NULL, NULL);
}
