/*
 * sdp_conv.c: SDP conversion between the media profiles of a call's two
 * legs (see sdp_conv.h): parse into struct sdp_desc, plan the m= lines of
 * an offer or an answer, render them through Sofia's SDP printer.
 *
 * Sofia parses RTP/AVP and RTP/SAVP formats into rtpmaps itself, but
 * leaves every other transport (UDP/TLS/RTP/SAVPF included) as text
 * formats with plain a=rtpmap/a=fmtp attributes: both are read here.
 * Parsing and printing use sdp_f_mode_manual, so direction attributes
 * are ours to read and write.
 *
 * Owns: a temporary su_home per call, freed before return; the result is
 * in the caller's struct or home.  Thread: "signaling", tests, fuzzer.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include "media/sdp_conv.h"

#define COPY(dst, src)	copy_str((dst), sizeof(dst), (src))
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_SDP_LEN	(64 * 1024)
#define TOKEN_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789-!#$%&'*+.^_`{|}~"

/* ------------------------------------------------------------ helpers */

/* Copy src into dst; -1 (dst empty) when it does not fit. */
static int
copy_str(char *dst, size_t size, const char *src)
{
	size_t	n;

	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= size) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/* s is a non-empty RFC 4566 token (mids, encoding names). */
static int
is_token(const char *s)
{
	return s != NULL && *s != '\0' && s[strspn(s, TOKEN_CHARS)] == '\0';
}

/* A decimal in [lo, hi] at *s; advances *s past it.  0 / -1. */
static int
parse_num(const char **s, long lo, long hi, int *out)
{
	char	*end;
	long	 v;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	v = strtol(*s, &end, 10);
	if (errno != 0 || v < lo || v > hi)
		return -1;
	*s = end;
	*out = (int)v;
	return 0;
}

/* The whole of s is a decimal in [lo, hi]. */
static int
parse_whole(const char *s, long lo, long hi, int *out)
{
	if (s == NULL || parse_num(&s, lo, hi, out) != 0 || *s != '\0')
		return -1;
	return 0;
}

static const struct {
	const char	*proto;
	int		 profile;
} protos[] = {
	{ "RTP/AVP", SDP_PROFILE_RTP },
	{ "RTP/AVPF", SDP_PROFILE_RTP },
	{ "RTP/SAVP", SDP_PROFILE_SDES },
	{ "RTP/SAVPF", SDP_PROFILE_SDES },
	{ "UDP/TLS/RTP/SAVPF", SDP_PROFILE_WEBRTC },
	{ "UDP/TLS/RTP/SAVP", SDP_PROFILE_WEBRTC },
};

static int
profile_of(const char *proto)
{
	size_t	i;

	for (i = 0; i < NELEM(protos); i++)
		if (strcasecmp(proto, protos[i].proto) == 0)
			return protos[i].profile;
	return SDP_PROFILE_NONE;
}

static const struct {
	const char	*name;
	int		 dir;
} dirs[] = {
	{ "inactive", SDP_DIR_INACTIVE },
	{ "sendonly", SDP_DIR_SENDONLY },
	{ "recvonly", SDP_DIR_RECVONLY },
	{ "sendrecv", SDP_DIR_SENDRECV },
};

static const char *const setups[] = {
	[SDP_SETUP_ACTPASS] = "actpass",
	[SDP_SETUP_ACTIVE] = "active",
	[SDP_SETUP_PASSIVE] = "passive",
	[SDP_SETUP_HOLDCONN] = "holdconn",
};

/* ------------------------------------------------------------ attributes */

typedef int	(*attr_fn)(struct sdp_desc *, struct sdp_stream *,
		    const char *name, const char *value);

static int
at_mid(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	return is_token(v) ? COPY(st->mid, v) : -1;
}

static int
at_flag(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	if (strcasecmp(n, "rtcp-mux") == 0)
		st->rtcp_mux = 1;
	else if (strcasecmp(n, "bundle-only") == 0)
		st->bundle_only = 1;
	else
		d->ice_lite = 1;
	return 0;
}

static int
at_num(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	int	x;

	if (v == NULL || parse_num(&v, 0, 65535, &x) != 0)
		return 0;	/* ignored, like any attribute we cannot use */
	if (strcasecmp(n, "ptime") == 0)
		st->ptime = x;
	else
		st->rtcp_port = x;
	return 0;
}

static int
at_ice(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	if (strcasecmp(n, "ice-ufrag") == 0)
		return COPY(st->ice_ufrag, v);
	if (strcasecmp(n, "ice-pwd") == 0)
		return COPY(st->ice_pwd, v);
	return COPY(st->fingerprint, v);
}

static int
at_setup(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	size_t	i;

	for (i = 1; v != NULL && i < NELEM(setups); i++)
		if (strcasecmp(v, setups[i]) == 0)
			st->setup = (int)i;
	return 0;
}

