/*
 * test_sdp_conv.c: cmocka tests for media/sdp_conv.c: parsing of browser
 * and PBX SDPs, and the SDPs built for each leg, against golden files
 * (tests/data/sdp/expected/, compared with line endings normalized) and
 * per-rule assertions: nothing of the other leg leaks, BUNDLE kept for
 * max-bundle, video rejected with port 0 and mid kept, codec intersection
 * with the browser's payload types, direction mapping, RFC 2543 hold.
 *
 * Inputs are tests/data/sdp/NAME.sdp (reconstructed browser and PBX SDPs;
 * "#" lines are comments, stripped, and lines are sent with CRLF).
 * SDP_GOLDEN_UPDATE=1 rewrites the expected files instead of comparing.
 *
 * Thread: pure; single-threaded test binary.  Needs $top_srcdir (or runs
 * from the build directory next to the sources).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sofia-sip/su_alloc.h>

#include "media/sdp_conv.h"
#include "media/sdp_prefer.h"

#define OUR_FP	"sha-256 F5:F7:9F:2B:49:34:AF:87:F5:52:0B:69:B9:4B:0D:98:" \
		"2E:85:BB:55:B6:72:A8:72:63:7A:CD:74:66:FC:B6:0E"
#define OUTSIDE	"203.0.113.10"
#define INSIDE	"10.20.0.1"

static const struct sdp_crypto our_crypto[] = {
	{ 1, "AES_CM_128_HMAC_SHA1_80",
	  "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31", "" },
	{ 2, "AES_CM_128_HMAC_SHA1_32",
	  "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31", "" },
};

/* ------------------------------------------------------------ helpers */

static char *
path_of(const char *rel)
{
	const char	*top = getenv("top_srcdir");
	char		*p;

	if (top == NULL || *top == '\0')
		top = "..";
	p = malloc(4096);
	assert_non_null(p);
	snprintf(p, 4096, "%s/tests/data/sdp/%s", top, rel);
	return p;
}

static char *
read_all(const char *path)
{
	FILE	*f = fopen(path, "rb");
	char	*buf;
	size_t	 n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 256 * 1024);
	assert_non_null(buf);
	n = fread(buf, 1, 256 * 1024 - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The SDP of tests/data/sdp/name: "#" lines dropped, CRLF line ends. */
static char *
load(const char *name)
{
	char	*path = path_of(name), *raw = read_all(path), *out, *line;
	char	*save = NULL;
	size_t	 used = 0, cap;

	if (raw == NULL) {
		print_message("# %s not found: set top_srcdir\n", path);
		free(path);
		skip();
	}
	free(path);
	cap = strlen(raw) * 2 + 1;
	out = calloc(1, cap);
	assert_non_null(out);
	for (line = strtok_r(raw, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save))
		if (line[0] != '#')
			used += (size_t)snprintf(out + used, cap - used,
			    "%s\r\n", line);
	free(raw);
	return out;
}

static struct sdp_desc *
parse_text(const char *text)
{
	struct sdp_desc	*d = calloc(1, sizeof(*d));

	assert_non_null(d);
	if (sdp_conv_parse(text, strlen(text), d) != 0)
		fail_msg("does not parse:\n%s", text);
	return d;
}

static struct sdp_desc *
parse_file(const char *name)
{
	char		*text = load(name);
	struct sdp_desc	*d = parse_text(text);

	free(text);
	return d;
}

static struct sdp_local
local_for(int profile)
{
	struct sdp_local	l;
	int			i;

	memset(&l, 0, sizeof(l));
	l.profile = profile;
	l.address = profile == SDP_PROFILE_WEBRTC ? OUTSIDE : INSIDE;
	for (i = 0; i < SDP_MAX_STREAMS; i++) {
		l.port[i] = profile == SDP_PROFILE_WEBRTC ? 40000 :
		    30000 + 2 * i;
		l.rtcp_port[i] = profile == SDP_PROFILE_WEBRTC ? 0 :
		    30001 + 2 * i;
	}
	l.ice_ufrag = "sbcK9f2";
	l.ice_pwd = "sbcPw0d8Hq3Lz5Rt7Vx9Bn2M";
	l.fingerprint = OUR_FP;
	l.sess_id = profile == SDP_PROFILE_WEBRTC ? 1000 : 2000;
	l.sess_ver = 1;
	if (profile == SDP_PROFILE_SDES) {
		l.crypto = our_crypto;
		l.ncrypto = 2;
	}
	return l;
}

/* Build from two descs; result malloc'ed, NULL when the build fails. */
static char *
build(const struct sdp_desc *other, const struct sdp_desc *this_leg,
    const struct sdp_local *l, int is_offer)
{
	su_home_t	*home = su_home_new(sizeof(*home));
	char		*s, *out = NULL;

	assert_non_null(home);
	s = sdp_conv_build(home, other, this_leg, l, is_offer);
	if (s != NULL)
		out = strdup(s);
	su_home_unref(home);
	return out;
}

/* Build from files ("" this_leg: none); fails the test on NULL. */
static char *
build_files(const char *other, const char *this_leg, int profile,
    int is_offer)
{
	struct sdp_desc		*o = parse_file(other);
	struct sdp_desc		*t = *this_leg ? parse_file(this_leg) : NULL;
	struct sdp_local	 l = local_for(profile);
	char			*out = build(o, t, &l, is_offer);

	if (out == NULL)
		fail_msg("build from %s / %s failed", other, this_leg);
	free(o);
	free(t);
	return out;
}

static void
strip_cr(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++)
		if (*s != '\r')
			*w++ = *s;
	*w = '\0';
}

