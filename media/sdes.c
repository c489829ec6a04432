/*
 * sdes.c: RFC 4568 a=crypto lines (see sdes.h): the suite table, a strict
 * base64 codec, the key-params and session-params grammar, our keys and
 * lines, and the offer/answer choice.
 *
 * Pure: no globals (the tables are const), no logging, no allocation.
 * Every buffer that held key bytes or their base64 is wiped with
 * OPENSSL_cleanse before return.  Owns: nothing.  Thread: any.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "media/sdes.h"
#include "media/sdp_conv.h"

#define LIFETIME_MAX_LOG2	48	/* SRTP, every suite here */
#define WSH_MIN			64	/* RFC 4568 §6.3.7 */
#define B64_SCRATCH		96	/* decoded bytes; more is KEYLEN */
#define WSP			" \t"

struct suite_info {
	enum sdes_suite	 id;
	const char	*name;
	size_t		 key_len;	/* master key + master salt */
};

/* RFC 4568 §6.2, RFC 7714 §12, RFC 6188 §7. */
static const struct suite_info suites[SDES_NSUITES] = {
	{ SDES_AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16 + 14 },
	{ SDES_AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16 + 14 },
	{ SDES_AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16 + 12 },
	{ SDES_AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32 + 12 },
	{ SDES_AES_256_CM_HMAC_SHA1_80, "AES_256_CM_HMAC_SHA1_80", 32 + 14 },
};

static const enum sdes_suite default_prefs[SDES_NSUITES] = {
	SDES_AES_CM_128_HMAC_SHA1_80, SDES_AEAD_AES_256_GCM,
	SDES_AEAD_AES_128_GCM, SDES_AES_256_CM_HMAC_SHA1_80,
	SDES_AES_CM_128_HMAC_SHA1_32,
};

static const char *const reasons[] = {
	[SDES_OK] = "ok",
	[SDES_E_SYNTAX] = "malformed crypto attribute",
	[SDES_E_TAG] = "bad tag",
	[SDES_E_SUITE] = "no supported crypto-suite",
	[SDES_E_METHOD] = "key method is not inline",
	[SDES_E_BASE64] = "key is not valid base64",
	[SDES_E_KEYLEN] = "key length does not match the suite",
	[SDES_E_LIFETIME] = "bad key lifetime",
	[SDES_E_MKI_SYNTAX] = "malformed MKI",
	[SDES_E_MKI] = "MKI not supported",
	[SDES_E_MULTIKEY] = "several master keys not supported",
	[SDES_E_SESSION] = "session parameter not supported",
	[SDES_E_DUPTAG] = "tag used twice in the offer",
	[SDES_E_NOMATCH] = "answer tag not in our offer",
	[SDES_E_MISMATCH] = "answer suite differs from the offered one",
	[SDES_E_COUNT] = "answer must have exactly one crypto line",
	[SDES_E_RANDOM] = "no random bytes",
	[SDES_E_ARG] = "bad argument",
};

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ------------------------------------------------------------ suites */

static const struct suite_info *
suite_info(enum sdes_suite s)
{
	size_t	i;

	for (i = 0; i < SDES_NSUITES; i++)
		if (suites[i].id == s)
			return &suites[i];
	return NULL;
}

const char *
sdes_suite_name(enum sdes_suite s)
{
	const struct suite_info	*si = suite_info(s);

	return si != NULL ? si->name : NULL;
}

enum sdes_suite
sdes_suite_by_name(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < SDES_NSUITES; i++)
		if (strcmp(suites[i].name, name) == 0)
			return suites[i].id;
	return SDES_SUITE_NONE;
}

size_t
sdes_key_len(enum sdes_suite s)
{
	const struct suite_info	*si = suite_info(s);

	return si != NULL ? si->key_len : 0;
}

const char *
sdes_strerror(enum sdes_err e)
{
	if ((size_t)e >= sizeof(reasons) / sizeof(reasons[0]) ||
	    reasons[e] == NULL)
		return "unknown error";
	return reasons[e];
}

int
sdes_default_prefs(enum sdes_suite *out, int max)
{
	int	i;

	for (i = 0; i < max && i < SDES_NSUITES; i++)
		out[i] = default_prefs[i];
	return i;
}

void
sdes_wipe(struct sdes_crypto *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

static void
set_why(enum sdes_err *why, enum sdes_err e)
{
	if (why != NULL)
		*why = e;
}

/* ------------------------------------------------------------ base64 */

static int
b64_val(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64_chars, c)) == NULL)
		return -1;
	return (int)(p - b64_chars);
}