static int
at_dir(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	size_t	i;

	for (i = 0; i < NELEM(dirs); i++)
		if (strcasecmp(n, dirs[i].name) == 0)
			st->direction = dirs[i].dir;
	return 0;
}

/* "1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^31|1:1 [session params]" */
static int
at_crypto(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	struct sdp_crypto	c;
	size_t			l;

	memset(&c, 0, sizeof(c));
	if (v == NULL || st->ncrypto == SDP_MAX_CRYPTO ||
	    parse_num(&v, 0, 999999999, &c.tag) != 0 || *v != ' ')
		return 0;
	v += strspn(v, " ");
	if ((l = strcspn(v, " ")) == 0 || l >= sizeof(c.suite))
		return 0;
	memcpy(c.suite, v, l);
	v += l;
	v += strspn(v, " ");
	if ((l = strcspn(v, " ")) == 0 || l >= sizeof(c.key_params))
		return 0;
	memcpy(c.key_params, v, l);
	v += l;
	v += strspn(v, " ");
	if (COPY(c.session_params, v) != 0)
		return 0;
	st->crypto[st->ncrypto++] = c;
	return 0;
}

/* a=group:BUNDLE 0 1; the first BUNDLE group only, distinct tokens. */
static int
at_group(struct sdp_desc *d, struct sdp_stream *st, const char *n,
    const char *v)
{
	char	*mid;
	size_t	 l;
	int	 i;

	if (v == NULL || strncasecmp(v, "BUNDLE", 6) != 0 ||
	    (v[6] != ' ' && v[6] != '\0') || d->nbundle > 0)
		return 0;
	for (v += 6; *(v += strspn(v, " ")) != '\0'; v += l) {
		l = strcspn(v, " ");
		if (d->nbundle == SDP_MAX_STREAMS ||
		    l >= sizeof(d->bundle_mids[0]))
			return -1;
		mid = d->bundle_mids[d->nbundle];
		memcpy(mid, v, l);
		mid[l] = '\0';
		for (i = 0; i < d->nbundle; i++)
			if (strcmp(d->bundle_mids[i], mid) == 0)
				return -1;
		if (!is_token(mid))
			return -1;
		d->nbundle++;
	}
	return 0;
}

#define AT_SESSION	1
#define AT_MEDIA	2

static const struct {
	const char	*name;
	attr_fn		 fn;
	int		 where;
} attr_table[] = {
	{ "mid", at_mid, AT_MEDIA },
	{ "rtcp-mux", at_flag, AT_MEDIA },
	{ "bundle-only", at_flag, AT_MEDIA },
	{ "ice-lite", at_flag, AT_SESSION },
	{ "ptime", at_num, AT_MEDIA },
	{ "rtcp", at_num, AT_MEDIA },
	{ "ice-ufrag", at_ice, AT_SESSION | AT_MEDIA },
	{ "ice-pwd", at_ice, AT_SESSION | AT_MEDIA },
	{ "fingerprint", at_ice, AT_SESSION | AT_MEDIA },
	{ "setup", at_setup, AT_SESSION | AT_MEDIA },
	{ "sendrecv", at_dir, AT_SESSION | AT_MEDIA },
	{ "sendonly", at_dir, AT_SESSION | AT_MEDIA },
	{ "recvonly", at_dir, AT_SESSION | AT_MEDIA },
	{ "inactive", at_dir, AT_SESSION | AT_MEDIA },
	{ "crypto", at_crypto, AT_MEDIA },
	{ "group", at_group, AT_SESSION },
};

static int
apply_attrs(struct sdp_desc *d, struct sdp_stream *st,
    const sdp_attribute_t *a, int where)
{
	size_t	i;

	for (; a != NULL; a = a->a_next)
		for (i = 0; i < NELEM(attr_table); i++)
			if ((attr_table[i].where & where) &&
			    strcasecmp(a->a_name, attr_table[i].name) == 0 &&
			    attr_table[i].fn(d, st, a->a_name, a->a_value) != 0)
				return -1;
	return 0;
}

/* ------------------------------------------------------------ codecs */

static struct sdp_codec *
codec_by_pt(struct sdp_stream *st, int pt)
{
	int	i;

	for (i = 0; i < st->ncodecs; i++)
		if (st->codecs[i].pt == pt)
			return &st->codecs[i];
	return NULL;
}

/* Append a codec; one that does not fit our fields is skipped. */
static void
add_codec(struct sdp_stream *st, int pt, const char *name,
    unsigned long rate, const char *chans, const char *fmtp)
{
	struct sdp_codec	*c;

	if (st->ncodecs == SDP_MAX_CODECS || !is_token(name) ||
	    rate == 0 || rate > 1000000 || codec_by_pt(st, pt) != NULL)
		return;
	c = &st->codecs[st->ncodecs];
	memset(c, 0, sizeof(*c));
	c->pt = pt;
	c->rate = (int)rate;
	if (parse_whole(chans, 1, 255, &c->channels) != 0)
		c->channels = 1;
	if (COPY(c->name, name) == 0 && COPY(c->fmtp, fmtp) == 0)
		st->ncodecs++;
}