static int
has(const char *out, const char *needle)
{
	return strstr(out, needle) != NULL;
}

static int
count(const char *out, const char *needle)
{
	int	n = 0;

	for (; (out = strstr(out, needle)) != NULL; out++)
		n++;
	return n;
}

/* ------------------------------------------------------------ golden */

static const struct golden {
	const char	*other;		/* the other leg's SDP */
	const char	*this_leg;	/* offer answered, or prev; "" none */
	int		 profile;
	int		 is_offer;
	const char	*expected;
} goldens[] = {
	{ "chrome_audio_balanced.sdp", "", SDP_PROFILE_RTP, 1,
	  "chrome_audio_to_pbx.sdp" },
	{ "chrome_audio_balanced.sdp", "", SDP_PROFILE_SDES, 1,
	  "chrome_audio_to_pbx_sdes.sdp" },
	{ "asterisk_answer.sdp", "chrome_audio_balanced.sdp",
	  SDP_PROFILE_WEBRTC, 0, "chrome_audio_answer_asterisk.sdp" },
	{ "freeswitch_answer.sdp", "chrome_audio_maxbundle.sdp",
	  SDP_PROFILE_WEBRTC, 0, "chrome_maxbundle_answer_freeswitch.sdp" },
	{ "chrome_av.sdp", "", SDP_PROFILE_RTP, 1, "chrome_av_to_pbx.sdp" },
	{ "asterisk_answer.sdp", "chrome_av.sdp", SDP_PROFILE_WEBRTC, 0,
	  "chrome_av_answer_asterisk.sdp" },
	{ "firefox_audio.sdp", "", SDP_PROFILE_RTP, 1,
	  "firefox_audio_to_pbx.sdp" },
	{ "asterisk_answer.sdp", "firefox_audio.sdp", SDP_PROFILE_WEBRTC, 0,
	  "firefox_audio_answer_asterisk.sdp" },
	{ "asterisk_offer.sdp", "", SDP_PROFILE_WEBRTC, 1,
	  "asterisk_offer_to_browser.sdp" },
	{ "chrome_answer.sdp", "asterisk_offer.sdp", SDP_PROFILE_RTP, 0,
	  "chrome_answer_to_pbx.sdp" },
	{ "pbx_hold_sendonly.sdp", "chrome_av.sdp", SDP_PROFILE_WEBRTC, 1,
	  "hold_sendonly_to_browser.sdp" },
	{ "pbx_hold_0000.sdp", "chrome_audio_balanced.sdp",
	  SDP_PROFILE_WEBRTC, 1, "hold_0000_to_browser.sdp" },
};

static char *
golden_out(const struct golden *g)
{
	return build_files(g->other, g->this_leg, g->profile, g->is_offer);
}

static void
test_golden(void **state)
{
	const struct golden	*g;
	char			*out, *path, *want;
	char			 rel[128];
	FILE			*f;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		g = &goldens[i];
		out = golden_out(g);
		strip_cr(out);
		snprintf(rel, sizeof(rel), "expected/%s", g->expected);
		path = path_of(rel);
		if (getenv("SDP_GOLDEN_UPDATE") != NULL &&
		    (f = fopen(path, "w")) != NULL) {
			fputs(out, f);
			fclose(f);
		}
		if ((want = read_all(path)) == NULL)
			fail_msg("%s missing", path);
		strip_cr(want);
		if (strcmp(out, want) != 0)
			fail_msg("%s differs; got:\n%s", g->expected, out);
		free(want);
		free(path);
		free(out);
	}
}

/* ------------------------------------------------------------ parsing */

