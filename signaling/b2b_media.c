/*
 * b2b_media.c: the B2BUA's side of the media plane.  For each call it
 * picks the worker (call id modulo workers), ports from the signaling
 * thread's port pool, our ICE credentials and DTLS role, writes the SDP of
 * each leg with sdp_conv (webrtc toward the browser, rtp or SDES toward
 * the PBX: b2b_sdes.c),
 * and posts create/update/delete requests to the worker.  Worker events
 * (failure, media timeout) end the call.
 *
 * Owns: the per-call media state in struct call, the port pool entries.
 * Thread: "signaling".
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "media/dtls.h"
#include "media/media.h"
#include "media/sdp_conv.h"
#include "media/sdp_prefer.h"
#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_media.h"

static const char ice_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
ice_token(char *out, size_t len)
{
	unsigned char	rnd[64];
	size_t		i;

	if (len > sizeof(rnd) || RAND_bytes(rnd, (int)len) != 1)
		return -1;
	for (i = 0; i + 1 < len; i++)
		out[i] = ice_chars[rnd[i] & 63];
	out[len - 1] = '\0';
	return 0;
}

static const char *
addr_or_adv(const char *addr, const char *adv)
{
	return *adv != '\0' ? adv : addr;
}

static int
post(struct call *c, unsigned type)
{
	struct media_req	*r;
	const struct sbc_ctx	*ctx = c->b->svc->ctx;

	if ((r = media_req_new(type, c->id, c->b->svc)) == NULL)
		return -1;
	r->p = c->m->params;
	if (sbc_service_post(ctx->media[c->m->worker], &r->hdr) == -1) {
		free(r);
		return -1;
	}
	return 0;
}

/* Worker, ports, ICE credentials; offer: the browser's, when it called
 * (its fingerprint), NULL when the PBX called (learnt from the answer). */
static int
media_setup(struct call *c, const struct sdp_desc *offer)
{
	const struct sbc_media	*mc = &c->cfg->media;
	struct call_media	*m = c->m;
	struct media_params	*p = &m->params;

	m->worker = (int)(c->id % (uint64_t)c->b->svc->ctx->nmedia);
	m->shared = mc->browser_port != 0;
	m->b_port = m->shared ? mc->browser_port + m->worker :
	    port_pool_get(&c->b->ports);
	m->p_port = port_pool_get(&c->b->ports);
	if (m->b_port == -1 || m->p_port == -1)
		return -1;
	snprintf(p->b_addr, sizeof(p->b_addr), "%s", mc->outside_address);
	snprintf(p->p_addr, sizeof(p->p_addr), "%s", mc->inside_address);
	p->b_port = m->b_port;
	p->p_port = m->p_port;
	p->timeout = mc->timeout;
	p->dtls_server = 1;	/* we answer a=setup:passive */
	if (offer != NULL)
		snprintf(p->remote_fingerprint, sizeof(p->remote_fingerprint),
		    "%s", offer->streams[0].fingerprint);
	if (ice_token(p->ice_ufrag, 9) == -1 || ice_token(p->ice_pwd, 25) == -1)
		return -1;
	return 0;
}

static int
remote_addr(const struct sdp_stream *st, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, st->conn_addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)st->port);
		return 0;
	}
	if (inet_pton(AF_INET6, st->conn_addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)st->port);
		return 0;
	}
	return -1;
}

/* Our side of the PBX leg (rtp profile; the SDES code may change it),
 * with a new o= version. */
static void
local_pbx(struct call *c, struct sdp_local *l)
{
	struct call_media	*m = c->m;

	memset(l, 0, sizeof(*l));
	l->profile = SDP_PROFILE_RTP;
	l->address = addr_or_adv(c->cfg->media.inside_address,
	    c->cfg->media.inside_advertised);
	l->port[0] = m->p_port;
	l->rtcp_port[0] = m->p_port + 1;
	l->sess_id = c->id;
	l->sess_ver = ++m->p_ver;
}

/* Our side of the browser leg (webrtc profile), with a new o= version. */
static void
local_browser(struct call *c, struct sdp_local *l)
{
	struct call_media	*m = c->m;
	int			 i;

	memset(l, 0, sizeof(*l));
	l->profile = SDP_PROFILE_WEBRTC;
	l->address = addr_or_adv(c->cfg->media.outside_address,
	    c->cfg->media.outside_advertised);
	for (i = 0; i < SDP_MAX_STREAMS; i++)
		l->port[i] = m->b_port;		/* bundled */
	l->ice_ufrag = m->params.ice_ufrag;
	l->ice_pwd = m->params.ice_pwd;
	l->fingerprint = c->b->svc->ctx->dtls->fingerprint;
	l->setup = SDP_SETUP_PASSIVE;	/* we are the DTLS server */
	l->sess_id = c->id;
	l->sess_ver = ++m->b_ver;
}

