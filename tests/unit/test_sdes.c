/*
 * test_sdes.c: cmocka tests for media/sdes.c: the suite table, every
 * suite's generate -> format -> parse round trip, strict base64 and key
 * lengths, lifetimes, MKI and multi-key lines refused with their reason,
 * session parameters, the answerer's choice in our preference order with
 * the offer's tag, the offerer's match of the answer, agreement with
 * sdp_conv_parse(), and full SRTP/SRTCP round trips through libsrtp with
 * srtp_pair_init_sdes() on the keys both sides ended with.
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

#include <cmocka.h>

#include "media/sdes.h"
#include "media/sdp_conv.h"
#include "media/srtp_ctx.h"

/* bytes 1..n in base64, for n = 30, 28, 44, 46 and the wrong sizes */
#define K30	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
#define K28	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHA=="
#define K44	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKyw="
#define K46	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLg=="
#define K29	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0="
#define K31	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw=="
#define S80	"AES_CM_128_HMAC_SHA1_80"
#define S32	"AES_CM_128_HMAC_SHA1_32"
#define G128	"AEAD_AES_128_GCM"
#define G256	"AEAD_AES_256_GCM"
#define A256	"AES_256_CM_HMAC_SHA1_80"

static const enum sdes_suite all[SDES_NSUITES] = {
	SDES_AES_CM_128_HMAC_SHA1_80, SDES_AES_CM_128_HMAC_SHA1_32,
	SDES_AEAD_AES_128_GCM, SDES_AEAD_AES_256_GCM,
	SDES_AES_256_CM_HMAC_SHA1_80,
};

static int
group_setup(void **state)
{
	return srtp_global_init();
}

static int
group_teardown(void **state)
{
	srtp_global_shutdown();
	return 0;
}

/* Parse value: expect rc and reason. */
static void
expect(const char *value, int rc, enum sdes_err want, struct sdes_crypto *c)
{
	enum sdes_err	why = (enum sdes_err)-1;

	assert_int_equal(sdes_parse(value, c, &why), rc);
	if (why != want)
		fail_msg("'%s': got '%s', want '%s'", value,
		    sdes_strerror(why), sdes_strerror(want));
}

static void
refused(const char *value, enum sdes_err want)
{
	struct sdes_crypto	c;
	static const uint8_t	zero[SDES_KEY_MAX];

	expect(value, -1, want, &c);
	assert_memory_equal(c.key, zero, sizeof(zero));	/* wiped */
}

static void
accepted(const char *value, struct sdes_crypto *c)
{
	expect(value, 0, SDES_OK, c);
}

static int
is_pattern(const struct sdes_crypto *c)
{
	size_t	i;

	for (i = 0; i < c->key_len; i++)
		if (c->key[i] != i + 1)
			return 0;
	return 1;
}

/* ------------------------------------------------------------ table */

static void
test_suite_table(void **state)
{
	static const size_t	lens[] = { 30, 30, 28, 44, 46 };
	static const char	*names[] = { S80, S32, G128, G256, A256 };
	int			i;

	for (i = 0; i < SDES_NSUITES; i++) {
		assert_string_equal(sdes_suite_name(all[i]), names[i]);
		assert_int_equal(sdes_suite_by_name(names[i]), all[i]);
		assert_int_equal(sdes_key_len(all[i]), lens[i]);
	}
	assert_null(sdes_suite_name(SDES_SUITE_NONE));
	assert_null(sdes_suite_name((enum sdes_suite)99));
	assert_int_equal(sdes_key_len(SDES_SUITE_NONE), 0);
	assert_int_equal(sdes_suite_by_name("F8_128_HMAC_SHA1_80"),
	    SDES_SUITE_NONE);
	assert_int_equal(sdes_suite_by_name(NULL), SDES_SUITE_NONE);
}