/* The text after "PT " of the first a=NAME:PT attribute, or NULL. */
static const char *
pt_attr(const sdp_attribute_t *a, const char *name, int pt)
{
	const char	*v;
	int		 n;

	for (; a != NULL; a = a->a_next) {
		if (strcasecmp(a->a_name, name) != 0 || (v = a->a_value) == NULL)
			continue;
		if (parse_num(&v, 0, 127, &n) == 0 && n == pt && *v == ' ')
			return v + strspn(v, " ");
	}
	return NULL;
}

/* One text format with its a=rtpmap ("opus/48000/2") or a static type. */
static void
text_codec(struct sdp_stream *st, const sdp_media_t *m, int pt)
{
	const sdp_rtpmap_t	*wk = sdp_rtpmap_well_known[pt];
	const char		*map, *chans = NULL;
	char			 name[32];
	size_t			 l;
	int			 rate;

	if ((map = pt_attr(m->m_attributes, "rtpmap", pt)) == NULL) {
		if (wk != NULL)
			add_codec(st, pt, wk->rm_encoding, wk->rm_rate,
			    wk->rm_params, pt_attr(m->m_attributes, "fmtp", pt));
		return;
	}
	if ((l = strcspn(map, "/")) == 0 || l >= sizeof(name) ||
	    map[l] != '/')
		return;
	memcpy(name, map, l);
	name[l] = '\0';
	map += l + 1;
	if (parse_num(&map, 1, 1000000, &rate) != 0 ||
	    (*map != '\0' && *map != '/'))
		return;
	if (*map == '/')
		chans = map + 1;
	add_codec(st, pt, name, (unsigned long)rate, chans,
	    pt_attr(m->m_attributes, "fmtp", pt));
}

static void
parse_codecs(struct sdp_stream *st, const sdp_media_t *m)
{
	const sdp_rtpmap_t	*rm;
	const sdp_list_t	*l;
	const char		*s;
	int			 pt;

	for (rm = m->m_rtpmaps; rm != NULL; rm = rm->rm_next) {
		if (st->fmt0[0] == '\0')
			snprintf(st->fmt0, sizeof(st->fmt0), "%u",
			    (unsigned)rm->rm_pt);
		if (!rm->rm_any)
			add_codec(st, rm->rm_pt, rm->rm_encoding, rm->rm_rate,
			    rm->rm_params, rm->rm_fmtp);
	}
	for (l = m->m_format; l != NULL; l = l->l_next) {
		if (st->fmt0[0] == '\0')
			snprintf(st->fmt0, sizeof(st->fmt0), "%s", l->l_text);
		s = l->l_text;
		if (st->profile != SDP_PROFILE_NONE &&
		    parse_num(&s, 0, 127, &pt) == 0 && *s == '\0')
			text_codec(st, m, pt);
	}
}

/* a=rtcp-fb:PT VALUE onto the codec of that payload type. */
static void
parse_rtcp_fb(struct sdp_stream *st, const sdp_attribute_t *a)
{
	struct sdp_codec	*c;
	const char		*v;
	int			 pt;

	for (; a != NULL; a = a->a_next) {
		if (strcasecmp(a->a_name, "rtcp-fb") != 0 ||
		    (v = a->a_value) == NULL ||
		    parse_num(&v, 0, 127, &pt) != 0 || *v != ' ' ||
		    (c = codec_by_pt(st, pt)) == NULL ||
		    c->nrtcp_fb == SDP_MAX_RTCP_FB)
			continue;
		v += strspn(v, " ");
		if (*v != '\0' && COPY(c->rtcp_fb[c->nrtcp_fb], v) == 0)
			c->nrtcp_fb++;
	}
}

/* ------------------------------------------------------------ parsing */

