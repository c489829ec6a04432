/*
 * b2b_sdes.c: the SDES-SRTP keys (RFC 4568) of a call's PBX leg.
 *
 * Media profile of a trunk (sbc.conf trunks[].media_profile):
 *   rtp            RTP/AVP, no a=crypto; an SDES offer from the PBX is
 *                  still answered with SDES (the PBX asked for it);
 *   sdes           RTP/SAVP with a=crypto; an answer without a usable
 *                  crypto line fails the call (488 to the browser);
 *   sdes-optional  RTP/AVP with a=crypto (best effort): an answer with a
 *                  crypto line gives SRTP, one without gives plain RTP.
 * Suites are offered and chosen in the trunk's srtp_suites order (all
 * five when empty).  A new key from the peer (re-INVITE) gives new keys
 * both ways; the same key keeps the running contexts.
 *
 * Owns: struct call_sdes in the call's media state: our keys, the peer's
 * key, our a=crypto lines.  All secret: never logged (only suites, tags
 * and sdes_strerror() reasons are), wiped by b2b_sdes_wipe() when the
 * media ends.  Thread: "signaling".
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "media/sdes.h"
#include "sbc/conf.h"
#include "sbc/log.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_media.h"

/* The trunk's suite order, or ours. */
static int
prefs_of(const struct call *c, enum sdes_suite *out)
{
	const struct sbc_strv	*v = c->trunk ? &c->trunk->srtp_suites : NULL;
	size_t			 i;
	int			 n = 0;

	if (v == NULL || v->n == 0)
		return sdes_default_prefs(out, SDES_NSUITES);
	for (i = 0; i < v->n && n < SDES_NSUITES; i++)
		if ((out[n] = sdes_suite_by_name(v->v[i])) != SDES_SUITE_NONE)
			n++;
	return n;
}

static enum sbc_media_profile
profile_of(const struct call *c)
{
	return c->trunk ? c->trunk->media_profile : SBC_MP_RTP;
}

/* Hand the chosen keys to the worker (with the next update). */
static void
keys_set(struct call *c, const struct sdes_crypto *ours,
    const struct sdes_crypto *theirs)
{
	struct media_params	*p = &c->m->params;

	snprintf(p->p_suite, sizeof(p->p_suite), "%s",
	    sdes_suite_name(ours->suite));
	memcpy(p->p_local_key, ours->key, ours->key_len);
	memcpy(p->p_remote_key, theirs->key, theirs->key_len);
	p->p_key_len = (uint32_t)ours->key_len;
	p->p_key_gen++;
	c->m->sdes.remote = *theirs;
	log_info(b2b_log(c->b), "call %llu: PBX leg SRTP %s (tag %d)",
	    (unsigned long long)c->id, p->p_suite, ours->tag);
}

static void
keys_none(struct call *c)
{
	struct media_params	*p = &c->m->params;

	if (p->p_suite[0] == '\0')
		return;
	p->p_suite[0] = '\0';
	OPENSSL_cleanse(p->p_local_key, sizeof(p->p_local_key));
	OPENSSL_cleanse(p->p_remote_key, sizeof(p->p_remote_key));
	p->p_key_gen++;
	sdes_wipe(&c->m->sdes.remote);
}

/* Our a=crypto lines into l (from the keys in s->ours). */
static int
lines_of(struct call_sdes *s, struct sdp_local *l)
{
	int	i;

	for (i = 0; i < s->nours; i++)
		if (sdes_to_sdp(&s->ours[i], &s->lines[i]) == -1)
			return -1;
	l->crypto = s->lines;
	l->ncrypto = s->nours;
	return 0;
}

/* We offer to the PBX: profile and a=crypto per the trunk. */
int
b2b_sdes_offer(struct call *c, struct sdp_local *l)
{
	struct call_sdes	*s = &c->m->sdes;
	enum sdes_suite		 prefs[SDES_NSUITES];
	enum sdes_err		 why;
	int			 n;

	if (profile_of(c) == SBC_MP_RTP && !s->answered_crypto)
		return 0;
	if (s->answered_crypto) {	/* re-offer: the key in use */
		l->profile = s->savp ? SDP_PROFILE_SDES : SDP_PROFILE_RTP;
		return lines_of(s, l);
	}
	if (s->nours == 0) {
		n = prefs_of(c, prefs);
		if ((s->nours = sdes_offer_make(prefs, n, s->ours,
		    SDES_OFFER_MAX, &why)) == -1) {
			s->nours = 0;
			log_warn(b2b_log(c->b), "call %llu: SDES offer: %s",
			    (unsigned long long)c->id, sdes_strerror(why));
			return -1;
		}
	}
	s->savp = profile_of(c) == SBC_MP_SDES;
	l->profile = s->savp ? SDP_PROFILE_SDES : SDP_PROFILE_RTP;
	return lines_of(s, l);
}