/* The PBX's SDP names where its media is: tell the worker. */
static void
pbx_remote(struct call *c, const struct sdp_stream *st)
{
	struct call_media	*m = c->m;

	if (st->port <= 0 || remote_addr(st, &m->params.p_remote) == -1)
		return;
	m->params.p_remote_set = 1;
	m->params.p_rtcp_mux = st->rtcp_mux;
	post(c, MEDIA_REQ_UPDATE);
}

/* The call's trunk's codec preference (trunks[].codecs) on an offer. */
static void
trunk_codecs(const struct call *c, struct sdp_desc *d)
{
	if (c->trunk != NULL)
		sdp_conv_prefer(d, c->trunk->codecs.v, c->trunk->codecs.n);
}

/* A parsed copy of an SDP with at least one stream, on the heap (free()
 * it); on an offer, the trunk's codec preference. */
static struct sdp_desc *
desc_of(const struct call *c, const char *sdp, size_t len, int offer)
{
	struct sdp_desc	*d;

	if (sdp == NULL || (d = malloc(sizeof(*d))) == NULL)
		return NULL;
	if (sdp_conv_parse(sdp, len, d) == -1 || d->nstreams == 0) {
		free(d);
		return NULL;
	}
	if (offer)
		trunk_codecs(c, d);
	return d;
}

/* Keep sdp as the call's text in *dst (the old one freed). */
static int
keep_sdp(struct call *c, char **dst, size_t *dlen, const char *sdp,
    size_t len)
{
	char	*t;

	if ((t = su_alloc(c->home, len + 1)) == NULL)
		return -1;
	memcpy(t, sdp, len);
	t[len] = '\0';
	su_free(c->home, *dst);
	*dst = t;
	*dlen = len;
	return 0;
}

/* The browser's SDP (offer, or answer to the PBX's) becomes the kept one. */
static int
keep_browser(struct call *c, const struct sdp_desc *d, const char *sdp,
    size_t len, int offer)
{
	struct call_media	*m = c->m;

	if (keep_sdp(c, &m->b_sdp, &m->b_sdp_len, sdp, len) == -1)
		return -1;
	m->b_sdp_offer = offer;
	snprintf(m->b_ufrag, sizeof(m->b_ufrag), "%s",
	    d->streams[0].ice_ufrag);
	return 0;
}

/* The browser offered: start the session, write the PBX offer. */
char *
media_browser_offer(struct call *c, const char *sdp, size_t len)
{
	struct sdp_local	 l;
	struct sdp_desc		*d;
	char			*out = NULL;

	if ((c->m = su_zalloc(c->home, sizeof(*c->m))) == NULL ||
	    (d = desc_of(c, sdp, len, 1)) == NULL)
		return NULL;
	if (d->streams[0].profile != SDP_PROFILE_WEBRTC ||
	    d->streams[0].fingerprint[0] == '\0' ||
	    keep_browser(c, d, sdp, len, 1) == -1 || media_setup(c, d) == -1)
		goto done;
	local_pbx(c, &l);
	if (b2b_sdes_offer(c, &l) == -1 ||
	    (out = sdp_conv_build(c->home, d, NULL, &l, 1)) == NULL)
		goto done;
	if (post(c, MEDIA_REQ_CREATE) == -1)
		out = NULL;
	else
		c->m->created = 1;
done:
	free(d);
	return out;
}


/* The PBX answered (18x or 2xx with SDP): point the worker at it and
 * write the browser's answer. */
char *
media_pbx_answer(struct call *c, const char *sdp, size_t len)
{
	struct call_media	*m = c->m;
	struct sdp_desc		*ans = NULL, *offer = NULL;
	struct sdp_local	 l;
	char			*out = NULL;

	if (m == NULL || (ans = desc_of(c, sdp, len, 0)) == NULL ||
	    (offer = desc_of(c, m->b_sdp, m->b_sdp_len, m->b_sdp_offer)) ==
	    NULL)
		goto done;
	if (b2b_sdes_answer_in(c, &ans->streams[0]) == 0) {
		pbx_remote(c, &ans->streams[0]);
		local_browser(c, &l);
		out = sdp_conv_build(c->home, ans, offer, &l, 0);
	}
done:
	free(ans);
	free(offer);
	return out;
}

void
media_end(struct call *c)
{
	struct call_media	*m = c->m;

	if (m == NULL)
		return;
	if (m->created)
		post(c, MEDIA_REQ_DELETE);
	b2b_sdes_wipe(c);
	if (m->b_port > 0 && !m->shared)
		port_pool_put(&c->b->ports, m->b_port);
	if (m->p_port > 0)
		port_pool_put(&c->b->ports, m->p_port);
	m->created = 0;
	m->b_port = m->p_port = 0;
}

