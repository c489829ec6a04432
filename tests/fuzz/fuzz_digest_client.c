/*
 * fuzz_digest_client.c: libFuzzer harness for signaling/digest_client.c.
 *
 * Input: a WWW-Authenticate value, as bytes (no NUL needed).  Refused:
 * the status is one of ours and has a reason.  Accepted: realm, nonce and
 * opaque are NUL-terminated in their fields, the nonce is not empty, the
 * algorithm is MD5 or SHA-256; the challenge written back as a header
 * (values quoted and escaped) parses to the same struct; the
 * Authorization built for it parses with the server-side parser
 * (digest.c) to the same realm/nonce/opaque, the nonce count goes up by
 * one per answer, and its response is the one digest.c computes.  The
 * input split on newlines is also fed to dc_choose(), which must pick an
 * acceptable value of the highest rank.  Invariants are checked with
 * __builtin_trap().
 *
 * Owns: nothing beyond its stack.  Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/digest.h"
#include "signaling/digest_client.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_SPLIT	4

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Append s (quoted and escaped when q) at out[*n]; -1 when full. */
static int
put(char *out, size_t cap, size_t *n, const char *s, int q)
{
	for (; *s != '\0'; s++) {
		if (*n + 3 >= cap)
			return -1;
		if (q && (*s == '"' || *s == '\\'))
			out[(*n)++] = '\\';
		out[(*n)++] = *s;
	}
	out[*n] = '\0';
	return 0;
}

/* The challenge as a header, every value quoted. */
static int
write_back(const struct dc_challenge *ch, char *out, size_t cap)
{
	size_t	n = 0;
	int	rc;

	rc = put(out, cap, &n, "Digest realm=\"", 0);
	rc |= put(out, cap, &n, ch->realm, 1);
	rc |= put(out, cap, &n, "\", nonce=\"", 0);
	rc |= put(out, cap, &n, ch->nonce, 1);
	rc |= put(out, cap, &n, ch->algo == DIGEST_SHA256 ?
	    "\", algorithm=SHA-256" : "\", algorithm=MD5", 0);
	if (ch->qop_auth)
		rc |= put(out, cap, &n, ", qop=\"auth\"", 0);
	if (ch->stale)
		rc |= put(out, cap, &n, ", stale=true", 0);
	if (ch->has_opaque) {
		rc |= put(out, cap, &n, ", opaque=\"", 0);
		rc |= put(out, cap, &n, ch->opaque, 1);
		rc |= put(out, cap, &n, "\"", 0);
	}
	return rc;
}

static void
check_accepted(const struct dc_challenge *ch, size_t size)
{
	struct dc_challenge	again;
	char			hdr[4 * DIGEST_MAX_HEADER];

	CHECK(size <= DIGEST_MAX_HEADER);
	CHECK(memchr(ch->realm, '\0', sizeof(ch->realm)) != NULL);
	CHECK(memchr(ch->nonce, '\0', sizeof(ch->nonce)) != NULL);
	CHECK(memchr(ch->opaque, '\0', sizeof(ch->opaque)) != NULL);
	CHECK(ch->nonce[0] != '\0');
	CHECK(ch->algo == DIGEST_MD5 || ch->algo == DIGEST_SHA256);
	CHECK(ch->qop_auth == 0 || ch->qop_auth == 1);
	if (write_back(ch, hdr, sizeof(hdr)) == 0 &&
	    strlen(hdr) <= DIGEST_MAX_HEADER) {
		CHECK(dc_parse(hdr, strlen(hdr), &again) == DC_OK);
		CHECK(memcmp(ch, &again, sizeof(again)) == 0);
	}
}

/* Two answers: both parse back, nc 1 then 2, the responses are right. */
static void
check_answer(const struct dc_challenge *ch)
{
	struct dc_session	s;
	struct digest_creds	cr;
	char			out[2 * DIGEST_MAX_HEADER], ha1[DIGEST_HEX_MAX],
				want[DIGEST_HEX_MAX];
	int			i;

	dc_session_start(&s, ch);
	for (i = 1; i <= 2; i++) {
		CHECK(dc_authorize(&s, "REGISTER", "sip:pbx.test", "alice",
		    "pw", "c0ffee", out, sizeof(out)) == 0);
		if (strlen(out) > DIGEST_MAX_HEADER)
			continue;		/* beyond the server's bound */
		CHECK(digest_parse(out, strlen(out), &cr) == 0);
		CHECK(strcmp(cr.realm, ch->realm) == 0);
		CHECK(strcmp(cr.nonce, ch->nonce) == 0);
		CHECK(strcmp(cr.opaque, ch->opaque) == 0);
		CHECK(!!(cr.have & DIGEST_HAVE_OPAQUE) == ch->has_opaque);
		CHECK(digest_algo(&cr) == ch->algo);
		if (ch->qop_auth)
			CHECK(strtoul(cr.nc, NULL, 16) == (unsigned long)i);
		CHECK(digest_ha1(ch->algo, "alice", ch->realm, "pw", ha1) == 0);
		CHECK(digest_response(&cr, ch->algo, ha1, "REGISTER",
		    want) == 0);
		CHECK(strcmp(want, cr.response) == 0);
	}
	dc_session_clear(&s);
}

/* dc_choose over the input split on '\n': the best acceptable value. */
static void
check_choose(const uint8_t *data, size_t size)
{
	const char		*v[MAX_SPLIT];
	size_t			 len[MAX_SPLIT], n = 0, start = 0, i;
	struct dc_challenge	 best, ch;
	int			 rc, any = 0, top = -1, r;

	for (i = 0; i <= size && n < MAX_SPLIT; i++) {
		if (i < size && data[i] != '\n')
			continue;
		v[n] = (const char *)data + start;
		len[n++] = i - start;
		start = i + 1;
	}
	rc = dc_choose(v, len, n, &best);
	for (i = 0; i < n; i++) {
		if (dc_parse(v[i], len[i], &ch) != DC_OK)
			continue;
		any = 1;
		r = (ch.algo == DIGEST_SHA256 ? 2 : 0) + ch.qop_auth;
		top = r > top ? r : top;
	}
	CHECK((rc == DC_OK) == any);
	if (rc == DC_OK)
		CHECK((best.algo == DIGEST_SHA256 ? 2 : 0) + best.qop_auth ==
		    top);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_challenge	ch;
	int			rc;

	rc = dc_parse((const char *)data, size, &ch);
	if (rc != DC_OK) {
		CHECK(rc < 0 && rc >= DC_ERR_NONE);
		CHECK(strcmp(dc_strerror(rc), "unknown error") != 0);
		CHECK(ch.nonce[0] == '\0' && ch.algo == 0);
	} else {
		check_accepted(&ch, size);
		check_answer(&ch);
	}
	check_choose(data, size);
	return 0;
}