static int
is_any_addr(const char *a)
{
	return strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

static int
parse_stream(struct sdp_desc *d, const sdp_media_t *m,
    const struct sdp_stream *session, struct sdp_stream *st)
{
	const sdp_connection_t	*c = sdp_media_connections(m);

	*st = *session;
	if (m->m_type_name == NULL || m->m_proto_name == NULL ||
	    m->m_port > 65535 || COPY(st->media, m->m_type_name) != 0 ||
	    COPY(st->proto, m->m_proto_name) != 0)
		return -1;
	st->port = (int)m->m_port;
	st->profile = profile_of(st->proto);
	if (c != NULL && c->c_address != NULL &&
	    COPY(st->conn_addr, c->c_address) != 0)
		return -1;
	parse_codecs(st, m);
	parse_rtcp_fb(st, m->m_attributes);
	if (apply_attrs(d, st, m->m_attributes, AT_MEDIA) != 0)
		return -1;
	/* RFC 3264 §8.4: old-style hold; with ICE it means "no default". */
	if (st->ice_ufrag[0] == '\0' && is_any_addr(st->conn_addr))
		st->direction &= ~SDP_DIR_RECVONLY;
	return 0;
}

/* RFC 5888: mids are unique. */
static int
mid_taken(const struct sdp_desc *d, const char *mid)
{
	int	i;

	for (i = 0; mid[0] != '\0' && i < d->nstreams; i++)
		if (strcmp(d->streams[i].mid, mid) == 0)
			return 1;
	return 0;
}

static int
parse_session(const sdp_session_t *s, struct sdp_desc *out,
    struct sdp_stream *session)
{
	const sdp_media_t	*m;

	if (s->sdp_origin == NULL || s->sdp_media == NULL)
		return -1;
	out->sess_id = s->sdp_origin->o_id;
	out->sess_ver = s->sdp_origin->o_version;
	memset(session, 0, sizeof(*session));
	session->direction = SDP_DIR_SENDRECV;
	if (apply_attrs(out, session, s->sdp_attributes, AT_SESSION) != 0)
		return -1;
	for (m = s->sdp_media; m != NULL; m = m->m_next) {
		if (out->nstreams == SDP_MAX_STREAMS ||
		    parse_stream(out, m, session,
		    &out->streams[out->nstreams]) != 0 ||
		    mid_taken(out, out->streams[out->nstreams].mid))
			return -1;
		out->nstreams++;
	}
	return 0;
}

/*
 * Sofia 1.12.11 loops, allocating until memory runs out, on an m= format
 * that does not start with a token character ("m=audio 9 RTP/SAVPF 9 /0",
 * "\"x") or on a tab after the proto: m= lines are checked word by word
 * first (RFC 4566: media, port[/n], proto, formats; spaces between).
 */
static const char *const m_word_chars[] = {
	TOKEN_CHARS, "0123456789/", TOKEN_CHARS "/", TOKEN_CHARS,
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The words of one m= line after "m=", len bytes up to its line end. */
static int
m_line_ok(const char *s, size_t len)
{
	size_t	i = 0, w = 0;

	for (;;) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			return 1;
		for (; i < len && s[i] != ' '; i++)
			if (strchr(m_word_chars[w < 3 ? w : 3], s[i]) == NULL)
				return 0;
		w++;
	}
}

static int
m_lines_ok(const char *s, size_t len)
{
	size_t	i = 0, end;

	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		for (end = i; end < len && s[end] != '\r' && s[end] != '\n';)
			end++;
		if (end - i >= 2 && s[i] == 'm' && s[i + 1] == '=' &&
		    !m_line_ok(s + i + 2, end - i - 2))
			return 0;
		i = end + 1;
	}
	return 1;
}