/*
 * Strict RFC 4648 base64 of s[0..n): padded to a multiple of 4, only the
 * alphabet, '=' only as the last one or two characters, zero stray bits.
 */
static int
b64_decode(const char *s, size_t n, uint8_t *out, size_t max,
    size_t *outlen)
{
	size_t		pad = 0, i, o = 0;
	uint32_t	acc = 0;
	int		v;

	if (n == 0 || n % 4 != 0)
		return -1;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	if (n / 4 * 3 - pad > max)
		return -1;
	for (i = 0; i < n - pad; i++) {
		if ((v = b64_val(s[i])) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if ((pad == 1 && (acc & 3) != 0) || (pad == 2 && (acc & 15) != 0))
		return -1;		/* stray bits: not canonical */
	if (pad == 1) {
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	} else if (pad == 2)
		out[o++] = (uint8_t)(acc >> 4);
	*outlen = o;
	return 0;
}

/* Padded base64, NUL-terminated: 0, or -1 if max is too small. */
static int
b64_encode(const uint8_t *in, size_t n, char *out, size_t max)
{
	size_t		i, o = 0;
	uint32_t	acc;

	if (max < (n + 2) / 3 * 4 + 1)
		return -1;
	for (i = 0; i < n; i += 3) {
		acc = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			acc |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			acc |= in[i + 2];
		out[o++] = b64_chars[acc >> 18 & 63];
		out[o++] = b64_chars[acc >> 12 & 63];
		out[o++] = i + 1 < n ? b64_chars[acc >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64_chars[acc & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

/* ------------------------------------------------------------ grammar */

/* n digits at s (n >= 1), no overflow of *v: 0, else -1. */
static int
digits(const char *s, size_t n, uint64_t limit, uint64_t *v)
{
	size_t	i;

	*v = 0;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (*v > (limit - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

static int
all_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* lifetime = ["2^"] 1*DIGIT, 1 .. 2^48. */
static enum sdes_err
parse_lifetime(const char *s, size_t n, uint64_t *out)
{
	const uint64_t	max = (uint64_t)1 << LIFETIME_MAX_LOG2;
	uint64_t	v;

	if (n > 2 && s[0] == '2' && s[1] == '^') {
		if (n > 4 || digits(s + 2, n - 2, 99, &v) != 0 ||
		    v > LIFETIME_MAX_LOG2)
			return SDES_E_LIFETIME;
		*out = (uint64_t)1 << v;
		return SDES_OK;
	}
	if (digits(s, n, max, &v) != 0 || v == 0)
		return SDES_E_LIFETIME;
	*out = v;
	return SDES_OK;
}

/* mki = mki-value ":" mki-length; length 1..128, value fits in it. */
static enum sdes_err
parse_mki(const char *s, size_t n, struct sdes_crypto *c, int first)
{
	const char	*colon = memchr(s, ':', n);
	size_t		 vlen;
	uint64_t	 len, v;
	int		 big;

	if (colon == NULL)
		return SDES_E_MKI_SYNTAX;
	vlen = (size_t)(colon - s);
	if (digits(colon + 1, n - vlen - 1, 999, &len) != 0 ||
	    n - vlen - 1 > 3 || len < 1 || len > SDES_MKI_LEN_MAX ||
	    !all_digits(s, vlen))
		return SDES_E_MKI_SYNTAX;
	big = digits(s, vlen, UINT64_MAX, &v) != 0;
	if ((len <= 8 && big) || (len < 8 && v >> (8 * len) != 0))
		return SDES_E_MKI_SYNTAX;
	if (first) {
		c->mki = big ? 0 : v;
		c->mki_len = (int)len;
	}
	return SDES_OK;
}

/* Decode base64 s[0..n) of exactly want bytes into key (wiped on error). */
static enum sdes_err
decode_key(const char *s, size_t n, size_t want, uint8_t *key)
{
	uint8_t		tmp[B64_SCRATCH];
	size_t		got = 0;
	enum sdes_err	e = SDES_OK;

	if (n > (B64_SCRATCH / 3) * 4)
		e = SDES_E_KEYLEN;
	else if (b64_decode(s, n, tmp, sizeof(tmp), &got) != 0)
		e = SDES_E_BASE64;
	else if (got != want)
		e = SDES_E_KEYLEN;
	else
		memcpy(key, tmp, want);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return e;
}

/* Optional "|lifetime" then "|MKI:length" after the key. */
static enum sdes_err
parse_key_tail(const char *p, const char *end, struct sdes_crypto *c,
    int first)
{
	const char	*f;
	size_t		 len;
	int		 seen_life = 0, seen_mki = 0;
	enum sdes_err	 e;
	uint64_t	 life;

	while (p < end) {
		f = ++p;		/* past '|' */
		len = strcspn(f, "|");
		if (f + len > end)
			len = (size_t)(end - f);
		if (len == 0 || seen_mki)
			return SDES_E_SYNTAX;
		if (memchr(f, ':', len) != NULL) {
			if ((e = parse_mki(f, len, c, first)) != SDES_OK)
				return e;
			seen_mki = 1;
		} else {
			if (seen_life ||
			    (e = parse_lifetime(f, len, &life)) != SDES_OK)
				return seen_life ? SDES_E_SYNTAX : e;
			if (first)
				c->lifetime = life;
			seen_life = 1;
		}
		p = f + len;
	}
	return SDES_OK;
}

/* key-param = "inline:" key-info, s[0..n); the first one fills c. */
static enum sdes_err
parse_key_param(const char *s, size_t n, struct sdes_crypto *c, int first)
{
	uint8_t		 key[SDES_KEY_MAX];
	const char	*end = s + n;
	size_t		 klen;
	enum sdes_err	 e;

	if (n < 7 || strncasecmp(s, "inline:", 7) != 0)
		return SDES_E_METHOD;
	s += 7;
	klen = strcspn(s, "|");
	if (s + klen > end)
		klen = (size_t)(end - s);
	e = decode_key(s, klen, c->key_len, key);
	if (e == SDES_OK && first)
		memcpy(c->key, key, c->key_len);
	OPENSSL_cleanse(key, sizeof(key));
	if (e != SDES_OK)
		return e;
	return parse_key_tail(s + klen, end, c, first);
}

/* key-params = key-param *(";" key-param); all checked, one accepted. */
static enum sdes_err
parse_key_params(const char *s, struct sdes_crypto *c)
{
	size_t		n;
	enum sdes_err	e;

	for (;;) {
		n = strcspn(s, ";");
		if (n == 0)
			return SDES_E_SYNTAX;
		if ((e = parse_key_param(s, n, c, c->nkeys == 0)) != SDES_OK)
			return e;
		c->nkeys++;
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	if (c->nkeys > 1)
		return SDES_E_MULTIKEY;
	return c->mki_len > 0 ? SDES_E_MKI : SDES_OK;
}

/* One session parameter: WSH=n (n >= 64) and KDR=0 only. */
static enum sdes_err
parse_session_param(const char *s, size_t n, struct sdes_crypto *c)
{
	uint64_t	v;

	if (n > 4 && strncmp(s, "WSH=", 4) == 0) {
		if (c->wsh != 0 || n - 4 > 9 ||
		    digits(s + 4, n - 4, SDES_TAG_MAX, &v) != 0 || v < WSH_MIN)
			return SDES_E_SESSION;
		c->wsh = (int)v;
		return SDES_OK;
	}
	if (n == 5 && strncmp(s, "KDR=0", 5) == 0)
		return SDES_OK;
	return SDES_E_SESSION;
}

static enum sdes_err
parse_session_params(const char *s, struct sdes_crypto *c)
{
	size_t		n;
	enum sdes_err	e;

	for (;;) {
		s += strspn(s, WSP);
		if ((n = strcspn(s, WSP)) == 0)
			return SDES_OK;
		if ((e = parse_session_param(s, n, c)) != SDES_OK)
			return e;
		s += n;
	}
}

/* ------------------------------------------------------------ lines */

static enum sdes_err
check_sdp(const struct sdp_crypto *in, struct sdes_crypto *out)
{
	enum sdes_err	e;

	memset(out, 0, sizeof(*out));
	if (in->tag < 0 || in->tag > SDES_TAG_MAX)
		return SDES_E_TAG;
	if (memchr(in->suite, '\0', sizeof(in->suite)) == NULL ||
	    memchr(in->key_params, '\0', sizeof(in->key_params)) == NULL ||
	    memchr(in->session_params, '\0',
	    sizeof(in->session_params)) == NULL)
		return SDES_E_SYNTAX;
	out->tag = in->tag;
	if ((out->suite = sdes_suite_by_name(in->suite)) == SDES_SUITE_NONE)
		return SDES_E_SUITE;
	out->key_len = sdes_key_len(out->suite);
	if ((e = parse_key_params(in->key_params, out)) != SDES_OK)
		return e;
	return parse_session_params(in->session_params, out);
}

int
sdes_parse_sdp(const struct sdp_crypto *in, struct sdes_crypto *out,
    enum sdes_err *why)
{
	enum sdes_err	e;

	if (in == NULL || out == NULL) {
		set_why(why, SDES_E_ARG);
		return -1;
	}
	e = check_sdp(in, out);
	set_why(why, e);
	if (e == SDES_OK)
		return 0;
	OPENSSL_cleanse(out->key, sizeof(out->key));
	return -1;
}

/* Copy the WSP-delimited token at *s into dst (size sz); advance. */
static int
token(const char **s, char *dst, size_t sz)
{
	size_t	n;

	*s += strspn(*s, WSP);
	n = strcspn(*s, WSP);
	if (n == 0 || n >= sz)
		return -1;
	memcpy(dst, *s, n);
	dst[n] = '\0';
	*s += n;
	return 0;
}

static enum sdes_err
split(const char *v, struct sdp_crypto *out)
{
	size_t		n;
	uint64_t	tag;

	memset(out, 0, sizeof(*out));
	if (strnlen(v, SDES_LINE_MAX + 1) > SDES_LINE_MAX)
		return SDES_E_SYNTAX;
	n = strspn(v, "0123456789");
	if (n == 0 || n > 9 || (v[n] != ' ' && v[n] != '\t') ||
	    digits(v, n, SDES_TAG_MAX, &tag) != 0)
		return SDES_E_TAG;
	out->tag = (int)tag;
	v += n;
	if (token(&v, out->suite, sizeof(out->suite)) != 0 ||
	    token(&v, out->key_params, sizeof(out->key_params)) != 0)
		return SDES_E_SYNTAX;
	v += strspn(v, WSP);
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n >= sizeof(out->session_params))
		return SDES_E_SYNTAX;
	memcpy(out->session_params, v, n);
	return SDES_OK;
}

int
sdes_split(const char *value, struct sdp_crypto *out)
{
	if (value == NULL || out == NULL)
		return -1;
	if (split(value, out) == SDES_OK)
		return 0;
	OPENSSL_cleanse(out, sizeof(*out));
	return -1;
}

int
sdes_parse(const char *value, struct sdes_crypto *out, enum sdes_err *why)
{
	struct sdp_crypto	c;
	enum sdes_err		e;
	int			rc;

	if (value == NULL || out == NULL) {
		set_why(why, SDES_E_ARG);
		return -1;
	}
	if ((e = split(value, &c)) != SDES_OK) {
		OPENSSL_cleanse(&c, sizeof(c));
		memset(out, 0, sizeof(*out));
		set_why(why, e);
		return -1;
	}
	rc = sdes_parse_sdp(&c, out, why);
	OPENSSL_cleanse(&c, sizeof(c));
	return rc;
}

int
sdes_generate(enum sdes_suite s, int tag, struct sdes_crypto *out,
    enum sdes_err *why)
{
	size_t	len = sdes_key_len(s);

	if (out == NULL || len == 0 || tag < 0 || tag > SDES_TAG_MAX) {
		set_why(why, len == 0 ? SDES_E_SUITE : SDES_E_ARG);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (RAND_bytes(out->key, (int)len) != 1) {
		sdes_wipe(out);
		set_why(why, SDES_E_RANDOM);
		return -1;
	}
	out->tag = tag;
	out->suite = s;
	out->key_len = len;
	out->nkeys = 1;
	set_why(why, SDES_OK);
	return 0;
}

static int
usable(const struct sdes_crypto *c)
{
	return c != NULL && c->tag >= 0 && c->tag <= SDES_TAG_MAX &&
	    c->key_len != 0 && c->key_len == sdes_key_len(c->suite);
}

int
sdes_format(const struct sdes_crypto *c, char *buf, size_t len)
{
	char	b64[SDES_B64_MAX + 1];
	int	n;

	if (!usable(c) || buf == NULL ||
	    b64_encode(c->key, c->key_len, b64, sizeof(b64)) != 0)
		return -1;
	n = snprintf(buf, len, "%d %s inline:%s", c->tag,
	    sdes_suite_name(c->suite), b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			OPENSSL_cleanse(buf, len);
		return -1;
	}
	return 0;
}

int
sdes_to_sdp(const struct sdes_crypto *c, struct sdp_crypto *out)
{
	char	b64[SDES_B64_MAX + 1];
	int	n;

	if (!usable(c) || out == NULL ||
	    b64_encode(c->key, c->key_len, b64, sizeof(b64)) != 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->tag = c->tag;
	snprintf(out->suite, sizeof(out->suite), "%s",
	    sdes_suite_name(c->suite));
	n = snprintf(out->key_params, sizeof(out->key_params), "inline:%s",
	    b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= sizeof(out->key_params)) {
		OPENSSL_cleanse(out, sizeof(*out));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ offer/answer */

static int
tag_count(const struct sdp_crypto *v, int n, int tag)
{
	int	i, k = 0;

	for (i = 0; i < n; i++)
		if (v[i].tag == tag)
			k++;
	return k;
}

int
sdes_answer_select(const struct sdp_crypto *offer, int noffer,
    const enum sdes_suite *prefs, int nprefs, struct sdes_crypto *remote,
    enum sdes_err *why)
{
	enum sdes_err	 first = SDES_OK, e;
	const char	*name;
	int		 p, i;

	if (remote == NULL || noffer < 0 || nprefs < 0 ||
	    (noffer > 0 && offer == NULL) || (nprefs > 0 && prefs == NULL)) {
		set_why(why, SDES_E_ARG);
		return -1;
	}
	memset(remote, 0, sizeof(*remote));
	for (p = 0; p < nprefs; p++) {
		if ((name = sdes_suite_name(prefs[p])) == NULL)
			continue;
		for (i = 0; i < noffer; i++) {
			if (strncmp(offer[i].suite, name,
			    sizeof(offer[i].suite)) != 0)
				continue;
			if (tag_count(offer, noffer, offer[i].tag) > 1)
				e = SDES_E_DUPTAG;
			else if (sdes_parse_sdp(&offer[i], remote, &e) == 0)
				return 0;
			if (first == SDES_OK)
				first = e;
		}
	}
	sdes_wipe(remote);
	set_why(why, first != SDES_OK ? first : SDES_E_SUITE);
	return -1;
}

static int
seen_suite(const struct sdes_crypto *v, int n, enum sdes_suite s)
{
	int	i;

	for (i = 0; i < n; i++)
		if (v[i].suite == s)
			return 1;
	return 0;
}

int
sdes_offer_make(const enum sdes_suite *prefs, int nprefs,
    struct sdes_crypto *ours, int max, enum sdes_err *why)
{
	int	i, n = 0;

	if (ours == NULL || max < 1 || nprefs < 0 ||
	    (nprefs > 0 && prefs == NULL)) {
		set_why(why, SDES_E_ARG);
		return -1;
	}
	if (max > SDES_OFFER_MAX)
		max = SDES_OFFER_MAX;
	for (i = 0; i < nprefs && n < max; i++) {
		if (sdes_key_len(prefs[i]) == 0 ||
		    seen_suite(ours, n, prefs[i]))
			continue;
		if (sdes_generate(prefs[i], n + 1, &ours[n], why) != 0) {
			while (n > 0)
				sdes_wipe(&ours[--n]);
			return -1;
		}
		n++;
	}
	set_why(why, n > 0 ? SDES_OK : SDES_E_SUITE);
	return n > 0 ? n : -1;
}

int
sdes_answer_match(const struct sdes_crypto *ours, int nours,
    const struct sdp_crypto *answer, int nanswer, int *chosen,
    struct sdes_crypto *remote, enum sdes_err *why)
{
	const char	*name;
	int		 i;

	if (ours == NULL || remote == NULL || chosen == NULL ||
	    (nanswer > 0 && answer == NULL)) {
		set_why(why, SDES_E_ARG);
		return -1;
	}
	memset(remote, 0, sizeof(*remote));
	if (nanswer != 1) {
		set_why(why, SDES_E_COUNT);
		return -1;
	}
	for (i = 0; i < nours; i++)
		if (ours[i].tag == answer->tag)
			break;
	if (i == nours) {
		set_why(why, SDES_E_NOMATCH);
		return -1;
	}
	name = sdes_suite_name(ours[i].suite);
	if (name == NULL || strncmp(answer->suite, name,
	    sizeof(answer->suite)) != 0) {
		set_why(why, SDES_E_MISMATCH);
		return -1;
	}
	if (sdes_parse_sdp(answer, remote, why) != 0)
		return -1;
	*chosen = i;
	return 0;
}