/* Same key, suite and tag as the one running: nothing to change. */
static int
same_key(const struct sdes_crypto *a, const struct sdes_crypto *b)
{
	return a->suite == b->suite && a->tag == b->tag &&
	    a->key_len == b->key_len &&
	    CRYPTO_memcmp(a->key, b->key, a->key_len) == 0;
}

static int
refuse(struct call *c, const char *what, enum sdes_err why)
{
	log_notice(b2b_log(c->b), "call %llu: PBX %s: %s",
	    (unsigned long long)c->id, what, sdes_strerror(why));
	return -1;
}

/* The PBX answered our offer (st: its first stream).  -1: refuse it. */
int
b2b_sdes_answer_in(struct call *c, const struct sdp_stream *st)
{
	struct call_sdes	*s = &c->m->sdes;
	struct sdes_crypto	 remote;
	enum sdes_err		 why;
	int			 chosen;

	if (s->nours == 0)
		return st->ncrypto > 0 || st->profile == SDP_PROFILE_SDES ?
		    refuse(c, "answer", SDES_E_NOMATCH) : 0;
	if (st->ncrypto == 0) {
		if (st->profile == SDP_PROFILE_SDES || s->savp)
			return refuse(c, "answer", SDES_E_COUNT);
		keys_none(c);		/* sdes-optional: plain RTP */
		return 0;
	}
	if (sdes_answer_match(s->ours, s->nours, st->crypto, st->ncrypto,
	    &chosen, &remote, &why) == -1)
		return refuse(c, "answer", why);
	if (!same_key(&remote, &s->remote) ||
	    c->m->params.p_suite[0] == '\0') {
		if (chosen != 0)	/* keep the chosen one first */
			s->ours[0] = s->ours[chosen];
		keys_set(c, &s->ours[0], &remote);
	}
	while (s->nours > 1)		/* only the chosen key is kept */
		sdes_wipe(&s->ours[--s->nours]);
	s->answered_crypto = 1;
	sdes_wipe(&remote);
	return 0;
}

/* The PBX offered (first INVITE or re-INVITE).  -1: answer 488. */
int
b2b_sdes_offer_in(struct call *c, const struct sdp_stream *st)
{
	struct call_sdes	*s = &c->m->sdes;
	enum sdes_suite		 prefs[SDES_NSUITES];
	struct sdes_crypto	 remote;
	enum sdes_err		 why;
	int			 rc = 0;

	s->savp = st->profile == SDP_PROFILE_SDES;
	if (st->ncrypto == 0 || sdes_answer_select(st->crypto, st->ncrypto,
	    prefs, prefs_of(c, prefs), &remote, &why) == -1) {
		if (s->savp)
			return refuse(c, "offer", st->ncrypto ? why :
			    SDES_E_COUNT);
		keys_none(c);		/* RTP/AVP: plain RTP */
		s->answered_crypto = 0;
		s->nours = 0;
		return 0;
	}
	if (!s->answered_crypto || !same_key(&remote, &s->remote)) {
		if (sdes_generate(remote.suite, remote.tag, &s->ours[0],
		    &why) == -1)
			rc = refuse(c, "offer", why);
		else
			keys_set(c, &s->ours[0], &remote);
	}
	s->nours = rc == 0 ? 1 : 0;
	s->answered_crypto = rc == 0;
	sdes_wipe(&remote);
	return rc;
}

/* Our answer to the PBX's offer: its profile, our one line if any. */
int
b2b_sdes_answer_out(struct call *c, struct sdp_local *l)
{
	struct call_sdes	*s = &c->m->sdes;

	l->profile = s->savp ? SDP_PROFILE_SDES : SDP_PROFILE_RTP;
	if (!s->answered_crypto)
		return 0;
	return lines_of(s, l);
}

void
b2b_sdes_wipe(struct call *c)
{
	struct call_sdes	*s = &c->m->sdes;
	int			 i;

	for (i = 0; i < SDES_OFFER_MAX; i++)
		sdes_wipe(&s->ours[i]);
	sdes_wipe(&s->remote);
	OPENSSL_cleanse(s->lines, sizeof(s->lines));
	OPENSSL_cleanse(c->m->params.p_local_key,
	    sizeof(c->m->params.p_local_key));
	OPENSSL_cleanse(c->m->params.p_remote_key,
	    sizeof(c->m->params.p_remote_key));
}
