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

/* The browser offered: start the session, write the PBX offer. */
char *
media_browser_offer(struct call *c, const char *sdp, size_t len)
{
	struct sdp_local	 l;
	struct call_media	*m;
	char			*out;

	if ((m = su_zalloc(c->home, sizeof(*m))) == NULL)
		return NULL;
	c->m = m;
	if (sdp_conv_parse(sdp, len, &m->b_offer) == -1 ||
	    m->b_offer.nstreams == 0 ||
	    m->b_offer.streams[0].profile != SDP_PROFILE_WEBRTC ||
	    m->b_offer.streams[0].fingerprint[0] == '\0')
		return NULL;
	trunk_codecs(c, &m->b_offer);
	if (media_setup(c, &m->b_offer) == -1)
		return NULL;
	local_pbx(c, &l);
	if (b2b_sdes_offer(c, &l) == -1 ||
	    (out = sdp_conv_build(c->home, &m->b_offer, NULL, &l, 1)) == NULL)
		return NULL;
	if (post(c, MEDIA_REQ_CREATE) == -1)
		return NULL;
	m->created = 1;
	return out;
}


/* The PBX answered (18x or 2xx with SDP): point the worker at it and
 * write the browser's answer. */
char *
media_pbx_answer(struct call *c, const char *sdp, size_t len)
{
	struct call_media	*m = c->m;
	struct sdp_desc		*ans;
	struct sdp_local	 l;
	char			*out = NULL;

	if (m == NULL || (ans = su_zalloc(c->home, sizeof(*ans))) == NULL)
		return NULL;
	if (sdp_conv_parse(sdp, len, ans) == 0 && ans->nstreams > 0 &&
	    b2b_sdes_answer_in(c, &ans->streams[0]) == 0) {
		pbx_remote(c, &ans->streams[0]);
		local_browser(c, &l);
		out = sdp_conv_build(c->home, ans, &m->b_offer, &l, 0);
	}
	su_free(c->home, ans);		/* only the text is kept */
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
ice_restart(struct call *c, const char *old_ufrag)
{
	struct media_params	*p = &c->m->params;

	if (strcmp(old_ufrag, c->m->b_offer.streams[0].ice_ufrag) == 0)
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
	struct call_media	*m = c->m;
	struct sdp_local	 l;
	char			 ufrag[sizeof(m->b_offer.streams[0].ice_ufrag)];

	if (m == NULL)
		return NULL;
	snprintf(ufrag, sizeof(ufrag), "%s", m->b_offer.streams[0].ice_ufrag);
	if (sdp_conv_parse(sdp, len, &m->b_offer) == -1 ||
	    m->b_offer.nstreams == 0 || ice_restart(c, ufrag) == -1)
		return NULL;
	trunk_codecs(c, &m->b_offer);
	local_pbx(c, &l);
	if (b2b_sdes_offer(c, &l) == -1)
		return NULL;
	return sdp_conv_build(c->home, &m->b_offer, NULL, &l, 1);
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
	int			 first = m == NULL;

	if ((m = media_new(c)) == NULL || (m->p_offer == NULL &&
	    (m->p_offer = su_zalloc(c->home, sizeof(*m->p_offer))) == NULL) ||
	    sdp_conv_parse(sdp, len, m->p_offer) == -1 ||
	    m->p_offer->nstreams == 0 ||
	    b2b_sdes_offer_in(c, &m->p_offer->streams[0]) == -1)
		return NULL;
	trunk_codecs(c, m->p_offer);
	if (first && (media_setup(c, NULL) == -1 ||
	    post(c, MEDIA_REQ_CREATE) == -1))
		return NULL;
	m->created = 1;
	pbx_remote(c, &m->p_offer->streams[0]);
	local_browser(c, &l);
	if (first)
		l.setup = SDP_SETUP_ACTPASS;
	return sdp_conv_build(c->home, m->p_offer, first ? NULL : &m->b_offer,
	    &l, 1);
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

	if (m == NULL || m->p_offer == NULL ||
	    sdp_conv_parse(sdp, len, &m->b_offer) == -1 ||
	    m->b_offer.nstreams == 0)
		return NULL;
	browser_dtls(c, &m->b_offer);
	local_pbx(c, &l);
	if (b2b_sdes_answer_out(c, &l) == -1)
		return NULL;
	return sdp_conv_build(c->home, &m->b_offer, m->p_offer, &l, 0);
}