static void
test_parse_chrome(void **state)
{
	struct sdp_desc		*d = parse_file("chrome_audio_balanced.sdp");
	const struct sdp_stream	*s = &d->streams[0];

	(void)state;
	assert_int_equal(d->nstreams, 1);
	assert_int_equal(d->nbundle, 1);
	assert_string_equal(d->bundle_mids[0], "0");
	assert_true(d->sess_id == 4215775240449105457ULL);
	assert_int_equal(d->sess_ver, 2);
	assert_string_equal(s->media, "audio");
	assert_string_equal(s->proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(s->profile, SDP_PROFILE_WEBRTC);
	assert_int_equal(s->port, 56143);
	assert_string_equal(s->conn_addr, "198.51.100.23");
	assert_int_equal(s->ncodecs, 8);
	assert_int_equal(s->codecs[0].pt, 111);
	assert_string_equal(s->codecs[0].name, "opus");
	assert_int_equal(s->codecs[0].rate, 48000);
	assert_int_equal(s->codecs[0].channels, 2);
	assert_string_equal(s->codecs[0].fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(s->codecs[0].nrtcp_fb, 1);
	assert_string_equal(s->codecs[0].rtcp_fb[0], "transport-cc");
	assert_int_equal(s->codecs[7].pt, 126);
	assert_string_equal(s->codecs[7].name, "telephone-event");
	assert_int_equal(s->codecs[7].channels, 1);
	assert_string_equal(s->mid, "0");
	assert_true(s->rtcp_mux);
	assert_int_equal(s->rtcp_port, 9);
	assert_string_equal(s->ice_ufrag, "Kq3v");
	assert_string_equal(s->ice_pwd, "7Yd3cTq1ZbM0xw9RrHfJ2uPn");
	assert_int_equal(strncmp(s->fingerprint, "sha-256 ", 8), 0);
	assert_int_equal(strlen(s->fingerprint), 8 + 95);
	assert_int_equal(s->setup, SDP_SETUP_ACTPASS);
	assert_int_equal(s->direction, SDP_DIR_SENDRECV);
	free(d);
}

static void
test_parse_chrome_video(void **state)
{
	struct sdp_desc		*d = parse_file("chrome_av.sdp");
	const struct sdp_stream	*v = &d->streams[1];

	(void)state;
	assert_int_equal(d->nstreams, 2);
	assert_int_equal(d->nbundle, 2);
	assert_string_equal(v->media, "video");
	assert_string_equal(v->fmt0, "96");
	assert_string_equal(v->mid, "1");
	/* 25 payload types: the first SDP_MAX_CODECS are kept */
	assert_int_equal(v->ncodecs, SDP_MAX_CODECS);
	assert_string_equal(v->codecs[0].name, "VP8");
	assert_int_equal(v->codecs[0].nrtcp_fb, 5);
	assert_string_equal(v->codecs[0].rtcp_fb[4], "nack pli");
	assert_string_equal(v->codecs[2].fmtp, "level-asymmetry-allowed=1;"
	    "packetization-mode=1;profile-level-id=42001f");
	free(d);
}

static void
test_parse_firefox(void **state)
{
	struct sdp_desc		*d = parse_file("firefox_audio.sdp");
	const struct sdp_stream	*s = &d->streams[0];

	(void)state;
	/* session-level fingerprint applies to the m= line */
	assert_int_equal(strncmp(s->fingerprint, "sha-256 55:E5:", 14), 0);
	assert_string_equal(s->ice_ufrag, "3c9d1e7f");
	assert_int_equal(s->ncodecs, 5);
	assert_string_equal(s->codecs[1].name, "G722");
	assert_int_equal(s->codecs[1].channels, 1);
	assert_string_equal(s->codecs[4].name, "telephone-event");
	assert_string_equal(s->codecs[4].fmtp, "0-15");
	assert_int_equal(s->direction, SDP_DIR_SENDRECV);
	free(d);
}

static void
test_parse_pbx(void **state)
{
	struct sdp_desc	*d;

	(void)state;
	d = parse_file("asterisk_answer.sdp");
	assert_int_equal(d->streams[0].profile, SDP_PROFILE_RTP);
	assert_int_equal(d->streams[0].ncodecs, 3);
	assert_string_equal(d->streams[0].codecs[0].name, "PCMU");
	assert_string_equal(d->streams[0].codecs[2].fmtp, "0-16");
	assert_int_equal(d->streams[0].ptime, 20);
	assert_string_equal(d->streams[0].conn_addr, "10.20.0.5");
	assert_int_equal(d->streams[0].rtcp_mux, 0);
	free(d);
	d = parse_file("freeswitch_answer.sdp");
	assert_int_equal(d->streams[0].rtcp_port, 22345);
	assert_string_equal(d->streams[0].codecs[0].fmtp,
	    "useinbandfec=1; minptime=10");
	free(d);
	d = parse_file("pbx_hold_sendonly.sdp");
	assert_int_equal(d->streams[0].direction, SDP_DIR_SENDONLY);
	free(d);
	/* RFC 3264 §8.4: c=0.0.0.0 without direction -> sendonly */
	d = parse_file("pbx_hold_0000.sdp");
	assert_int_equal(d->streams[0].direction, SDP_DIR_SENDONLY);
	assert_string_equal(d->streams[0].conn_addr, "0.0.0.0");
	free(d);
}

static const char hold_recvonly_0000[] =
	"v=0\r\no=- 1 2 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
	"t=0 0\r\na=recvonly\r\nm=audio 4000 RTP/AVP 0\r\n";

static const char sdes_offer[] =
	"v=0\r\no=- 1 2 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\n"
	"t=0 0\r\nm=audio 4000 RTP/SAVP 0 8\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 "
	"inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|2^20|1:32 "
	"KDR=1 UNENCRYPTED_SRTCP\r\na=sendrecv\r\n";

static void
test_parse_misc(void **state)
{
	struct sdp_desc	*d;

	(void)state;
	/* session-level recvonly on a 0.0.0.0 address: inactive */
	d = parse_text(hold_recvonly_0000);
	assert_int_equal(d->streams[0].direction, SDP_DIR_INACTIVE);
	free(d);
	d = parse_text(sdes_offer);
	assert_int_equal(d->streams[0].profile, SDP_PROFILE_SDES);
	assert_int_equal(d->streams[0].ncrypto, 2);
	assert_int_equal(d->streams[0].crypto[0].tag, 1);
	assert_string_equal(d->streams[0].crypto[0].suite,
	    "AES_CM_128_HMAC_SHA1_80");
	assert_string_equal(d->streams[0].crypto[0].key_params,
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32");
	assert_string_equal(d->streams[0].crypto[0].session_params, "");
	assert_string_equal(d->streams[0].crypto[1].session_params,
	    "KDR=1 UNENCRYPTED_SRTCP");
	free(d);
}

static int
parses(const char *s)
{
	struct sdp_desc	*d = calloc(1, sizeof(*d));
	int		 rc;

	assert_non_null(d);
	rc = sdp_conv_parse(s, strlen(s), d);
	if (rc != 0)	/* a failed parse leaves nothing behind */
		assert_int_equal(d->nstreams, 0);
	free(d);
	return rc == 0;
}

static void
test_parse_bad(void **state)
{
	char		 big[2048];
	struct sdp_desc	*d = calloc(1, sizeof(*d));
	size_t		 i;

	(void)state;
	assert_non_null(d);
	assert_false(parses(""));
	assert_false(parses("hello"));
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"
	    "c=IN IP4 1.2.3.4\r\n"));	/* no m= line */
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 1 RTP/AVP 200\r\n"));
	/* one m= line too many */
	snprintf(big, sizeof(big), "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\n");
	for (i = 0; i <= SDP_MAX_STREAMS; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
		    "m=audio 1000 RTP/AVP 0\r\n");
	assert_false(parses(big));
	/* a ufrag longer than its field */
	snprintf(big, sizeof(big), "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n"
	    "a=ice-ufrag:%0100d\r\n", 7);
	assert_false(parses(big));
	/* Sofia 1.12.11 would loop allocating on these format lists */
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=video 0 FOO 1 \"x\r\n"));
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\n \tm=video 0 FOO (x\r\n"));
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 9 FOO 9 /0\r\n"));
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 9 FOO/BAR \t\r\n"));
	/* RFC 5888: mids are unique tokens, a group names each once */
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\na=mid:0\r\n"
	    "m=audio 2 RTP/AVP 0\r\na=mid:0\r\n"));
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n"
	    "a=mid:0 1\r\n"));
	assert_false(parses("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	    "c=IN IP4 1.2.3.4\r\nt=0 0\r\na=group:BUNDLE 0 0\r\n"
	    "m=audio 1 RTP/AVP 0\r\na=mid:0\r\n"));
	/* an embedded NUL, NULL arguments */
	assert_int_equal(sdp_conv_parse("v=0\0o=", 6, d), -1);
	assert_int_equal(sdp_conv_parse(NULL, 10, d), -1);
	assert_int_equal(sdp_conv_parse("v=0", 3, NULL), -1);
	free(d);
}

