/*
 * fuzz_sdes.c: libFuzzer harness for media/sdes.c.
 *
 * Input: up to 8 lines, each an a=crypto value.  Every line goes through
 * sdes_parse(): an accepted line has a known suite, that suite's key
 * length, one key, no MKI, and formats back (sdes_format, sdes_to_sdp) to
 * a line that parses to the same tag, suite and key; a refused line has a
 * reason and a wiped key.  The lines that split are then an offer for
 * sdes_answer_select() (every suite acceptable: the chosen line's tag is
 * unique and its key parses) and the first one an answer for
 * sdes_answer_match() against a fixed offer of ours.  Invariants are
 * checked with __builtin_trap().
 *
 * Owns: stack buffers only.  Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "media/sdes.h"
#include "media/sdp_conv.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_LINES	8
#define MAX_INPUT	(MAX_LINES * (SDES_LINE_MAX + 64))

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Our fixed offer: tags 1..3 (bytes 1..n as keys). */
static const char *const our_lines[] = {
	"1 AES_CM_128_HMAC_SHA1_80 inline:"
	    "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e",
	"2 AEAD_AES_128_GCM inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHA==",
	"3 AES_CM_128_HMAC_SHA1_32 inline:"
	    "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e",
};

static int
wiped(const struct sdes_crypto *c)
{
	size_t	i;

	for (i = 0; i < sizeof(c->key); i++)
		if (c->key[i] != 0)
			return 0;
	return 1;
}

static void
same(const struct sdes_crypto *a, const struct sdes_crypto *b)
{
	CHECK(a->tag == b->tag && a->suite == b->suite);
	CHECK(a->key_len == b->key_len);
	CHECK(memcmp(a->key, b->key, a->key_len) == 0);
}

static void
one_line(const char *line)
{
	struct sdes_crypto	c, d;
	struct sdp_crypto	sc;
	char			out[SDES_LINE_MAX];
	enum sdes_err		why = SDES_OK;

	if (sdes_parse(line, &c, &why) != 0) {
		CHECK(why != SDES_OK && wiped(&c));
		return;
	}
	CHECK(why == SDES_OK && sdes_suite_name(c.suite) != NULL);
	CHECK(c.key_len == sdes_key_len(c.suite) && c.key_len > 0);
	CHECK(c.nkeys == 1 && c.mki_len == 0);
	CHECK(c.tag >= 0 && c.tag <= SDES_TAG_MAX);
	CHECK(c.lifetime <= (uint64_t)1 << 48);
	CHECK(sdes_format(&c, out, sizeof(out)) == 0);
	CHECK(sdes_parse(out, &d, &why) == 0);
	same(&c, &d);
	CHECK(sdes_to_sdp(&c, &sc) == 0);
	CHECK(sdes_parse_sdp(&sc, &d, &why) == 0);
	same(&c, &d);
}

static void
as_offer(const struct sdp_crypto *v, int n)
{
	enum sdes_suite		prefs[SDES_NSUITES];
	struct sdes_crypto	r, c;
	enum sdes_err		why = SDES_OK;
	int			np, i, k = 0;

	np = sdes_default_prefs(prefs, SDES_NSUITES);
	if (sdes_answer_select(v, n, prefs, np, &r, &why) != 0) {
		CHECK(why != SDES_OK && wiped(&r));
		return;
	}
	for (i = 0; i < n; i++)
		k += v[i].tag == r.tag;
	CHECK(k == 1);
	for (i = 0; i < n && v[i].tag != r.tag; i++)
		;
	CHECK(sdes_parse_sdp(&v[i], &c, &why) == 0);
	same(&r, &c);
}

static void
as_answer(const struct sdp_crypto *a, int n)
{
	struct sdes_crypto	ours[3], r;
	enum sdes_err		why = SDES_OK;
	int			i, chosen = -1;

	for (i = 0; i < 3; i++)
		CHECK(sdes_parse(our_lines[i], &ours[i], NULL) == 0);
	if (sdes_answer_match(ours, 3, a, n, &chosen, &r, &why) != 0) {
		CHECK(why != SDES_OK);
		return;
	}
	CHECK(n == 1 && chosen >= 0 && chosen < 3);
	CHECK(ours[chosen].tag == a->tag && ours[chosen].suite == r.suite);
	CHECK(strcmp(a->suite, sdes_suite_name(r.suite)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			buf[MAX_INPUT + 1], *line, *next;
	struct sdp_crypto	v[MAX_LINES];
	int			n = 0, nlines = 0;

	if (size > MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line != NULL && nlines < MAX_LINES; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		nlines++;
		one_line(line);
		if (sdes_split(line, &v[n]) == 0)
			n++;
	}
	as_offer(v, n);
	as_answer(v, n);
	if (n > 1)
		as_answer(v, 1);
	return 0;
}
