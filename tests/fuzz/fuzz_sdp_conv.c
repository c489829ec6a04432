/*
 * fuzz_sdp_conv.c: libFuzzer harness for media/sdp_conv.c.
 *
 * Input: an SDP.  When sdp_conv_parse() accepts it, an SDP is built from
 * it for every profile (WebRTC, RTP, SDES) with dummy local transports: a
 * first offer, a re-offer with the input as the previous SDP, and an
 * answer to the input with the input as the other leg's answer.  Every
 * result must parse again; an answer has as many m= lines as the offer;
 * no a=ssrc, and none of the input's ICE credentials, fingerprints or
 * connection addresses in those lines of ours (codec fmtp text is copied
 * as it is, so the check is by line).  Invariants are checked with
 * __builtin_trap().
 *
 * Owns: two descriptions and one su_home per run, freed before returning.
 * Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>

#include "media/sdp_conv.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_INPUT	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct sdp_crypto crypto[] = {
	{ 1, "AES_CM_128_HMAC_SHA1_80",
	  "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31", "" },
};

static struct sdp_local
dummy_local(int profile)
{
	struct sdp_local	l;
	int			i;

	memset(&l, 0, sizeof(l));
	l.profile = profile;
	l.address = profile == SDP_PROFILE_WEBRTC ? "203.0.113.10" :
	    "2001:db8::1";
	for (i = 0; i < SDP_MAX_STREAMS; i++) {
		l.port[i] = i == 2 ? 0 : 40000 + 2 * i;	/* one refused */
		l.rtcp_port[i] = l.port[i] ? l.port[i] + 1 : 0;
	}
	l.ice_ufrag = "fzU1";
	l.ice_pwd = "fuzzpasswordfuzzpassword";
	l.fingerprint = "sha-256 00:11:22:33";
	l.sess_id = 42;
	l.sess_ver = 3;
	l.crypto = crypto;
	l.ncrypto = 1;
	return l;
}

static void
check_absent(const char *out, const char *prefix, const char *value,
    const char *ours)
{
	char	needle[512];

	if (value[0] == '\0' || strcmp(value, ours) == 0)
		return;
	snprintf(needle, sizeof(needle), "%s%s\r\n", prefix, value);
	CHECK(strstr(out, needle) == NULL);
}

/* Nothing of the input's transport may reach the output. */
static void
check_no_leak(const char *out, const struct sdp_desc *in,
    const struct sdp_local *l)
{
	const struct sdp_stream	*s;
	int			 i;

	CHECK(strstr(out, "\na=ssrc") == NULL);
	for (i = 0; i < in->nstreams; i++) {
		s = &in->streams[i];
		check_absent(out, "a=ice-ufrag:", s->ice_ufrag, l->ice_ufrag);
		check_absent(out, "a=ice-pwd:", s->ice_pwd, l->ice_pwd);
		check_absent(out, "a=fingerprint:", s->fingerprint,
		    l->fingerprint);
		check_absent(out, "\nc=IN IP4 ", s->conn_addr, l->address);
		check_absent(out, "\nc=IN IP6 ", s->conn_addr, l->address);
	}
}

static void
one(su_home_t *home, const struct sdp_desc *in, const struct sdp_desc *prev,
    int profile, int is_offer, struct sdp_desc *scratch)
{
	struct sdp_local	 l = dummy_local(profile);
	char			*out;

	out = sdp_conv_build(home, in, prev, &l, is_offer);
	if (!is_offer)
		CHECK(out != NULL);
	if (out == NULL)
		return;
	check_no_leak(out, in, &l);
	CHECK(sdp_conv_parse(out, strlen(out), scratch) == 0);
	if (!is_offer)
		CHECK(scratch->nstreams == prev->nstreams);
	su_free(home, out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_desc	*in, *scratch;
	su_home_t	*home;
	int		 profile;

	if (size > MAX_INPUT)
		return 0;
	in = malloc(sizeof(*in));
	scratch = malloc(sizeof(*scratch));
	home = su_home_new(sizeof(*home));
	CHECK(in != NULL && scratch != NULL && home != NULL);
	if (sdp_conv_parse((const char *)data, size, in) == 0) {
		CHECK(in->nstreams > 0 && in->nstreams <= SDP_MAX_STREAMS);
		for (profile = SDP_PROFILE_RTP; profile <= SDP_PROFILE_WEBRTC;
		    profile++) {
			one(home, in, NULL, profile, 1, scratch);
			one(home, in, in, profile, 1, scratch);
			one(home, in, in, profile, 0, scratch);
		}
	}
	su_home_unref(home);
	free(scratch);
	free(in);
	return 0;
}