/* ------------------------------------------------------------ rules */

/* text with every `from` replaced by `to` (malloc'ed) */
static char *
replace(const char *text, const char *from, const char *to)
{
	size_t		 cap = strlen(text) * 2 + 256, used = 0;
	char		*out = calloc(1, cap);
	const char	*p;

	assert_non_null(out);
	while ((p = strstr(text, from)) != NULL) {
		used += (size_t)snprintf(out + used, cap - used, "%.*s%s",
		    (int)(p - text), text, to);
		text = p + strlen(from);
	}
	snprintf(out + used, cap - used, "%s", text);
	return out;
}

/* Fail when out carries an address, credential or id of file `name`. */
static void
assert_no_leak(const char *out, const char *name)
{
	char		*text = load(name), *line, *save = NULL;
	struct sdp_desc	*d = parse_text(text);
	char		 addr[64], id[32];
	int		 i;

	for (i = 0; i < d->nstreams; i++) {
		const struct sdp_stream *s = &d->streams[i];

		if (s->conn_addr[0] != '\0')
			assert_false(has(out, s->conn_addr));
		if (s->ice_ufrag[0] != '\0')
			assert_false(has(out, s->ice_ufrag));
		if (s->ice_pwd[0] != '\0')
			assert_false(has(out, s->ice_pwd));
		if (strlen(s->fingerprint) > 8)
			assert_false(has(out, s->fingerprint + 8));
	}
	snprintf(id, sizeof(id), " %llu ", (unsigned long long)d->sess_id);
	assert_false(has(out, id));
	for (line = strtok_r(text, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save))
		if (sscanf(line, "a=candidate:%*s %*s %*s %*s %63s", addr) == 1)
			assert_false(has(out, addr));
	assert_false(has(out, "0.0.0.0"));
	assert_false(has(out, "a=ssrc"));
	assert_false(has(out, "cname"));
	assert_false(has(out, "a=extmap"));
	assert_false(has(out, "msid-semantic"));
	assert_false(has(out, "ice-options"));
	free(text);
	free(d);
}

static void
test_no_leak(void **state)
{
	const struct golden	*g;
	char			*out;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		g = &goldens[i];
		out = golden_out(g);
		assert_no_leak(out, g->other);
		if (*g->this_leg != '\0')
			assert_no_leak(out, g->this_leg);
		if (g->profile != SDP_PROFILE_WEBRTC) {
			assert_false(has(out, "ice-"));
			assert_false(has(out, "a=fingerprint"));
			assert_false(has(out, "a=setup"));
			assert_false(has(out, "a=mid"));
			assert_false(has(out, "a=group"));
			assert_false(has(out, "a=rtcp-fb"));
			assert_false(has(out, "a=msid"));
			assert_false(has(out, "a=candidate"));
			assert_true(has(out, "c=IN IP4 " INSIDE "\r\n"));
		} else
			assert_true(has(out, "c=IN IP4 " OUTSIDE "\r\n"));
		free(out);
	}
}