int
sdp_conv_parse(const char *sdp, size_t len, struct sdp_desc *out)
{
	su_home_t		*home;
	sdp_parser_t		*p;
	sdp_session_t		*s;
	struct sdp_stream	*session;
	int			 rc = -1;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (sdp == NULL || len == 0 || len > MAX_SDP_LEN ||
	    memchr(sdp, '\0', len) != NULL || !m_lines_ok(sdp, len))
		return -1;
	if ((home = su_home_new(sizeof(*home))) == NULL)
		return -1;
	session = su_zalloc(home, sizeof(*session));
	p = sdp_parse(home, sdp, (issize_t)len, sdp_f_mode_manual);
	if (session != NULL && (s = sdp_session(p)) != NULL)
		rc = parse_session(s, out, session);
	sdp_parser_free(p);
	su_home_unref(home);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ------------------------------------------------------------ planning */

struct out_stream {
	const char		*media, *proto, *fmt0, *mid;
	char			 midbuf[32], fmtbuf[8];
	int			 accepted, port, rtcp_port;
	int			 direction, ptime, setup;
	struct sdp_codec	 codecs[SDP_MAX_CODECS];
	int			 ncodecs;
};

struct plan {
	struct out_stream	 s[SDP_MAX_STREAMS];
	int			 n;
	const char		*bundle[SDP_MAX_STREAMS];
	int			 nbundle;
};

static const char *
profile_proto(int profile)
{
	size_t	i;

	for (i = 0; i < NELEM(protos); i++)
		if (protos[i].profile == profile)
			return protos[i].proto;
	return "RTP/AVP";
}

/* A stream that can cross to the other leg. */
static int
carried(const struct sdp_stream *st)
{
	return strcasecmp(st->media, "audio") == 0 &&
	    st->profile != SDP_PROFILE_NONE && st->ncodecs > 0 &&
	    (st->port != 0 || st->bundle_only);
}

/* The n-th audio m= line of d (a reply pairs with our offer this way). */
static const struct sdp_stream *
nth_audio(const struct sdp_desc *d, int n)
{
	int	i;

	for (i = 0; i < d->nstreams; i++)
		if (strcasecmp(d->streams[i].media, "audio") == 0 && n-- == 0)
			return &d->streams[i];
	return NULL;
}

static const struct sdp_codec *
codec_match(const struct sdp_stream *st, const struct sdp_codec *c)
{
	int	i;

	for (i = 0; i < st->ncodecs; i++)
		if (strcasecmp(st->codecs[i].name, c->name) == 0 &&
		    st->codecs[i].rate == c->rate &&
		    st->codecs[i].channels == c->channels)
			return &st->codecs[i];
	return NULL;
}

static int
pt_used(const struct sdp_codec *list, int n, int pt)
{
	int	i;

	for (i = 0; i < n; i++)
		if (list[i].pt == pt)
			return 1;
	return 0;
}

/*
 * Answer codecs: those of the other leg's answer (its order) that this
 * leg offered, with this leg's payload types and rtcp-fb; the fmtp of the
 * other leg's answer when it has one (the receiver's parameters).
 */
static int
intersect(struct sdp_codec *dst, const struct sdp_stream *offer,
    const struct sdp_stream *answer, int keep_fb)
{
	const struct sdp_codec	*c, *mine;
	int			 i, n = 0;

	for (i = 0; i < answer->ncodecs; i++) {
		c = &answer->codecs[i];
		if ((mine = codec_match(offer, c)) == NULL ||
		    pt_used(dst, n, mine->pt))
			continue;
		dst[n] = *mine;
		if (c->fmtp[0] != '\0')
			memcpy(dst[n].fmtp, c->fmtp, sizeof(dst[n].fmtp));
		if (!keep_fb)
			dst[n].nrtcp_fb = 0;
		n++;
	}
	return n;
}

/* Offer codecs: the other leg's, renumbered to prev's payload types. */
static int
offer_codecs(struct sdp_codec *dst, const struct sdp_stream *src,
    const struct sdp_stream *prev)
{
	const struct sdp_codec	*old;
	int			 i, n = 0, pt;

	for (i = 0; i < src->ncodecs; i++) {
		pt = src->codecs[i].pt;
		if (prev != NULL && (old = codec_match(prev, &src->codecs[i])))
			pt = old->pt;
		else if (prev != NULL &&
		    pt_used(prev->codecs, prev->ncodecs, pt))
			continue;	/* its number means another codec */
		if (pt_used(dst, n, pt))
			continue;
		dst[n] = src->codecs[i];
		dst[n].pt = pt;
		dst[n].nrtcp_fb = 0;
		n++;
	}
	return n;
}

static void
set_rejected(struct out_stream *o, const struct sdp_stream *st)
{
	memset(o, 0, sizeof(*o));
	o->media = st->media;
	o->proto = st->proto;
	o->fmt0 = st->fmt0[0] != '\0' ? st->fmt0 : "0";
	o->mid = st->mid;
}

/* RFC 4145/5763: the answerer's role from the offerer's. */
static int
answer_setup(int local, int offered)
{
	if (local == SDP_SETUP_ACTIVE || local == SDP_SETUP_PASSIVE)
		return local;
	return offered == SDP_SETUP_PASSIVE ? SDP_SETUP_ACTIVE :
	    SDP_SETUP_PASSIVE;
}

/* Swap the send and receive bits: what an answer may do. */
static int
reverse_dir(int dir)
{
	return ((dir & SDP_DIR_SENDONLY) ? SDP_DIR_RECVONLY : 0) |
	    ((dir & SDP_DIR_RECVONLY) ? SDP_DIR_SENDONLY : 0);
}

static void
accept_answer(struct out_stream *o, const struct sdp_stream *off,
    const struct sdp_stream *peer, const struct sdp_local *l, int i)
{
	o->ncodecs = intersect(o->codecs, off, peer,
	    l->profile == SDP_PROFILE_WEBRTC);
	if (o->ncodecs == 0)
		return;
	o->accepted = 1;
	o->port = l->port[i];
	o->rtcp_port = l->rtcp_port[i];
	o->direction = peer->direction & reverse_dir(off->direction);
	o->ptime = peer->ptime;
	o->setup = answer_setup(l->setup, off->setup);
	if (off->profile != l->profile)
		o->proto = profile_proto(l->profile);
}

static void
plan_bundle(struct plan *pl, const struct sdp_desc *offer)
{
	int	i, j;

	for (i = 0; offer != NULL && i < offer->nbundle; i++)
		for (j = 0; j < pl->n && pl->nbundle < SDP_MAX_STREAMS; j++)
			if (pl->s[j].accepted && pl->s[j].mid[0] != '\0' &&
			    strcmp(pl->s[j].mid, offer->bundle_mids[i]) == 0)
				pl->bundle[pl->nbundle++] = pl->s[j].mid;
	for (j = 0; offer == NULL && j < pl->n; j++)
		if (pl->s[j].accepted && pl->s[j].mid[0] != '\0')
			pl->bundle[pl->nbundle++] = pl->s[j].mid;
}

static int
plan_answer(struct plan *pl, const struct sdp_desc *other,
    const struct sdp_desc *offer, const struct sdp_local *l)
{
	const struct sdp_stream	*off, *peer;
	int			 i, k = 0;

	for (i = 0; i < offer->nstreams; i++) {
		off = &offer->streams[i];
		set_rejected(&pl->s[i], off);
		if (!carried(off))
			continue;
		peer = nth_audio(other, k++);
		if (peer != NULL && peer->port != 0 && l->port[i] > 0)
			accept_answer(&pl->s[i], off, peer, l, i);
	}
	pl->n = offer->nstreams;
	if (l->profile == SDP_PROFILE_WEBRTC && offer->nbundle > 0)
		plan_bundle(pl, offer);
	return 0;
}

/* A mid for a new m= line, unused in the plan. */
static void
new_mid(struct plan *pl, struct out_stream *o)
{
	int	n, i, clash;

	for (n = 0;; n++) {
		snprintf(o->midbuf, sizeof(o->midbuf), "%d", n);
		for (i = clash = 0; i < pl->n; i++)
			clash |= strcmp(pl->s[i].mid, o->midbuf) == 0;
		if (!clash)
			break;
	}
	o->mid = o->midbuf;
}

static void
offer_stream(struct out_stream *o, const struct sdp_stream *src,
    const struct sdp_stream *prev, const struct sdp_local *l, int i)
{
	o->media = "audio";
	o->proto = profile_proto(l->profile);
	snprintf(o->fmtbuf, sizeof(o->fmtbuf), "%d", src->codecs[0].pt);
	o->fmt0 = o->fmtbuf;
	if (l->port[i] <= 0)
		return;		/* the caller refuses it: dropped */
	o->ncodecs = offer_codecs(o->codecs, src, prev);
	o->accepted = o->ncodecs > 0;
	o->port = l->port[i];
	o->rtcp_port = l->rtcp_port[i];
	o->direction = src->direction;
	o->ptime = src->ptime;
	o->setup = SDP_SETUP_ACTPASS;
}

/*
 * Offer: prev's m= lines first (audio ones take the carried streams in
 * order, the rest stay rejected), then one new line per carried stream
 * left.  So the n-th carried stream is always the n-th audio line.
 */
static int
plan_offer(struct plan *pl, const struct sdp_desc *other,
    const struct sdp_desc *prev, const struct sdp_local *l)
{
	const struct sdp_stream	*src[SDP_MAX_STREAMS], *ps;
	int			 i, nc = 0, k = 0;

	for (i = 0; i < other->nstreams; i++)
		if (carried(&other->streams[i]))
			src[nc++] = &other->streams[i];
	for (i = 0; prev != NULL && i < prev->nstreams; i++) {
		ps = &prev->streams[i];
		set_rejected(&pl->s[i], ps);
		pl->n++;
		if (strcasecmp(ps->media, "audio") == 0 && k < nc)
			offer_stream(&pl->s[i], src[k++], ps, l, i);
	}
	for (; k < nc && pl->n < SDP_MAX_STREAMS; k++, pl->n++) {
		memset(&pl->s[pl->n], 0, sizeof(pl->s[pl->n]));
		pl->s[pl->n].fmt0 = "0";
		new_mid(pl, &pl->s[pl->n]);
		offer_stream(&pl->s[pl->n], src[k], NULL, l, pl->n);
	}
	if (l->profile == SDP_PROFILE_WEBRTC)
		plan_bundle(pl, NULL);
	return pl->n > 0 ? 0 : -1;
}

/* ------------------------------------------------------------ rendering */

struct attrs {
	su_home_t		*home;
	sdp_attribute_t		**tail;
	int			 err;
};

struct emit {
	struct attrs		*a;
	const struct out_stream	*o;
	const struct sdp_local	*l;
	int			 index;
};

static void
add_attr(struct attrs *a, const char *name, char *value)
{
	sdp_attribute_t	*at;

	if (a->err || (at = su_zalloc(a->home, sizeof(*at))) == NULL) {
		a->err = 1;
		return;
	}
	at->a_size = sizeof(*at);
	at->a_name = name;
	at->a_value = value;
	*a->tail = at;
	a->tail = &at->a_next;
}

static void	addf(struct attrs *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
addf(struct attrs *a, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*v;

	va_start(ap, fmt);
	v = su_vsprintf(a->home, fmt, ap);
	va_end(ap);
	if (v == NULL)
		a->err = 1;
	add_attr(a, name, v);
}

static void
emit_codecs(const struct emit *e)
{
	const struct sdp_codec	*c;
	int			 i, j;

	for (i = 0; i < e->o->ncodecs; i++) {
		c = &e->o->codecs[i];
		if (c->channels > 1)
			addf(e->a, "rtpmap", "%d %s/%d/%d", c->pt, c->name,
			    c->rate, c->channels);
		else
			addf(e->a, "rtpmap", "%d %s/%d", c->pt, c->name,
			    c->rate);
		if (c->fmtp[0] != '\0')
			addf(e->a, "fmtp", "%d %s", c->pt, c->fmtp);
		for (j = 0; e->l->profile == SDP_PROFILE_WEBRTC &&
		    j < c->nrtcp_fb; j++)
			addf(e->a, "rtcp-fb", "%d %s", c->pt, c->rtcp_fb[j]);
	}
	if (e->o->ptime > 0)
		addf(e->a, "ptime", "%d", e->o->ptime);
}

static void
emit_dir(const struct emit *e)
{
	size_t	i;

	for (i = 0; i < NELEM(dirs); i++)
		if (dirs[i].dir == e->o->direction)
			add_attr(e->a, dirs[i].name, NULL);
}

static void
emit_rtcp(const struct emit *e)
{
	if (e->o->rtcp_port > 0)
		addf(e->a, "rtcp", "%d", e->o->rtcp_port);
}

static void
emit_crypto(const struct emit *e)
{
	const struct sdp_crypto	*c;
	int			 i;

	for (i = 0; i < e->l->ncrypto; i++) {
		c = &e->l->crypto[i];
		addf(e->a, "crypto", "%d %s %s%s%s", c->tag, c->suite,
		    c->key_params, c->session_params[0] ? " " : "",
		    c->session_params);
	}
}

static void
emit_ice(const struct emit *e)
{
	if (e->o->mid[0] != '\0')
		addf(e->a, "mid", "%s", e->o->mid);
	addf(e->a, "ice-ufrag", "%s", e->l->ice_ufrag);
	addf(e->a, "ice-pwd", "%s", e->l->ice_pwd);
	addf(e->a, "fingerprint", "%s", e->l->fingerprint);
	addf(e->a, "setup", "%s", setups[e->o->setup]);
}

static void
emit_mux(const struct emit *e)
{
	/* our own stream and track ids: some apps need event.streams[0] */
	addf(e->a, "msid", "sbc %s-%d", e->o->media, e->index);
	add_attr(e->a, "rtcp-mux", NULL);
}

static void
emit_candidate(const struct emit *e)
{
	addf(e->a, "candidate", "1 1 udp 2130706431 %s %d typ host",
	    e->l->address, e->o->port);
	add_attr(e->a, "end-of-candidates", NULL);
}

typedef void	(*emit_fn)(const struct emit *);

static const emit_fn webrtc_emit[] = {
	emit_ice, emit_dir, emit_mux, emit_codecs, emit_candidate, NULL,
};
static const emit_fn rtp_emit[] = {	/* a=crypto: sdes-optional */
	emit_codecs, emit_rtcp, emit_crypto, emit_dir, NULL,
};
static const emit_fn sdes_emit[] = {
	emit_codecs, emit_rtcp, emit_crypto, emit_dir, NULL,
};

static const emit_fn *const profile_emit[] = {
	[SDP_PROFILE_RTP] = rtp_emit,
	[SDP_PROFILE_SDES] = sdes_emit,
	[SDP_PROFILE_WEBRTC] = webrtc_emit,
};

static sdp_list_t *
format_list(su_home_t *home, const struct out_stream *o)
{
	sdp_list_t	*head = NULL, **tail = &head, *l;
	int		 i, n = o->accepted ? o->ncodecs : 1;

	for (i = 0; i < n; i++) {
		if ((l = su_zalloc(home, sizeof(*l))) == NULL)
			return NULL;
		l->l_size = sizeof(*l);
		l->l_text = o->accepted ? su_sprintf(home, "%d",
		    o->codecs[i].pt) : o->fmt0;
		if (l->l_text == NULL)
			return NULL;
		*tail = l;
		tail = &l->l_next;
	}
	return head;
}

static sdp_media_t *
render_media(su_home_t *home, const struct out_stream *o,
    const struct sdp_local *l, int index)
{
	sdp_media_t	*m;
	struct attrs	 a;
	struct emit	 e = { &a, o, l, index };
	const emit_fn	*fn;

	if ((m = su_zalloc(home, sizeof(*m))) == NULL)
		return NULL;
	m->m_size = sizeof(*m);
	m->m_type = sdp_media_x;
	m->m_type_name = o->media;
	m->m_proto = sdp_proto_x;
	m->m_proto_name = o->proto;
	m->m_port = o->accepted ? (unsigned long)o->port : 0;
	if ((m->m_format = format_list(home, o)) == NULL)
		return NULL;
	a.home = home;
	a.tail = &m->m_attributes;
	a.err = 0;
	if (!o->accepted && l->profile == SDP_PROFILE_WEBRTC &&
	    o->mid[0] != '\0')
		addf(&a, "mid", "%s", o->mid);
	for (fn = profile_emit[l->profile]; o->accepted && *fn != NULL; fn++)
		(*fn)(&e);
	return a.err ? NULL : m;
}

static sdp_connection_t *
connection(su_home_t *home, const char *address)
{
	sdp_connection_t	*c;

	if ((c = su_zalloc(home, sizeof(*c))) == NULL)
		return NULL;
	c->c_size = sizeof(*c);
	c->c_nettype = sdp_net_in;
	c->c_addrtype = strchr(address, ':') ? sdp_addr_ip6 : sdp_addr_ip4;
	c->c_address = address;
	return c;
}

static int
render_session_attrs(su_home_t *home, sdp_session_t *s,
    const struct plan *pl, const struct sdp_local *l)
{
	struct attrs	 a = { home, &s->sdp_attributes, 0 };
	char		*mids;
	int		 i;

	if (l->profile != SDP_PROFILE_WEBRTC)
		return 0;
	add_attr(&a, "ice-lite", NULL);
	mids = su_strdup(home, "BUNDLE");
	for (i = 0; mids != NULL && i < pl->nbundle; i++)
		mids = su_sprintf(home, "%s %s", mids, pl->bundle[i]);
	if (mids == NULL)
		return -1;
	if (pl->nbundle > 0)
		add_attr(&a, "group", mids);
	return a.err ? -1 : 0;
}

static char *
render(su_home_t *home, su_home_t *tmp, const struct plan *pl,
    const struct sdp_local *l)
{
	sdp_session_t	*s;
	sdp_origin_t	*o;
	sdp_time_t	*t;
	sdp_media_t	**tail;
	sdp_printer_t	*pr;
	char		*out = NULL;
	int		 i;

	s = su_zalloc(tmp, sizeof(*s));
	o = su_zalloc(tmp, sizeof(*o));
	t = su_zalloc(tmp, sizeof(*t));
	if (s == NULL || o == NULL || t == NULL)
		return NULL;
	s->sdp_size = sizeof(*s);
	o->o_size = sizeof(*o);
	t->t_size = sizeof(*t);
	o->o_username = "sbc";
	o->o_id = l->sess_id;
	o->o_version = l->sess_ver;
	o->o_address = connection(tmp, l->address);
	s->sdp_origin = o;
	s->sdp_subject = "-";
	s->sdp_connection = connection(tmp, l->address);
	s->sdp_time = t;
	if (o->o_address == NULL || s->sdp_connection == NULL ||
	    render_session_attrs(tmp, s, pl, l) != 0)
		return NULL;
	for (i = 0, tail = &s->sdp_media; i < pl->n; i++) {
		if ((*tail = render_media(tmp, &pl->s[i], l, i)) == NULL)
			return NULL;
		(*tail)->m_session = s;
		tail = &(*tail)->m_next;
	}
	pr = sdp_print(tmp, s, NULL, 0, sdp_f_mode_manual);
	if (pr != NULL && sdp_message(pr) != NULL)
		out = su_strdup(home, sdp_message(pr));
	sdp_printer_free(pr);
	return out;
}

/* ------------------------------------------------------------ entry */

/* A caller string we print: present, one line, and short. */
static int
sane(const char *s, size_t max, int spaces)
{
	return s != NULL && *s != '\0' && strlen(s) <= max &&
	    strpbrk(s, spaces ? "\r\n" : " \t\r\n") == NULL;
}

static int
local_ok(const struct sdp_local *l)
{
	int	i;

	if (l == NULL || l->profile < SDP_PROFILE_RTP ||
	    l->profile > SDP_PROFILE_WEBRTC || !sane(l->address, 63, 0) ||
	    l->setup < SDP_SETUP_NONE || l->setup > SDP_SETUP_HOLDCONN)
		return 0;
	for (i = 0; i < SDP_MAX_STREAMS; i++)
		if (l->port[i] < 0 || l->port[i] > 65535 ||
		    l->rtcp_port[i] < 0 || l->rtcp_port[i] > 65535)
			return 0;
	if (l->profile == SDP_PROFILE_WEBRTC)
		return sane(l->ice_ufrag, 256, 0) && sane(l->ice_pwd, 256, 0) &&
		    sane(l->fingerprint, 256, 1);
	if (l->ncrypto < 0 || l->ncrypto > SDP_MAX_CRYPTO ||
	    (l->ncrypto > 0 && l->crypto == NULL))
		return 0;
	for (i = 0; i < l->ncrypto; i++)
		if (!sane(l->crypto[i].suite, 64, 0) ||
		    !sane(l->crypto[i].key_params, 256, 0) ||
		    strpbrk(l->crypto[i].session_params, "\r\n") != NULL)
			return 0;
	return 1;
}

char *
sdp_conv_build(su_home_t *home, const struct sdp_desc *other,
    const struct sdp_desc *this_leg, const struct sdp_local *local,
    int is_offer)
{
	su_home_t	*tmp;
	struct plan	*pl;
	char		*out = NULL;
	int		 rc;

	if (home == NULL || other == NULL || !local_ok(local) ||
	    (!is_offer && this_leg == NULL))
		return NULL;
	if ((tmp = su_home_new(sizeof(*tmp))) == NULL)
		return NULL;
	if ((pl = su_zalloc(tmp, sizeof(*pl))) != NULL) {
		rc = is_offer ? plan_offer(pl, other, this_leg, local) :
		    plan_answer(pl, other, this_leg, local);
		if (rc == 0)
			out = render(home, tmp, pl, local);
	}
	su_home_unref(tmp);
	return out;
}
