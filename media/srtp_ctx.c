/*
 * srtp_ctx.c: SRTP/SRTCP contexts of one stream on libsrtp2 (see
 * srtp_ctx.h): suite table, policy set-up, thin protect/unprotect
 * wrappers that count failures.
 *
 * Owns: the srtp_t pair of each struct srtp_pair.  The suite table is
 * const.  Thread: srtp_global_* in main; everything else in the media
 * worker owning the pair.
 */
#include "config.h"

#include <string.h>

#include <srtp2/srtp.h>

#include "media/srtp_ctx.h"

#define SRTP_WINDOW	1024

typedef void (*policy_fn)(srtp_crypto_policy_t *);

struct suite {
	const char	*name;		/* SDES crypto-suite */
	int		 profile;	/* DTLS-SRTP profile, 0 if none */
	size_t		 key_len;
	size_t		 salt_len;
	policy_fn	 rtp;
	policy_fn	 rtcp;
};

/*
 * srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80() is a macro for
 * ..._rtp_default(), so the table names the function.  The _32 suites
 * keep an 80-bit tag on SRTCP (RFC 4568 §6.2.1, RFC 5764 §4.1.2).
 */
static const struct suite suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", SRTP_KEYS_AES128_CM_SHA1_80, 16, 14,
	    srtp_crypto_policy_set_rtp_default,
	    srtp_crypto_policy_set_rtp_default },
	{ "AES_CM_128_HMAC_SHA1_32", SRTP_KEYS_AES128_CM_SHA1_32, 16, 14,
	    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
	    srtp_crypto_policy_set_rtp_default },
	{ "AEAD_AES_128_GCM", SRTP_KEYS_AEAD_AES_128_GCM, 16, 12,
	    srtp_crypto_policy_set_aes_gcm_128_16_auth,
	    srtp_crypto_policy_set_aes_gcm_128_16_auth },
	{ "AEAD_AES_256_GCM", SRTP_KEYS_AEAD_AES_256_GCM, 32, 12,
	    srtp_crypto_policy_set_aes_gcm_256_16_auth,
	    srtp_crypto_policy_set_aes_gcm_256_16_auth },
	{ "AES_256_CM_HMAC_SHA1_80", 0, 32, 14,
	    srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
	    srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
};
#define NSUITES	(sizeof(suites) / sizeof(suites[0]))

int
srtp_global_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

void
srtp_global_shutdown(void)
{
	srtp_shutdown();
}

static const struct suite *
suite_by_profile(int profile)
{
	size_t	i;

	for (i = 0; i < NSUITES; i++)
		if (profile != 0 && suites[i].profile == profile)
			return &suites[i];
	return NULL;
}

static const struct suite *
suite_by_name(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < NSUITES; i++)
		if (strcmp(suites[i].name, name) == 0)
			return &suites[i];
	return NULL;
}

int
srtp_keys_lengths(int profile, size_t *key_len, size_t *salt_len)
{
	const struct suite	*s;

	if ((s = suite_by_profile(profile)) == NULL)
		return -1;
	*key_len = s->key_len;
	*salt_len = s->salt_len;
	return 0;
}

static srtp_err_status_t
make_ctx(srtp_t *ctx, const struct suite *s, const uint8_t *key,
    int inbound)
{
	srtp_policy_t	pol;

	memset(&pol, 0, sizeof(pol));
	s->rtp(&pol.rtp);
	s->rtcp(&pol.rtcp);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = (unsigned char *)key;	/* libsrtp copies it */
	pol.window_size = SRTP_WINDOW;
	pol.allow_repeat_tx = 1;
	pol.next = NULL;
	return srtp_create(ctx, &pol);
}

static int
pair_make(struct srtp_pair *p, const struct suite *s, const uint8_t *local,
    const uint8_t *remote)
{
	memset(p, 0, sizeof(*p));
	if ((p->err = make_ctx(&p->out, s, local, 0)) != srtp_err_status_ok)
		goto fail;
	if ((p->err = make_ctx(&p->in, s, remote, 1)) != srtp_err_status_ok)
		goto fail;
	return 0;
fail:
	srtp_pair_free(p);
	return -1;
}

int
srtp_pair_init(struct srtp_pair *p, const struct srtp_keys *k)
{
	const struct suite	*s;

	memset(p, 0, sizeof(*p));
	if (k == NULL || (s = suite_by_profile(k->profile)) == NULL ||
	    k->key_len != s->key_len || k->salt_len != s->salt_len) {
		p->err = srtp_err_status_bad_param;
		return -1;
	}
	return pair_make(p, s, k->local_key, k->remote_key);
}

int
srtp_pair_init_sdes(struct srtp_pair *p, const char *suite,
    const uint8_t *local, size_t local_len, const uint8_t *remote,
    size_t remote_len)
{
	const struct suite	*s;

	memset(p, 0, sizeof(*p));
	if ((s = suite_by_name(suite)) == NULL || local == NULL ||
	    remote == NULL || local_len != s->key_len + s->salt_len ||
	    remote_len != s->key_len + s->salt_len) {
		p->err = srtp_err_status_bad_param;
		return -1;
	}
	return pair_make(p, s, local, remote);
}

void
srtp_pair_free(struct srtp_pair *p)
{
	if (p->in != NULL)
		srtp_dealloc(p->in);
	if (p->out != NULL)
		srtp_dealloc(p->out);
	p->in = NULL;
	p->out = NULL;
}

int
srtp_pair_protect(struct srtp_pair *p, uint8_t *pkt, int *len, int rtcp)
{
	if (p->out == NULL)
		p->err = srtp_err_status_no_ctx;
	else if (rtcp)
		p->err = srtp_protect_rtcp(p->out, pkt, len);
	else
		p->err = srtp_protect(p->out, pkt, len);
	if (p->err == srtp_err_status_ok)
		return 0;
	p->stats.protect_fail++;
	return -1;
}

int
srtp_pair_unprotect(struct srtp_pair *p, uint8_t *pkt, int *len, int rtcp)
{
	if (p->in == NULL)
		p->err = srtp_err_status_no_ctx;
	else if (rtcp)
		p->err = srtp_unprotect_rtcp(p->in, pkt, len);
	else
		p->err = srtp_unprotect(p->in, pkt, len);
	switch (p->err) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
		p->stats.auth_fail++;
		break;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		p->stats.replay_fail++;
		break;
	default:
		p->stats.other_fail++;
		break;
	}
	return -1;
}