/* A worker event: the session failed or timed out; end its call. */
void
b2b_media_event(struct b2b *b, const struct media_rsp *ev)
{
	struct call	*c = idmap_get(&b->calls, ev->cookie);

	if (c == NULL)
		return;
	log_notice(b2b_log(b), "call %llu: media %s: %s",
	    (unsigned long long)c->id,
	    ev->hdr.type == MEDIA_EV_TIMEOUT ? "timeout" : "failure", ev->why);
	call_end(c, ev->hdr.type == MEDIA_EV_TIMEOUT ? 408 : 488,
	    ev->hdr.type == MEDIA_EV_TIMEOUT ? "media timeout" :
	    "media failure");
}

/*
 * An ICE restart (RFC 8445 §9): the browser's re-offer has new
 * credentials, so our answer gets new ones too and the worker checks
 * STUN against them from now on; DTLS and SRTP go on untouched.
 */
static int
ice_restart(struct call *c, const struct sdp_desc *offer)
{
	struct media_params	*p = &c->m->params;

	if (strcmp(c->m->b_ufrag, offer->streams[0].ice_ufrag) == 0)
		return 0;
	if (ice_token(p->ice_ufrag, 9) == -1 || ice_token(p->ice_pwd, 25) == -1)
		return -1;
	log_info(b2b_log(c->b), "call %llu: ICE restart", (unsigned long long)
	    c->id);
	return post(c, MEDIA_REQ_UPDATE);
}

/* The browser re-offers in the dialog: same session, new PBX offer. */
char *
media_browser_reoffer(struct call *c, const char *sdp, size_t len)
{
	struct sdp_local	 l;
	struct sdp_desc		*d;
	char			*out = NULL;

	if (c->m == NULL || (d = desc_of(c, sdp, len, 1)) == NULL)
		return NULL;
	if (ice_restart(c, d) == -1 || keep_browser(c, d, sdp, len, 1) == -1)
		goto done;
	local_pbx(c, &l);
	if (b2b_sdes_offer(c, &l) == 0)
		out = sdp_conv_build(c->home, d, NULL, &l, 1);
done:
	free(d);
	return out;
}

static struct call_media *
media_new(struct call *c)
{
	if (c->m == NULL)
		c->m = su_zalloc(c->home, sizeof(*c->m));
	return c->m;
}

/*
 * The PBX offers: its first INVITE toward a browser (the session starts
 * here, we offer a=setup:actpass) or a re-offer in the dialog (hold,
 * codec change; a=setup:passive keeps the DTLS association).
 */
char *
media_pbx_offer(struct call *c, const char *sdp, size_t len)
{
	struct call_media	*m = c->m;
	struct sdp_local	 l;
	struct sdp_desc		*d, *other = NULL;
	int			 first = m == NULL;
	char			*out = NULL;

	if ((m = media_new(c)) == NULL || (d = desc_of(c, sdp, len, 1)) == NULL)
		return NULL;
	if (b2b_sdes_offer_in(c, &d->streams[0]) == -1 ||
	    keep_sdp(c, &m->p_sdp, &m->p_sdp_len, sdp, len) == -1 ||
	    (!first && (other = desc_of(c, m->b_sdp, m->b_sdp_len,
	    m->b_sdp_offer)) == NULL))
		goto done;
	if (first && (media_setup(c, NULL) == -1 ||
	    post(c, MEDIA_REQ_CREATE) == -1))
		goto done;
	m->created = 1;
	pbx_remote(c, &d->streams[0]);
	local_browser(c, &l);
	if (first)
		l.setup = SDP_SETUP_ACTPASS;
	out = sdp_conv_build(c->home, d, other, &l, 1);
done:
	free(d);
	free(other);
	return out;
}

/* The browser's answer to our first offer: its fingerprint, our role. */
static void
browser_dtls(struct call *c, const struct sdp_desc *ans)
{
	struct media_params	*p = &c->m->params;

	if (p->remote_fingerprint[0] != '\0' || ans->nstreams == 0)
		return;
	snprintf(p->remote_fingerprint, sizeof(p->remote_fingerprint), "%s",
	    ans->streams[0].fingerprint);
	p->dtls_server = ans->streams[0].setup != SDP_SETUP_PASSIVE;
	post(c, MEDIA_REQ_UPDATE);
}

/* The browser answered the PBX's offer: the PBX's answer. */
char *
media_browser_answer(struct call *c, const char *sdp, size_t len)
{
	struct call_media	*m = c->m;
	struct sdp_local	 l;
	struct sdp_desc		*d = NULL, *offer = NULL;
	char			*out = NULL;

	if (m == NULL || (offer = desc_of(c, m->p_sdp, m->p_sdp_len, 1)) ==
	    NULL || (d = desc_of(c, sdp, len, 0)) == NULL ||
	    keep_browser(c, d, sdp, len, 0) == -1)
		goto done;
	browser_dtls(c, d);
	local_pbx(c, &l);
	if (b2b_sdes_answer_out(c, &l) == 0)
		out = sdp_conv_build(c->home, d, offer, &l, 0);
done:
	free(d);
	free(offer);
	return out;
}