static void
test_default_prefs(void **state)
{
	enum sdes_suite	p[8];

	assert_int_equal(sdes_default_prefs(p, 8), SDES_NSUITES);
	assert_int_equal(p[0], SDES_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(p[4], SDES_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(sdes_default_prefs(p, 2), 2);
	assert_int_equal(sdes_default_prefs(p, 0), 0);
}

static void
test_strerror(void **state)
{
	int	i, j;

	for (i = SDES_OK; i <= SDES_E_ARG; i++) {
		assert_non_null(sdes_strerror((enum sdes_err)i));
		assert_string_not_equal(sdes_strerror((enum sdes_err)i),
		    "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(sdes_strerror((enum sdes_err)i),
			    sdes_strerror((enum sdes_err)j));
	}
	assert_string_equal(sdes_strerror((enum sdes_err)1000),
	    "unknown error");
	assert_string_equal(sdes_strerror((enum sdes_err)-1), "unknown error");
}

/* ------------------------------------------------------------ round trips */

static void
test_round_trip_every_suite(void **state)
{
	struct sdes_crypto	g, p, q;
	struct sdp_crypto	sc;
	char			line[SDES_LINE_MAX];
	int			i, tag;

	for (i = 0; i < SDES_NSUITES; i++) {
		tag = i == 4 ? SDES_TAG_MAX : i + 1;
		assert_int_equal(sdes_generate(all[i], tag, &g, NULL), 0);
		assert_int_equal(g.key_len, sdes_key_len(all[i]));
		assert_int_equal(sdes_format(&g, line, sizeof(line)), 0);
		assert_non_null(strstr(line, sdes_suite_name(all[i])));
		assert_non_null(strstr(line, " inline:"));
		accepted(line, &p);
		assert_int_equal(p.tag, tag);
		assert_int_equal(p.suite, all[i]);
		assert_int_equal(p.key_len, g.key_len);
		assert_memory_equal(p.key, g.key, g.key_len);
		assert_int_equal(p.lifetime, 0);
		assert_int_equal(p.mki_len, 0);
		assert_int_equal(p.nkeys, 1);
		assert_int_equal(sdes_to_sdp(&g, &sc), 0);
		assert_int_equal(sc.tag, tag);
		assert_string_equal(sc.suite, sdes_suite_name(all[i]));
		assert_int_equal(sdes_parse_sdp(&sc, &q, NULL), 0);
		assert_memory_equal(q.key, g.key, g.key_len);
		/* two keys are never the same */
		assert_int_equal(sdes_generate(all[i], tag, &q, NULL), 0);
		assert_memory_not_equal(q.key, g.key, g.key_len);
		sdes_wipe(&g);
		assert_int_equal(g.key_len, 0);
	}
}

static void
test_known_keys(void **state)
{
	struct sdes_crypto	c;
	char			line[SDES_LINE_MAX];

	accepted("1 " S80 " inline:" K30, &c);
	assert_true(is_pattern(&c));
	accepted("7 " G128 " inline:" K28, &c);
	assert_true(is_pattern(&c) && c.key_len == 28 && c.tag == 7);
	accepted("8 " G256 " inline:" K44, &c);
	assert_true(is_pattern(&c) && c.key_len == 44);
	accepted("9 " A256 " inline:" K46, &c);
	assert_true(is_pattern(&c) && c.key_len == 46);
	/* formatting a known key gives the canonical text back */
	assert_int_equal(sdes_format(&c, line, sizeof(line)), 0);
	assert_string_equal(line, "9 " A256 " inline:" K46);
	/* tabs and repeated blanks separate fields; trailing blanks ignored */
	accepted("2\t" S32 "  inline:" K30 " \t", &c);
	assert_int_equal(c.suite, SDES_AES_CM_128_HMAC_SHA1_32);
	/* the key method is case-insensitive (RFC 4566 ABNF) */
	accepted("3 " S80 " INLINE:" K30, &c);
	accepted("0 " S80 " inline:" K30, &c);
	assert_int_equal(c.tag, 0);
}

static void
test_bad_base64(void **state)
{
	refused("1 " S80 " inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0!",
	    SDES_E_BASE64);
	refused("1 " S80 " inline:AQIDBAUGBwgJCgsMDQ4PEBE SExQVFhcYGRobHB0e",
	    SDES_E_BASE64);	/* a blank ends the key */
	refused("1 " S80 " inline:AQIDBAUGBwgJCgsMDQ4PEBES=xQVFhcYGRobHB0e",
	    SDES_E_BASE64);
	refused("1 " S80 " inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0",
	    SDES_E_BASE64);	/* not a multiple of 4 */
	refused("1 " G128 " inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHA",
	    SDES_E_BASE64);	/* padding missing */
	refused("1 " G128 " inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB==",
	    SDES_E_BASE64);	/* stray bits before == */
	refused("1 " G256 " inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
	    "HyAhIiMkJSYnKCkqKyx=", SDES_E_BASE64);	/* stray bits before = */
	refused("1 " S80 " inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobH===",
	    SDES_E_BASE64);
	refused("1 " S80 " inline:", SDES_E_BASE64);
	refused("1 " S80 " inline:|2^31", SDES_E_BASE64);
	refused("1 " S80 " inline:-_IDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e",
	    SDES_E_BASE64);	/* base64url is not base64 */
}

static void
test_wrong_key_length(void **state)
{
	refused("1 " S80 " inline:" K28, SDES_E_KEYLEN);
	refused("1 " S80 " inline:" K29, SDES_E_KEYLEN);
	refused("1 " S80 " inline:" K31, SDES_E_KEYLEN);
	refused("1 " S32 " inline:" K46, SDES_E_KEYLEN);
	refused("1 " G128 " inline:" K30, SDES_E_KEYLEN);
	refused("1 " G256 " inline:" K46, SDES_E_KEYLEN);
	refused("1 " A256 " inline:" K44, SDES_E_KEYLEN);
	refused("1 " A256 " inline:" K30 K30, SDES_E_KEYLEN);
	refused("1 " A256 " inline:" K30 K30 K30 K30, SDES_E_KEYLEN);
}

static void
test_unknown_suite(void **state)
{
	refused("1 F8_128_HMAC_SHA1_80 inline:" K30, SDES_E_SUITE);
	refused("1 AES_192_CM_HMAC_SHA1_80 inline:" K30, SDES_E_SUITE);
	refused("1 aes_cm_128_hmac_sha1_80 inline:" K30, SDES_E_SUITE);
	refused("1 NULL_HMAC_SHA1_80 inline:" K30, SDES_E_SUITE);
}

static void
test_syntax(void **state)
{
	refused("", SDES_E_TAG);
	refused("x " S80 " inline:" K30, SDES_E_TAG);
	refused("1234567890 " S80 " inline:" K30, SDES_E_TAG);
	refused("-1 " S80 " inline:" K30, SDES_E_TAG);
	refused(" 1 " S80 " inline:" K30, SDES_E_TAG);
	refused("1" S80 " inline:" K30, SDES_E_TAG);
	refused("1 " S80, SDES_E_SYNTAX);
	refused("1 " S80 " ", SDES_E_SYNTAX);
	refused("1 " S80 " uri:sip:keys@example.com", SDES_E_METHOD);
	refused("1 " S80 " inlin:" K30, SDES_E_METHOD);
	refused("1 " S80 " inline:" K30 "|", SDES_E_SYNTAX);
	refused("1 " S80 " inline:" K30 "||2^20", SDES_E_SYNTAX);
	assert_int_equal(sdes_parse(NULL, NULL, NULL), -1);
}

static void
test_long_line(void **state)
{
	char			buf[SDES_LINE_MAX + 64];
	struct sdes_crypto	c;
	enum sdes_err		why;

	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "1 " S80 " inline:" K30, strlen("1 " S80 " inline:" K30));
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(sdes_parse(buf, &c, &why), -1);
	assert_int_equal(why, SDES_E_SYNTAX);
	buf[SDES_LINE_MAX] = '\0';	/* trailing blanks inside the limit */
	assert_int_equal(sdes_parse(buf, &c, &why), 0);
}

/* ------------------------------------------------------------ key-params */

static void
test_lifetimes(void **state)
{
	struct sdes_crypto	c;

	accepted("1 " S80 " inline:" K30 "|2^31", &c);
	assert_int_equal(c.lifetime, (uint64_t)1 << 31);
	accepted("1 " S80 " inline:" K30 "|2^48", &c);
	assert_int_equal(c.lifetime, (uint64_t)1 << 48);
	accepted("1 " S80 " inline:" K30 "|2^0", &c);
	assert_int_equal(c.lifetime, 1);
	accepted("1 " G128 " inline:" K28 "|1048576", &c);
	assert_int_equal(c.lifetime, 1048576);
	accepted("1 " S80 " inline:" K30 "|281474976710656", &c);
	assert_int_equal(c.lifetime, (uint64_t)1 << 48);
	refused("1 " S80 " inline:" K30 "|2^49", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|2^64", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|2^100", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|281474976710657", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|99999999999999999999999",
	    SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|0", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|2^", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|2^x", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|3^20", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|-20", SDES_E_LIFETIME);
	refused("1 " S80 " inline:" K30 "|2^20|2^20", SDES_E_SYNTAX);
}

static void
test_mki_forms(void **state)
{
	struct sdes_crypto	c;

	/* RFC 4568 §9.1's example: parsed, then refused as unsupported */
	expect("1 " S80 " inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
	    "|2^20|1:32", -1, SDES_E_MKI, &c);
	assert_int_equal(c.lifetime, 1 << 20);
	assert_int_equal(c.mki, 1);
	assert_int_equal(c.mki_len, 32);
	assert_int_equal(c.nkeys, 1);
	expect("1 " S80 " inline:" K30 "|255:1", -1, SDES_E_MKI, &c);
	assert_int_equal(c.mki, 255);
	assert_int_equal(c.mki_len, 1);
	expect("1 " S80 " inline:" K30 "|7:128", -1, SDES_E_MKI, &c);
	assert_int_equal(c.mki_len, 128);
	expect("1 " S80 " inline:" K30 "|123456789012345678901234567890:16",
	    -1, SDES_E_MKI, &c);	/* valid, beyond 64 bits: mki 0 */
	assert_int_equal(c.mki, 0);
	assert_int_equal(c.mki_len, 16);
	refused("1 " S80 " inline:" K30 "|1:4", SDES_E_MKI);
	refused("1 " S80 " inline:" K30 "|1:0", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|1:129", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|1:0004", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|256:1", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|18446744073709551616:8",
	    SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|:4", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|1:", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|a:4", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|1:4:4", SDES_E_MKI_SYNTAX);
	refused("1 " S80 " inline:" K30 "|1:4|2^20", SDES_E_SYNTAX);
	refused("1 " S80 " inline:" K30 "|1:4|2:4", SDES_E_SYNTAX);
}

static void
test_multiple_keys(void **state)
{
	struct sdes_crypto	c;

	expect("1 " S80 " inline:" K30 "|2^20|1:4;inline:" K30 "|2^20|2:4",
	    -1, SDES_E_MULTIKEY, &c);
	assert_int_equal(c.nkeys, 2);
	assert_int_equal(c.mki, 1);	/* the first key's */
	expect("1 " S80 " inline:" K30 ";inline:" K30 ";inline:" K30,
	    -1, SDES_E_MULTIKEY, &c);
	assert_int_equal(c.nkeys, 3);
	/* every key is checked: a bad second key is reported as such */
	refused("1 " S80 " inline:" K30 "|1:4;inline:" K28 "|2:4",
	    SDES_E_KEYLEN);
	refused("1 " S80 " inline:" K30 "|1:4;uri:x", SDES_E_METHOD);
	refused("1 " S80 " inline:" K30 ";", SDES_E_SYNTAX);
	refused("1 " S80 " ;inline:" K30, SDES_E_SYNTAX);
}

static void
test_session_params(void **state)
{
	struct sdes_crypto	c;

	accepted("1 " S80 " inline:" K30 " WSH=128", &c);
	assert_int_equal(c.wsh, 128);
	accepted("1 " S80 " inline:" K30 " KDR=0", &c);
	accepted("1 " S80 " inline:" K30 "|2^31 KDR=0 WSH=64", &c);
	assert_int_equal(c.wsh, 64);
	refused("1 " S80 " inline:" K30 " UNENCRYPTED_SRTP", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " UNENCRYPTED_SRTCP", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " UNAUTHENTICATED_SRTP",
	    SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " KDR=1", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " KDR=24", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " FEC_ORDER=FEC_SRTP",
	    SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " FEC_KEY=inline:" K30,
	    SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " WSH=32", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " WSH=64 WSH=64", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " WSH=", SDES_E_SESSION);
	refused("1 " S80 " inline:" K30 " WSH=128 -FOO", SDES_E_SESSION);
	/* key problems come first */
	refused("1 " S80 " inline:" K30 "|1:4 UNENCRYPTED_SRTP", SDES_E_MKI);
}

/* sdp_conv_parse() and sdes_split() cut a line the same way. */
static void
test_split_agrees_with_sdp_conv(void **state)
{
	static const char sdp[] =
	    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
	    "t=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n"
	    "a=crypto:1 " S80 " inline:" K30 "|2^31\r\n"
	    "a=crypto:2 " S32 " inline:" K30 " WSH=128 KDR=0\r\n"
	    "a=crypto:3 " G128 " inline:" K28 "|1:4\r\n";
	static const char *raw[] = {
		"1 " S80 " inline:" K30 "|2^31",
		"2 " S32 " inline:" K30 " WSH=128 KDR=0",
		"3 " G128 " inline:" K28 "|1:4",
	};
	struct sdp_desc		*d = calloc(1, sizeof(*d));
	struct sdp_crypto	 sc;
	int			 i;

	assert_non_null(d);
	assert_int_equal(sdp_conv_parse(sdp, strlen(sdp), d), 0);
	assert_int_equal(d->streams[0].ncrypto, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sdes_split(raw[i], &sc), 0);
		assert_memory_equal(&sc, &d->streams[0].crypto[i], sizeof(sc));
	}
	assert_int_equal(sdes_split("1 " S80, &sc), -1);
	assert_int_equal(sdes_split(NULL, &sc), -1);
	free(d);
}

/* ------------------------------------------------------------ answerer */

static void
offer_of(struct sdp_crypto *v, int n, const char *const *lines)
{
	int	i;

	for (i = 0; i < n; i++)
		assert_int_equal(sdes_split(lines[i], &v[i]), 0);
}

static void
test_answer_select_order(void **state)
{
	static const char *lines[] = {
		"1 " S32 " inline:" K30, "2 " S80 " inline:" K30,
		"3 " G256 " inline:" K44,
	};
	enum sdes_suite		prefs[2];
	struct sdp_crypto	o[3];
	struct sdes_crypto	r, a;
	char			line[SDES_LINE_MAX];
	enum sdes_err		why;

	offer_of(o, 3, lines);
	prefs[0] = SDES_AES_CM_128_HMAC_SHA1_80;
	prefs[1] = SDES_AES_CM_128_HMAC_SHA1_32;
	assert_int_equal(sdes_answer_select(o, 3, prefs, 2, &r, &why), 0);
	assert_int_equal(r.tag, 2);	/* our order, not the offer's */
	assert_int_equal(r.suite, SDES_AES_CM_128_HMAC_SHA1_80);
	assert_true(is_pattern(&r));
	/* the answer keeps the offer's tag */
	assert_int_equal(sdes_generate(r.suite, r.tag, &a, NULL), 0);
	assert_int_equal(sdes_format(&a, line, sizeof(line)), 0);
	assert_int_equal(strncmp(line, "2 " S80 " inline:", 33), 0);
	prefs[0] = SDES_AEAD_AES_256_GCM;
	assert_int_equal(sdes_answer_select(o, 3, prefs, 2, &r, &why), 0);
	assert_int_equal(r.tag, 3);
	prefs[0] = SDES_AES_CM_128_HMAC_SHA1_32;
	assert_int_equal(sdes_answer_select(o, 3, prefs, 1, &r, &why), 0);
	assert_int_equal(r.tag, 1);
	prefs[0] = SDES_AEAD_AES_128_GCM;
	prefs[1] = SDES_AES_256_CM_HMAC_SHA1_80;
	assert_int_equal(sdes_answer_select(o, 3, prefs, 2, &r, &why), -1);
	assert_int_equal(why, SDES_E_SUITE);
	assert_int_equal(sdes_answer_select(o, 3, prefs, 0, &r, &why), -1);
	assert_int_equal(sdes_answer_select(NULL, 0, prefs, 2, &r, &why), -1);
	assert_int_equal(why, SDES_E_SUITE);
}

static void
test_answer_select_skips(void **state)
{
	static const char *lines[] = {
		"1 " S80 " inline:" K30 "|2^20|1:4",
		"2 " S80 " inline:" K30 "|1:4;inline:" K30 "|2:4",
		"3 " S80 " inline:" K30 " UNENCRYPTED_SRTP",
		"4 " S80 " inline:" K28,
		"5 " S32 " inline:" K30 "|2^31",
	};
	enum sdes_suite		prefs[] = { SDES_AES_CM_128_HMAC_SHA1_80,
				    SDES_AES_CM_128_HMAC_SHA1_32 };
	struct sdp_crypto	o[5];
	struct sdes_crypto	r;
	enum sdes_err		why;

	offer_of(o, 5, lines);
	assert_int_equal(sdes_answer_select(o, 5, prefs, 2, &r, &why), 0);
	assert_int_equal(r.tag, 5);
	assert_int_equal(r.lifetime, (uint64_t)1 << 31);
	/* nothing usable: the first refused preferred line's reason */
	assert_int_equal(sdes_answer_select(o, 4, prefs, 2, &r, &why), -1);
	assert_int_equal(why, SDES_E_MKI);
	assert_int_equal(sdes_answer_select(o + 1, 3, prefs, 2, &r, &why), -1);
	assert_int_equal(why, SDES_E_MULTIKEY);
	assert_int_equal(sdes_answer_select(o + 2, 2, prefs, 2, &r, &why), -1);
	assert_int_equal(why, SDES_E_SESSION);
	assert_int_equal(r.key_len, 0);
}

static void
test_answer_select_duplicate_tags(void **state)
{
	static const char *lines[] = {
		"1 " S80 " inline:" K30, "1 " S32 " inline:" K30,
		"2 " G128 " inline:" K28,
	};
	enum sdes_suite		prefs[] = { SDES_AES_CM_128_HMAC_SHA1_80,
				    SDES_AES_CM_128_HMAC_SHA1_32,
				    SDES_AEAD_AES_128_GCM };
	struct sdp_crypto	o[3];
	struct sdes_crypto	r;
	enum sdes_err		why;

	offer_of(o, 3, lines);
	assert_int_equal(sdes_answer_select(o, 3, prefs, 3, &r, &why), 0);
	assert_int_equal(r.tag, 2);
	assert_int_equal(sdes_answer_select(o, 2, prefs, 3, &r, &why), -1);
	assert_int_equal(why, SDES_E_DUPTAG);
}

/* ------------------------------------------------------------ offerer */

static void
test_offer_make(void **state)
{
	enum sdes_suite		dup[] = { SDES_AES_CM_128_HMAC_SHA1_32,
				    SDES_SUITE_NONE, (enum sdes_suite)77,
				    SDES_AES_CM_128_HMAC_SHA1_32,
				    SDES_AEAD_AES_128_GCM };
	struct sdes_crypto	o[SDES_NSUITES];
	enum sdes_err		why;
	int			i;

	assert_int_equal(sdes_offer_make(all, SDES_NSUITES, o, SDES_NSUITES,
	    &why), SDES_OFFER_MAX);
	for (i = 0; i < SDES_OFFER_MAX; i++) {
		assert_int_equal(o[i].tag, i + 1);
		assert_int_equal(o[i].suite, all[i]);
	}
	assert_memory_not_equal(o[0].key, o[1].key, 30);
	assert_int_equal(sdes_offer_make(dup, 5, o, SDES_NSUITES, &why), 2);
	assert_int_equal(o[0].suite, SDES_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(o[1].suite, SDES_AEAD_AES_128_GCM);
	assert_int_equal(o[1].tag, 2);
	assert_int_equal(sdes_offer_make(all, SDES_NSUITES, o, 1, &why), 1);
	assert_int_equal(sdes_offer_make(dup + 1, 2, o, 4, &why), -1);
	assert_int_equal(why, SDES_E_SUITE);
	assert_int_equal(sdes_offer_make(all, 2, o, 0, &why), -1);
	assert_int_equal(why, SDES_E_ARG);
}

static void
answer_is(const struct sdes_crypto *ours, int n, const char *line, int rc,
    enum sdes_err want, int want_chosen)
{
	struct sdp_crypto	a;
	struct sdes_crypto	r;
	enum sdes_err		why = SDES_OK;
	int			chosen = -1;

	assert_int_equal(sdes_split(line, &a), 0);
	assert_int_equal(sdes_answer_match(ours, n, &a, 1, &chosen, &r, &why),
	    rc);
	assert_int_equal(why, want);
	if (rc == 0) {
		assert_int_equal(chosen, want_chosen);
		assert_true(is_pattern(&r));
	}
}

static void
test_answer_match(void **state)
{
	struct sdes_crypto	o[SDES_OFFER_MAX], r;
	struct sdp_crypto	a[2];
	enum sdes_err		why;
	int			chosen;

	assert_int_equal(sdes_offer_make(all, 3, o, SDES_OFFER_MAX, NULL), 3);
	answer_is(o, 3, "2 " S32 " inline:" K30, 0, SDES_OK, 1);
	answer_is(o, 3, "3 " G128 " inline:" K28 "|2^31", 0, SDES_OK, 2);
	answer_is(o, 3, "1 " S80 " inline:" K30 " WSH=256", 0, SDES_OK, 0);
	answer_is(o, 3, "4 " S80 " inline:" K30, -1, SDES_E_NOMATCH, 0);
	answer_is(o, 3, "2 " S80 " inline:" K30, -1, SDES_E_MISMATCH, 0);
	answer_is(o, 3, "1 " S80 " inline:" K28, -1, SDES_E_KEYLEN, 0);
	answer_is(o, 3, "1 " S80 " inline:" K30 "|1:1", -1, SDES_E_MKI, 0);
	answer_is(o, 3, "1 " S80 " inline:" K30 " UNENCRYPTED_SRTCP", -1,
	    SDES_E_SESSION, 0);
	assert_int_equal(sdes_split("1 " S80 " inline:" K30, &a[0]), 0);
	a[1] = a[0];
	assert_int_equal(sdes_answer_match(o, 3, a, 2, &chosen, &r, &why), -1);
	assert_int_equal(why, SDES_E_COUNT);
	assert_int_equal(sdes_answer_match(o, 3, a, 0, &chosen, &r, &why), -1);
	assert_int_equal(why, SDES_E_COUNT);
}

static void
test_format_limits(void **state)
{
	struct sdes_crypto	c;
	struct sdp_crypto	sc;
	char			small[40];
	enum sdes_err		why;

	assert_int_equal(sdes_generate(SDES_AES_256_CM_HMAC_SHA1_80, 1, &c,
	    &why), 0);
	assert_int_equal(sdes_format(&c, small, sizeof(small)), -1);
	c.key_len = 30;		/* not the suite's */
	assert_int_equal(sdes_format(&c, small, sizeof(small)), -1);
	assert_int_equal(sdes_to_sdp(&c, &sc), -1);
	assert_int_equal(sdes_generate(SDES_SUITE_NONE, 1, &c, &why), -1);
	assert_int_equal(why, SDES_E_SUITE);
	assert_int_equal(sdes_generate(SDES_AEAD_AES_128_GCM, -1, &c, &why),
	    -1);
	assert_int_equal(why, SDES_E_ARG);
	assert_int_equal(sdes_generate(SDES_AEAD_AES_128_GCM,
	    SDES_TAG_MAX + 1, &c, &why), -1);
}

/* ------------------------------------------------------------ libsrtp */

static void
rtp_packet(uint8_t *pkt, uint16_t seq, int rtcp)
{
	int	i;

	memset(pkt, 0, 200);
	pkt[0] = 0x80;
	if (rtcp) {		/* RR, no report block: 8 bytes */
		pkt[1] = 201;
		pkt[3] = 1;
		pkt[7] = 0x42;
		return;
	}
	pkt[1] = 0;		/* PCMU */
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[11] = 0x42;
	for (i = 12; i < 12 + 160; i++)
		pkt[i] = (uint8_t)(i ^ seq);
}

/* One packet tx -> rx: arrives intact; a flipped bit fails auth. */
static void
one_way(struct srtp_pair *tx, struct srtp_pair *rx, uint16_t seq, int rtcp)
{
	uint8_t	pkt[200 + SRTP_PAIR_TRAILER_MAX], orig[200], bad[sizeof(pkt)];
	int	len = rtcp ? 8 : 172, blen, olen = len;

	rtp_packet(pkt, seq, rtcp);
	memcpy(orig, pkt, sizeof(orig));
	assert_int_equal(srtp_pair_protect(tx, pkt, &len, rtcp), 0);
	assert_true(len > olen);
	memcpy(bad, pkt, sizeof(bad));
	blen = len;
	bad[blen - 1] ^= 1;
	assert_int_equal(srtp_pair_unprotect(rx, bad, &blen, rtcp), -1);
	assert_int_equal(rx->err, srtp_err_status_auth_fail);
	assert_int_equal(srtp_pair_unprotect(rx, pkt, &len, rtcp), 0);
	assert_int_equal(len, olen);
	assert_memory_equal(pkt, orig, olen);
}

/*
 * A offers s (then AES_CM_128_HMAC_SHA1_80 when s is not it), B answers
 * with only s acceptable; each side builds its pair from what the
 * exchange left it: its own key local, the other's remote.
 */
static void
exchange(enum sdes_suite s, struct srtp_pair *pa, struct srtp_pair *pb)
{
	enum sdes_suite		prefs[2] = { s, SDES_AES_CM_128_HMAC_SHA1_80 };
	struct sdes_crypto	ao[SDES_OFFER_MAX], b_remote, b_local, a_remote;
	struct sdp_crypto	offer[SDES_OFFER_MAX], answer;
	int			n, i, chosen = -1;
	const char		*name = sdes_suite_name(s);

	n = sdes_offer_make(prefs, 2, ao, SDES_OFFER_MAX, NULL);
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		assert_int_equal(sdes_to_sdp(&ao[i], &offer[i]), 0);
	assert_int_equal(sdes_answer_select(offer, n, &s, 1, &b_remote, NULL),
	    0);
	assert_int_equal(sdes_generate(b_remote.suite, b_remote.tag, &b_local,
	    NULL), 0);
	assert_int_equal(sdes_to_sdp(&b_local, &answer), 0);
	assert_int_equal(sdes_answer_match(ao, n, &answer, 1, &chosen,
	    &a_remote, NULL), 0);
	assert_int_equal(ao[chosen].suite, s);
	assert_int_equal(srtp_pair_init_sdes(pa, name, ao[chosen].key,
	    ao[chosen].key_len, a_remote.key, a_remote.key_len), 0);
	assert_int_equal(srtp_pair_init_sdes(pb, name, b_local.key,
	    b_local.key_len, b_remote.key, b_remote.key_len), 0);
	for (i = 0; i < n; i++)
		sdes_wipe(&ao[i]);
	sdes_wipe(&b_local);
	sdes_wipe(&b_remote);
	sdes_wipe(&a_remote);
}

/* Not the mirror: a receiver without the sender's key fails auth. */
static void
wrong_key(enum sdes_suite s)
{
	const char		*name = sdes_suite_name(s);
	struct srtp_pair	 tx, rx;
	struct sdes_crypto	 k1, k2;
	uint8_t			 pkt[200 + SRTP_PAIR_TRAILER_MAX];
	int			 len = 172;

	assert_int_equal(sdes_generate(s, 1, &k1, NULL), 0);
	assert_int_equal(sdes_generate(s, 1, &k2, NULL), 0);
	assert_int_equal(srtp_pair_init_sdes(&tx, name, k1.key, k1.key_len,
	    k2.key, k2.key_len), 0);
	assert_int_equal(srtp_pair_init_sdes(&rx, name, k2.key, k2.key_len,
	    k2.key, k2.key_len), 0);
	rtp_packet(pkt, 9, 0);
	assert_int_equal(srtp_pair_protect(&tx, pkt, &len, 0), 0);
	assert_int_equal(srtp_pair_unprotect(&rx, pkt, &len, 0), -1);
	assert_int_equal(rx.err, srtp_err_status_auth_fail);
	srtp_pair_free(&tx);
	srtp_pair_free(&rx);
	sdes_wipe(&k1);
	sdes_wipe(&k2);
}

static void
test_libsrtp_round_trip(void **state)
{
	struct srtp_pair	a, b;
	int			i;
	uint16_t		seq;

	for (i = 0; i < SDES_NSUITES; i++) {
		exchange(all[i], &a, &b);
		for (seq = 1; seq < 5; seq++) {
			one_way(&a, &b, seq, 0);
			one_way(&b, &a, (uint16_t)(seq + 1000), 0);
		}
		one_way(&a, &b, 0, 1);
		one_way(&b, &a, 0, 1);
		assert_int_equal(a.stats.auth_fail, 5);
		assert_int_equal(b.stats.auth_fail, 5);
		srtp_pair_free(&a);
		srtp_pair_free(&b);
		wrong_key(all[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suite_table),
		cmocka_unit_test(test_default_prefs),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_round_trip_every_suite),
		cmocka_unit_test(test_known_keys),
		cmocka_unit_test(test_bad_base64),
		cmocka_unit_test(test_wrong_key_length),
		cmocka_unit_test(test_unknown_suite),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_mki_forms),
		cmocka_unit_test(test_multiple_keys),
		cmocka_unit_test(test_session_params),
		cmocka_unit_test(test_split_agrees_with_sdp_conv),
		cmocka_unit_test(test_answer_select_order),
		cmocka_unit_test(test_answer_select_skips),
		cmocka_unit_test(test_answer_select_duplicate_tags),
		cmocka_unit_test(test_offer_make),
		cmocka_unit_test(test_answer_match),
		cmocka_unit_test(test_format_limits),
		cmocka_unit_test(test_libsrtp_round_trip),
	};

	return cmocka_run_group_tests_name("sdes", tests, group_setup,
	    group_teardown);
}