static void
test_bundle_max_bundle(void **state)
{
	char	*out;
	int	 i;
	const char *const offers[] = {
		"chrome_audio_maxbundle.sdp", "chrome_audio_balanced.sdp",
		"firefox_audio.sdp",
	};

	(void)state;
	for (i = 0; i < 3; i++) {
		out = build_files("asterisk_answer.sdp", offers[i],
		    SDP_PROFILE_WEBRTC, 0);
		assert_true(has(out, "a=group:BUNDLE 0\r\n"));
		assert_true(has(out, "a=mid:0\r\n"));
		/* session level, before the first m= line */
		assert_true(strstr(out, "a=ice-lite\r\n") < strstr(out, "m="));
		assert_true(strstr(out, "a=group:") < strstr(out, "m="));
		assert_true(has(out, "m=audio 40000 UDP/TLS/RTP/SAVPF "));
		assert_true(has(out, "a=rtcp-mux\r\n"));
		assert_true(has(out, "a=ice-ufrag:sbcK9f2\r\n"));
		assert_true(has(out, "a=fingerprint:" OUR_FP "\r\n"));
		assert_true(has(out, "a=setup:passive\r\n"));
		assert_true(has(out, "a=candidate:1 1 udp 2130706431 "
		    OUTSIDE " 40000 typ host\r\na=end-of-candidates\r\n"));
		free(out);
	}
}

static void
test_video_rejected(void **state)
{
	char		*out;
	struct sdp_desc	*d;

	(void)state;
	out = build_files("asterisk_answer.sdp", "chrome_av.sdp",
	    SDP_PROFILE_WEBRTC, 0);
	assert_int_equal(count(out, "m="), 2);
	assert_true(has(out, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"));
	assert_true(has(out, "a=group:BUNDLE 0\r\n"));
	assert_int_equal(count(out, "a=candidate"), 1);
	assert_false(has(out, "VP8"));
	d = parse_text(out);
	assert_int_equal(d->streams[1].port, 0);
	assert_string_equal(d->streams[1].mid, "1");
	assert_int_equal(d->nbundle, 1);
	free(d);
	free(out);
	/* toward the PBX only the audio crosses */
	out = build_files("chrome_av.sdp", "", SDP_PROFILE_RTP, 1);
	assert_int_equal(count(out, "m="), 1);
	assert_false(has(out, "video"));
	free(out);
}

static void
assert_pts(const char *sdp, int stream, const int *pts, int n)
{
	struct sdp_desc	*d = parse_text(sdp);
	int		 i;

	assert_int_equal(d->streams[stream].ncodecs, n);
	for (i = 0; i < n; i++)
		assert_int_equal(d->streams[stream].codecs[i].pt, pts[i]);
	free(d);
}

static void
test_codecs(void **state)
{
	static const int ast[] = { 0, 8, 126 }, fs[] = { 111, 126 };
	static const int ff[] = { 0, 8, 101 }, pbx[] = { 9, 0, 8, 101 };
	static const int all[] = { 111, 63, 9, 0, 8, 13, 110, 126 };
	char	*out;

	(void)state;
	/* PBX answered 101: the browser keeps its own 126 */
	out = build_files("asterisk_answer.sdp", "chrome_audio_balanced.sdp",
	    SDP_PROFILE_WEBRTC, 0);
	assert_pts(out, 0, ast, 3);
	assert_true(has(out, "a=rtpmap:126 telephone-event/8000\r\n"
	    "a=fmtp:126 0-16\r\n"));
	assert_false(has(out, "opus"));
	assert_false(has(out, "rtcp-fb"));	/* none on kept codecs */
	free(out);
	/* opus kept with the PBX's fmtp, rtcp-fb of the kept codec, ptime */
	out = build_files("freeswitch_answer.sdp",
	    "chrome_audio_maxbundle.sdp", SDP_PROFILE_WEBRTC, 0);
	assert_pts(out, 0, fs, 2);
	assert_true(has(out, "a=rtpmap:111 opus/48000/2\r\n"
	    "a=fmtp:111 useinbandfec=1; minptime=10\r\n"
	    "a=rtcp-fb:111 transport-cc\r\n"));
	assert_true(has(out, "a=ptime:20\r\n"));
	free(out);
	out = build_files("asterisk_answer.sdp", "firefox_audio.sdp",
	    SDP_PROFILE_WEBRTC, 0);
	assert_pts(out, 0, ff, 3);
	free(out);
	/* toward the PBX: the browser's list, order and numbers */
	out = build_files("chrome_audio_balanced.sdp", "", SDP_PROFILE_RTP, 1);
	assert_pts(out, 0, all, 8);
	assert_true(has(out, "m=audio 30000 RTP/AVP 111 63 9 0 8 13 110 126"));
	assert_true(has(out, "a=rtcp:30001\r\n"));
	free(out);
	/* PBX-initiated: its numbers, the browser's answer order */
	out = build_files("chrome_answer.sdp", "asterisk_offer.sdp",
	    SDP_PROFILE_RTP, 0);
	assert_pts(out, 0, pbx, 4);
	assert_false(has(out, "G729"));
	free(out);
}

static const char g729_answer[] =
	"v=0\r\no=- 5 6 IN IP4 10.20.0.5\r\ns=-\r\nc=IN IP4 10.20.0.5\r\n"
	"t=0 0\r\nm=audio 14612 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
static const char port0_answer[] =
	"v=0\r\no=- 5 6 IN IP4 10.20.0.5\r\ns=-\r\nc=IN IP4 10.20.0.5\r\n"
	"t=0 0\r\nm=audio 0 RTP/AVP 0\r\n";
static const char datachannel[] =
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	"c=IN IP4 0.0.0.0\r\na=mid:1\r\na=sctp-port:5000\r\n";

/* Answer to Chrome's audio offer (+ extra text) from PBX answer text. */
static char *
answer_chrome(const char *pbx, const char *extra, struct sdp_local *l)
{
	char		*offer = load("chrome_audio_balanced.sdp"), *o2, *out;
	struct sdp_desc	*a = parse_text(pbx), *o;
	size_t		 len;

	o2 = replace(offer, "a=group:BUNDLE 0\r\n", extra[0] ?
	    "a=group:BUNDLE 0 1\r\n" : "a=group:BUNDLE 0\r\n");
	len = strlen(o2) + strlen(extra) + 1;
	o2 = realloc(o2, len);
	assert_non_null(o2);
	snprintf(o2 + strlen(o2), len - strlen(o2), "%s", extra);
	o = parse_text(o2);
	out = build(a, o, l, 0);
	assert_non_null(out);
	free(offer);
	free(o2);
	free(a);
	free(o);
	return out;
}

static void
test_rejections(void **state)
{
	struct sdp_local	 l = local_for(SDP_PROFILE_WEBRTC);
	char			*out, *ast;

	(void)state;
	out = answer_chrome(g729_answer, "", &l);	/* nothing in common */
	assert_true(has(out, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"));
	assert_false(has(out, "a=group"));
	assert_false(has(out, "a=candidate"));
	free(out);
	out = answer_chrome(port0_answer, "", &l);	/* PBX refused */
	assert_true(has(out, "m=audio 0 "));
	free(out);
	ast = load("asterisk_answer.sdp");
	l.port[0] = 0;					/* we refuse */
	out = answer_chrome(ast, "", &l);
	assert_true(has(out, "m=audio 0 "));
	free(out);
	l.port[0] = 40000;
	out = answer_chrome(ast, datachannel, &l);	/* data channel */
	assert_true(has(out, "m=audio 40000 "));
	assert_true(has(out, "m=application 0 UDP/DTLS/SCTP "
	    "webrtc-datachannel\r\na=mid:1\r\n"));
	assert_true(has(out, "a=group:BUNDLE 0\r\n"));
	free(out);
	free(ast);
}

static const char *const dir_names[] = {
	[SDP_DIR_INACTIVE] = "a=inactive", [SDP_DIR_SENDONLY] = "a=sendonly",
	[SDP_DIR_RECVONLY] = "a=recvonly", [SDP_DIR_SENDRECV] = "a=sendrecv",
};

/* The direction of stream 0 of an SDP built from file texts with
 * "a=sendrecv" replaced. */
static int
dir_after(const char *other, int odir, const char *this_leg, int tdir,
    int profile, int is_offer)
{
	char			*ot = load(other), *tt = NULL, *r, *out;
	struct sdp_desc		*o, *t = NULL;
	struct sdp_local	 l = local_for(profile);
	int			 dir;

	r = replace(ot, "a=sendrecv", dir_names[odir]);
	o = parse_text(r);
	free(r);
	if (this_leg != NULL) {
		tt = load(this_leg);
		r = replace(tt, "a=sendrecv", dir_names[tdir]);
		t = parse_text(r);
		free(r);
	}
	out = build(o, t, &l, is_offer);
	assert_non_null(out);
	assert_int_equal(count(out, "a=inactive") +
	    count(out, "a=sendonly") + count(out, "a=recvonly") +
	    count(out, "a=sendrecv"), 1);
	free(o);
	o = parse_text(out);
	dir = o->streams[0].direction;
	free(o);
	free(t);
	free(out);
	free(ot);
	free(tt);
	return dir;
}

static void
test_direction(void **state)
{
	/* offered -> what an answer may do (send and receive swapped) */
	static const int rev[] = { 0, 2, 1, 3 };
	int	 off, ans;

	(void)state;
	for (off = 0; off < 4; off++) {
		/* an offer mirrors the other leg's offer, both ways */
		assert_int_equal(dir_after("chrome_audio_balanced.sdp", off,
		    NULL, 0, SDP_PROFILE_RTP, 1), off);
		assert_int_equal(dir_after("asterisk_offer.sdp", off,
		    NULL, 0, SDP_PROFILE_WEBRTC, 1), off);
		for (ans = 0; ans < 4; ans++) {
			assert_int_equal(dir_after("asterisk_answer.sdp", ans,
			    "chrome_audio_balanced.sdp", off,
			    SDP_PROFILE_WEBRTC, 0), ans & rev[off]);
			assert_int_equal(dir_after("chrome_answer.sdp", ans,
			    "asterisk_offer.sdp", off, SDP_PROFILE_RTP, 0),
			    ans & rev[off]);
		}
	}
}

static void
test_hold(void **state)
{
	char		*out;
	struct sdp_desc	*d;

	(void)state;
	/* RFC 2543 hold: a direction toward the browser, our address */
	out = build_files("pbx_hold_0000.sdp", "chrome_audio_balanced.sdp",
	    SDP_PROFILE_WEBRTC, 1);
	assert_false(has(out, "0.0.0.0"));
	assert_true(has(out, "a=sendonly\r\n"));
	assert_true(has(out, "c=IN IP4 " OUTSIDE "\r\n"));
	assert_true(has(out, "a=setup:actpass\r\n"));
	free(out);
	/* a re-offer keeps the m= lines, mids and numbers of the session */
	out = build_files("pbx_hold_sendonly.sdp", "chrome_av.sdp",
	    SDP_PROFILE_WEBRTC, 1);
	assert_int_equal(count(out, "m="), 2);
	assert_true(has(out, "a=mid:0\r\n"));
	assert_true(has(out, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"));
	assert_true(has(out, "a=group:BUNDLE 0\r\n"));
	assert_true(has(out, "a=rtpmap:126 telephone-event/8000\r\n"));
	assert_false(has(out, "101"));
	d = parse_text(out);
	assert_int_equal(d->streams[0].direction, SDP_DIR_SENDONLY);
	free(d);
	free(out);
}

/* The browser's c=0.0.0.0 next to ICE is "no default candidate". */
static void
test_browser_0000_not_hold(void **state)
{
	char		*text = load("chrome_audio_balanced.sdp");
	char		*r = replace(text, "c=IN IP4 198.51.100.23",
	    "c=IN IP4 0.0.0.0");
	struct sdp_desc	*d = parse_text(r);

	(void)state;
	assert_string_equal(d->streams[0].conn_addr, "0.0.0.0");
	assert_int_equal(d->streams[0].direction, SDP_DIR_SENDRECV);
	free(d);
	free(r);
	free(text);
}

static void
test_origin(void **state)
{
	struct sdp_desc		*o = parse_file("asterisk_answer.sdp");
	struct sdp_desc		*t = parse_file("chrome_audio_balanced.sdp");
	struct sdp_local	 l = local_for(SDP_PROFILE_WEBRTC);
	char			*out;

	(void)state;
	out = build(o, t, &l, 0);
	assert_non_null(out);
	assert_int_equal(strncmp(out, "v=0\r\no=sbc 1000 1 IN IP4 " OUTSIDE
	    "\r\ns=-\r\nc=IN IP4 " OUTSIDE "\r\nt=0 0\r\n", 60), 0);
	free(out);
	l.sess_ver = 7;
	out = build(o, t, &l, 0);
	assert_true(has(out, "o=sbc 1000 7 IN IP4 " OUTSIDE "\r\n"));
	free(out);
	l = local_for(SDP_PROFILE_RTP);
	out = build(t, NULL, &l, 1);
	assert_true(has(out, "o=sbc 2000 1 IN IP4 " INSIDE "\r\n"));
	free(out);
	/* IPv6 inside */
	l.address = "2001:db8::10";
	out = build(t, NULL, &l, 1);
	assert_true(has(out, "o=sbc 2000 1 IN IP6 2001:db8::10\r\n"));
	assert_true(has(out, "c=IN IP6 2001:db8::10\r\n"));
	free(out);
	free(o);
	free(t);
}

/* a=setup of our answer to Chrome's offer with its setup replaced. */
static char *
setup_answer(const char *offered, int local_setup)
{
	char			*text = load("chrome_audio_balanced.sdp"), *r;
	struct sdp_desc		*o = parse_file("asterisk_answer.sdp"), *t;
	struct sdp_local	 l = local_for(SDP_PROFILE_WEBRTC);
	char			*out;

	r = replace(text, "a=setup:actpass", offered);
	t = parse_text(r);
	l.setup = local_setup;
	out = build(o, t, &l, 0);
	assert_non_null(out);
	free(text);
	free(r);
	free(o);
	free(t);
	return out;
}

static void
test_setup(void **state)
{
	static const struct {
		const char	*offered;
		int		 local;
		const char	*want;
	} cases[] = {
		{ "a=setup:actpass", SDP_SETUP_NONE, "a=setup:passive\r\n" },
		{ "a=setup:actpass", SDP_SETUP_ACTPASS, "a=setup:passive\r\n" },
		{ "a=setup:actpass", SDP_SETUP_ACTIVE, "a=setup:active\r\n" },
		{ "a=setup:active", SDP_SETUP_NONE, "a=setup:passive\r\n" },
		{ "a=setup:passive", SDP_SETUP_NONE, "a=setup:active\r\n" },
		{ "a=setup:passive", SDP_SETUP_PASSIVE, "a=setup:passive\r\n" },
	};
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = setup_answer(cases[i].offered, cases[i].local);
		if (!has(out, cases[i].want))
			fail_msg("case %zu: no %s in\n%s", i, cases[i].want,
			    out);
		free(out);
	}
}

static void
test_sdes(void **state)
{
	struct sdp_desc		*o = parse_file("chrome_answer.sdp");
	struct sdp_desc		*t = parse_text(sdes_offer), *d;
	struct sdp_local	 l = local_for(SDP_PROFILE_SDES);
	char			*out;

	(void)state;
	/* an SDES PBX offer answered with our keys, never theirs */
	out = build(o, t, &l, 0);
	assert_non_null(out);
	assert_true(has(out, "m=audio 30000 RTP/SAVP 0 8\r\n"));
	assert_true(has(out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31\r\n"));
	assert_false(has(out, "PS1uQCVeeCFC"));
	assert_false(has(out, "QUJDREVGR0hJSktMTU5"));
	d = parse_text(out);
	assert_int_equal(d->streams[0].profile, SDP_PROFILE_SDES);
	assert_int_equal(d->streams[0].ncrypto, 2);
	assert_string_equal(d->streams[0].crypto[1].key_params,
	    our_crypto[1].key_params);
	free(d);
	free(out);
	free(o);
	free(t);
}

static void
test_bad_args(void **state)
{
	struct sdp_desc		*o = parse_file("asterisk_answer.sdp");
	struct sdp_desc		*t = parse_file("chrome_audio_balanced.sdp");
	struct sdp_desc		*v;
	struct sdp_local	 l = local_for(SDP_PROFILE_WEBRTC), bad;
	su_home_t		*home = su_home_new(sizeof(*home));
	char			*text, *r;

	(void)state;
	assert_non_null(home);
	assert_null(sdp_conv_build(NULL, o, t, &l, 0));
	assert_null(sdp_conv_build(home, NULL, t, &l, 0));
	assert_null(sdp_conv_build(home, o, NULL, &l, 0));	/* answer */
	assert_null(sdp_conv_build(home, o, t, NULL, 0));
	bad = l;
	bad.address = "203.0.113.10\r\na=x";
	assert_null(sdp_conv_build(home, o, t, &bad, 0));
	bad = l;
	bad.ice_pwd = NULL;
	assert_null(sdp_conv_build(home, o, t, &bad, 0));
	bad = l;
	bad.profile = SDP_PROFILE_NONE;
	assert_null(sdp_conv_build(home, o, t, &bad, 0));
	bad = l;
	bad.port[1] = 70000;
	assert_null(sdp_conv_build(home, o, t, &bad, 0));
	bad = local_for(SDP_PROFILE_SDES);
	bad.crypto = NULL;
	assert_null(sdp_conv_build(home, t, NULL, &bad, 1));
	/* an offer with nothing to carry: video only */
	text = load("chrome_av.sdp");
	r = replace(text, "m=audio", "m=text");
	v = parse_text(r);
	assert_null(sdp_conv_build(home, v, NULL, &l, 1));
	free(v);
	free(r);
	free(text);
	free(o);
	free(t);
	su_home_unref(home);
}

/* trunks[].codecs: listed codecs in the list's order, DTMF/CN kept after. */
static void
test_prefer(void **state)
{
	struct sdp_desc		*d = parse_file("chrome_audio_balanced.sdp");
	const struct sdp_stream	*s = &d->streams[0];
	const char		*pcma_first[] = { "pcma", "PCMU" };
	const char		*g722_rate[] = { "G722/16000", "opus/48000" };
	const char		*none[] = { "AMR-WB" };
	int			 i;

	(void)state;
	sdp_conv_prefer(d, NULL, 0);		/* no list: untouched */
	assert_int_equal(s->ncodecs, 8);
	sdp_conv_prefer(d, pcma_first, 2);
	assert_string_equal(s->codecs[0].name, "PCMA");
	assert_int_equal(s->codecs[0].pt, 8);
	assert_string_equal(s->codecs[1].name, "PCMU");
	for (i = 2; i < s->ncodecs; i++)
		assert_true(strcmp(s->codecs[i].name, "telephone-event") == 0 ||
		    strcmp(s->codecs[i].name, "CN") == 0);
	assert_string_equal(s->codecs[s->ncodecs - 1].name, "telephone-event");
	free(d);

	d = parse_file("chrome_audio_balanced.sdp");
	s = &d->streams[0];
	sdp_conv_prefer(d, g722_rate, 2);	/* G722 is 8000 in SDP: no */
	assert_string_equal(s->codecs[0].name, "opus");
	assert_string_not_equal(s->codecs[1].name, "G722");
	free(d);

	d = parse_file("chrome_audio_balanced.sdp");
	s = &d->streams[0];
	sdp_conv_prefer(d, none, 1);		/* nothing in common */
	assert_int_equal(s->ncodecs, 0);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_parse_chrome),
		cmocka_unit_test(test_prefer),
		cmocka_unit_test(test_parse_chrome_video),
		cmocka_unit_test(test_parse_firefox),
		cmocka_unit_test(test_parse_pbx),
		cmocka_unit_test(test_parse_misc),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_no_leak),
		cmocka_unit_test(test_bundle_max_bundle),
		cmocka_unit_test(test_video_rejected),
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_browser_0000_not_hold),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_sdes),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("sdp_conv", tests, NULL, NULL);
}
