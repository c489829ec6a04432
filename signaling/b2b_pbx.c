/*
 * b2b_pbx.c: the PBX leg of the B2BUA on Sofia NTA: the outgoing INVITE
 * and its responses, ACK and BYE, requests relayed in the dialog both
 * ways, and the B2BUA object itself.
 *
 * Owns: the NTA legs and transactions of calls (through struct call).
 * Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/nta_tag.h>

#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_media.h"
#include "signaling/topo.h"
#include "signaling/trunk.h"

/* A host of the trunk (trunk.c picks which) as a SIP URI for user, with
 * its transport. */
static url_t *
trunk_uri(su_home_t *h, const struct sbc_trunk *t, const char *user,
    size_t i)
{
	char	host[256];
	int	port;

	if (i >= t->hosts.n ||
	    conf_split_hostport(t->hosts.v[i], host, sizeof(host), &port) == -1)
		return NULL;
	return url_hdup(h, URL_STRING_MAKE(su_sprintf(h,
	    "sip:%s@%s%s%s%s%s%s", user, strchr(host, ':') ? "[" : "", host,
	    strchr(host, ':') ? "]" : "", port ? su_sprintf(h, ":%d", port) :
	    "", t->transport == SBC_TP_UDP ? "" : ";transport=",
	    t->transport == SBC_TP_UDP ? "" :
	    sbc_transport_name(t->transport)))->us_url);
}

/* Our Contact toward PBXs: the listener of the trunk's transport. */
static char *
pbx_contact(su_home_t *h, const struct sbc_config *cfg,
    const struct sbc_trunk *t)
{
	const struct sbc_listener	*l;
	size_t				 i;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->transport != t->transport)
			continue;
		return su_sprintf(h, "<sip:sbc@%s%s%s:%d%s%s>",
		    strchr(l->address, ':') ? "[" : "",
		    *l->advertised ? l->advertised : l->address,
		    strchr(l->address, ':') ? "]" : "", l->port,
		    t->transport == SBC_TP_UDP ? "" : ";transport=",
		    t->transport == SBC_TP_UDP ? "" :
		    sbc_transport_name(t->transport));
	}
	return NULL;
}

static const char *
trunk_domain(su_home_t *h, const struct sbc_trunk *t)
{
	char	host[256];
	int	port;

	if (*t->domain != '\0')
		return t->domain;
	if (conf_split_hostport(t->hosts.v[0], host, sizeof(host), &port))
		return "invalid";
	return su_strdup(h, host);
}

/* A request message with our headers, the allow-listed ones and body
 * (sdp: the SDP we wrote for the PBX, or NULL). */
static msg_t *
pbx_msg(struct call *c, const sip_t *src, const char *sdp)
{
	msg_t			*m;
	sip_t			*sip;
	char			*contact;

	if ((m = nta_msg_create(c->b->agent, 0)) == NULL)
		return NULL;
	sip = sip_object(m);
	contact = pbx_contact(msg_home(m), c->cfg, c->trunk);
	if (sip_add_tl(m, sip,
	    SIPTAG_USER_AGENT_STR(c->cfg->signaling.user_agent),
	    TAG_IF(contact, SIPTAG_CONTACT_STR(contact)),
	    SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"),
	    TAG_END()) < 0 ||
	    (src != NULL && (topo_copy_headers(m, sip, src, TOPO_TO_PBX,
	    &c->cfg->signaling.pass_headers) == -1 ||
	    topo_copy_body(m, sip, src) == -1)) ||
	    (sdp != NULL && topo_add_sdp(m, sip, sdp) == -1)) {
		msg_destroy(m);
		return NULL;
	}
	return m;
}

static void
ring_timeout(struct call *c)
{
	call_end(c, 408, "no answer within 3 minutes");
}

/* The PBX's INVITE rings for at most 3 minutes (b2b_fork.c restarts it). */
void
pbx_ring_timer(struct call *c)
{
	call_timer(c, 180000, ring_timeout);
}

static void
ack_timeout(struct call *c)
{
	call_end(c, 0, "no ACK from the browser");
}

static void
deferred_end(struct call *c)
{
	call_end(c, 0, "PBX hung up");
}

static void
invite_answered(struct call *c, const sip_t *sip)
{
	if (c->state >= CALL_ANSWERED) {	/* a retransmitted 2xx */
		if (c->p_acked)
			pbx_ack(c, c->p_invite_cseq);
		return;
	}
	nta_leg_rtag(c->p_leg, sip->sip_to->a_tag);
	nta_leg_client_route(c->p_leg, sip->sip_record_route,
	    sip->sip_contact);
	c->p_invite_cseq = sip->sip_cseq->cs_seq;
	b2b_st_answered(c, sip);
	if (browser_relay_response(c, sip_object(c->b_invite), sip,
	    NULL) == -1) {
		c->state = CALL_ANSWERED;	/* ACK + BYE toward the PBX */
		call_end(c, 488, "answer not acceptable");
		return;
	}
	msg_destroy(c->b_invite);
	c->b_invite = NULL;
	c->state = CALL_ANSWERED;
	call_timer(c, 32000, ack_timeout);
}

/*
 * A failure toward the browser.  503 means "try another server" to a SIP
 * client: the trunk's trouble is not the browser's, so it becomes 480.
 */
static void
relay_failure(struct call *c, const sip_t *sip)
{
	const sip_t	*breq = sip_object(c->b_invite);
	int		 st = sip->sip_status->st_status;

	if (st == 503)
		browser_reply(c->b, c->flow, breq, 480, NULL, c->b_tag);
	else
		browser_relay_response(c, breq, sip, NULL);
}

/* A final failure of the PBX INVITE: retry on another host or end. */
static void
invite_failed(struct call *c, const sip_t *sip)
{
	int	rc;

	if ((rc = trunk_call_failed(c, sip)) == 0)	/* trunk.c: 503/408: */
		return;				/* retried on the next host */
	if (c->b_invite != NULL && rc == -1)	/* 1: trunk.c answered 503 */
		relay_failure(c, sip);
	c->b_done = c->p_done = 1;
	nta_outgoing_destroy(c->p_invite);
	c->p_invite = NULL;
	call_end(c, 0, sip->sip_status->st_phrase);
}

/* NTA failed the INVITE inside nta_outgoing_mcreate(): handled from here. */
static void
invite_failed_later(struct call *c)
{
	msg_t	*m = nta_outgoing_getresponse(c->p_invite);

	if (m == NULL || sip_object(m)->sip_status == NULL) {
		c->b_done = c->p_done = 1;	/* nothing to relay: 500 */
		call_end(c, 500, "PBX request failed");
	} else
		invite_failed(c, sip_object(m));
	if (m != NULL)
		msg_destroy(m);
}

static int
invite_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call	*c = (struct call *)magic;
	int		 st = nta_outgoing_status(orq);

	if (c->p_invite == NULL) {	/* still inside nta_outgoing_mcreate() */
		c->p_invite = orq;	/* the call must outlive pbx_invite() */
		if (st >= 300)
			call_timer(c, 0, invite_failed_later);
		return 0;
	}
	if (sip == NULL || st == 100)
		return 0;
	if (st < 200) {
		if (c->b_invite != NULL &&
		    browser_relay_response(c, sip_object(c->b_invite), sip,
		    NULL) == 0)
			c->state = CALL_EARLY;
		return 0;
	}
	if (st < 300) {
		invite_answered(c, sip);
		return 0;
	}
	/* failure: NTA acks it; relay it (401/407 carry their challenge) */
	invite_failed(c, sip);
	return 0;
}

/* A body-less UPDATE from the PBX: a session refresh, answered here. */
static int
session_refresh(struct call *c, nta_incoming_t *irq)
{
	msg_t	*m = nta_msg_create(c->b->agent, 0);

	if (m == NULL || sip_add_tl(m, sip_object(m),
	    SIPTAG_SERVER_STR(c->cfg->signaling.user_agent), TAG_END()) < 0 ||
	    b2b_st_reply(c, m, sip_object(m)) == -1 ||
	    nta_msg_response_complete(m, irq, 200, "OK") == -1) {
		msg_destroy(m);
		return 500;
	}
	nta_incoming_mreply(irq, m);
	nta_incoming_destroy(irq);	/* answered: NTA finishes it */
	return 0;
}

int
pbx_leg_cb(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct call	*c = (struct call *)magic;
	struct pend	*p;
	sip_method_t	 m = sip->sip_request->rq_method;

	if (m == sip_method_bye) {
		c->p_done = 1;
		call_timer(c, 0, deferred_end);	/* not inside NTA's callback */
		return 200;
	}
	if (m == sip_method_ack) {
		if (c->b_reinvite_cseq != 0)
			browser_request(c, SIP_METHOD_ACK, NULL, NULL,
			    c->b_reinvite_cseq);
		c->b_reinvite_cseq = 0;
		return 0;
	}
	if (c->state != CALL_CONFIRMED)
		return m == sip_method_invite ? 491 : 481;
	if (m == sip_method_invite || m == sip_method_update)
		b2b_st_refreshed(c, sip);
	if (m == sip_method_update && sip->sip_payload == NULL)
		return session_refresh(c, irq);	/* not the browser's */
	if ((p = pend_new(c, 0)) == NULL)
		return 500;
	p->irq = irq;
	if (browser_request(c, m, sip->sip_request->rq_method_name, sip, p,
	    0) == -1) {
		p->irq = NULL;
		pend_free(p);
		return 500;
	}
	return 0;
}

int
pbx_invite(struct call *c, const sip_t *breq, const char *user,
    const char *sdp)
{
	su_home_t	*h = c->home;
	const char	*dom = trunk_domain(h, c->trunk);
	const char	*from_user = breq->sip_from->a_url->url_user;
	int		 host = trunk_call_host(c);	/* trunk.c: -1: none
							   left, 503 sent */
	url_t		*ruri = host < 0 ? NULL :
			    trunk_uri(h, c->trunk, user, (size_t)host);
	nta_outgoing_t	*orq;
	msg_t		*m;

	if (ruri == NULL)
		return -1;
	c->p_leg = nta_leg_tcreate(c->b->agent, pbx_leg_cb, (nta_leg_magic_t *)c,
	    SIPTAG_FROM(sip_from_format(h, "%s<sip:%s@%s>",
	    breq->sip_from->a_display ? breq->sip_from->a_display : "",
	    from_user ? from_user : "anonymous", dom)),
	    SIPTAG_TO(sip_to_format(h, "<sip:%s@%s>", user, dom)),
	    TAG_END());
	if (c->p_leg == NULL || nta_leg_tag(c->p_leg, NULL) == NULL)
		return -1;
	if ((m = pbx_msg(c, breq, sdp)) == NULL)
		return -1;
	if (b2b_st_offer(c, m, sip_object(m)) == -1 ||
	    nta_msg_request_complete(m, c->p_leg, SIP_METHOD_INVITE,
	    (url_string_t *)ruri) == -1) {
		msg_destroy(m);
		return -1;
	}
	call_timer(c, 180000, ring_timeout);	/* invite_cb may replace it */
	orq = nta_outgoing_mcreate(c->b->agent, invite_cb,
	    (nta_outgoing_magic_t *)c, trunk_proxy(h, c->trunk), m,
	    TAG_END());
	if (orq == NULL) {	/* NTA did not take the message */
		msg_destroy(m);
		return -1;
	}
	c->p_invite = orq;
	return 0;
}

int
pbx_ack(struct call *c, uint32_t cseq)
{
	nta_outgoing_t	*ack;

	ack = nta_outgoing_tcreate(c->p_leg, NULL, NULL, NULL,
	    SIP_METHOD_ACK, NULL,
	    SIPTAG_CSEQ(sip_cseq_create(c->home, cseq, SIP_METHOD_ACK)),
	    TAG_END());
	if (ack == NULL)
		return -1;
	nta_outgoing_destroy(ack);
	c->p_acked = 1;
	return 0;
}

int
pbx_bye(struct call *c)
{
	nta_outgoing_t	*bye;

	if (c->p_leg == NULL)
		return -1;
	if (!c->p_acked)
		pbx_ack(c, c->p_invite_cseq);
	bye = nta_outgoing_tcreate(c->p_leg, NULL, NULL, NULL, SIP_METHOD_BYE,
	    NULL, SIPTAG_USER_AGENT_STR(c->cfg->signaling.user_agent),
	    TAG_END());
	if (bye == NULL)
		return -1;
	nta_outgoing_destroy(bye);
	return 0;
}

static int
pend_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct pend	*p = (struct pend *)magic;
	struct call	*c = p->call;
	int		 st = nta_outgoing_status(orq);

	if (st == 100 || p->orq == NULL)	/* NULL: inside mcreate(), */
		return 0;			/* pbx_request() sees it */
	if (sip == NULL) {	/* NTA's own timeout: no message to relay */
		if (st >= 200) {
			browser_reply(c->b, c->flow, sip_object(p->b_req),
			    st, NULL, c->b_tag);
			pend_free(p);
		}
		return 0;
	}
	browser_relay_response(c, sip_object(p->b_req), sip, NULL);
	if (st < 200)
		return 0;
	if (p->method == sip_method_invite && st < 300)
		c->p_reinvite_cseq = nta_outgoing_cseq(orq);
	if ((p->method == sip_method_invite ||
	    p->method == sip_method_update) && st < 300)
		b2b_st_answered(c, sip);	/* a refresh too */
	pend_free(p);
	return 0;
}

int
pbx_request(struct call *c, const sip_t *breq, struct pend *p)
{
	const sip_request_t	*rq = breq->sip_request;
	const char		*body, *sdp = NULL;
	size_t			 len;
	msg_t			*m;

	if ((body = topo_sdp_of(breq, &len)) != NULL &&
	    (sdp = media_browser_reoffer(c, body, len)) == NULL)
		return -1;
	if ((m = pbx_msg(c, breq, sdp)) == NULL)
		return -1;
	if (nta_msg_request_complete(m, c->p_leg, rq->rq_method,
	    rq->rq_method_name, NULL) == -1) {
		msg_destroy(m);
		return -1;
	}
	p->method = rq->rq_method;
	p->orq = nta_outgoing_mcreate(c->b->agent, pend_cb,
	    (nta_outgoing_magic_t *)p, NULL, m, TAG_END());
	if (p->orq == NULL) {		/* NTA did not take the message */
		msg_destroy(m);
		return -1;
	}
	/* failed at once (no transport): the caller answers 500 */
	return nta_outgoing_status(p->orq) >= 200 ? -1 : 0;
}

/* The browser answered a request the PBX sent in the dialog. */
int
pbx_reply(struct pend *p, const sip_t *bresp)
{
	struct call		*c = p->call;
	int			 st = bresp->sip_status->st_status;
	const char		*body, *sdp = NULL;
	size_t			 len;
	msg_t			*m;
	sip_t			*sip;
	char			*contact;

	if (p->irq == NULL)
		return -1;
	if ((body = topo_sdp_of(bresp, &len)) != NULL &&
	    (sdp = media_browser_answer(c, body, len)) == NULL)
		return -1;
	if ((m = nta_msg_create(c->b->agent, 0)) == NULL)
		return -1;
	sip = sip_object(m);
	contact = st < 300 && p->method == sip_method_invite ?
	    pbx_contact(msg_home(m), c->cfg, c->trunk) : NULL;
	if (sip_add_tl(m, sip, SIPTAG_STATUS(sip_status_create(msg_home(m),
	    st, bresp->sip_status->st_phrase, NULL)),
	    TAG_IF(contact, SIPTAG_CONTACT_STR(contact)),
	    SIPTAG_SERVER_STR(c->cfg->signaling.user_agent), TAG_END()) < 0 ||
	    topo_copy_headers(m, sip, bresp, TOPO_TO_PBX,
	    &c->cfg->signaling.pass_headers) == -1 ||
	    topo_copy_body(m, sip, bresp) == -1 ||
	    (sdp != NULL && topo_add_sdp(m, sip, sdp) == -1) ||
	    (st < 300 && (p->method == sip_method_invite ||
	    p->method == sip_method_update) && b2b_st_reply(c, m, sip) == -1) ||
	    nta_msg_response_complete(m, p->irq, st,
	    bresp->sip_status->st_phrase) == -1) {
		msg_destroy(m);
		return -1;
	}
	return nta_incoming_mreply(p->irq, m);
}

static void
cancelled(struct call *c)
{
	call_end(c, 487, "cancelled by the PBX");
}

/* CANCEL from the PBX for its INVITE toward a browser (NTA has answered
 * the CANCEL); the call ends outside NTA's callback. */
static int
cancel_cb(nta_incoming_magic_t *magic, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct call	*c = (struct call *)magic;

	if (sip != NULL && sip->sip_request != NULL &&
	    sip->sip_request->rq_method == sip_method_cancel &&
	    c->state < CALL_ANSWERED)
		call_timer(c, 0, cancelled);
	return 0;
}

/* CANCEL of the PBX's INVITE goes to c (b2b_fork.c moves it). */
void
pbx_bind_cancel(struct call *c, nta_incoming_t *irq)
{
	nta_incoming_bind(irq, cancel_cb, (nta_incoming_magic_t *)c);
}

static int
call_in_leg(struct call *c, nta_incoming_t *irq, const sip_t *sip)
{
	c->p_leg = nta_leg_tcreate(c->b->agent, pbx_leg_cb, (nta_leg_magic_t *)c,
	    SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_to),
	    SIPTAG_TO(sip->sip_from), TAG_END());
	if (c->p_leg == NULL || nta_leg_tag(c->p_leg, NULL) == NULL)
		return -1;
	nta_incoming_tag(irq, nta_leg_get_tag(c->p_leg));
	nta_leg_server_route(c->p_leg, sip->sip_record_route,
	    sip->sip_contact);
	pbx_bind_cancel(c, irq);
	return 0;
}

/*
 * An INVITE from the PBX for a registered browser user: the most recent
 * binding's flow gets our INVITE with a WebRTC offer; its answer becomes
 * our answer to the PBX (pbx_reply).  Returns a status to answer at once,
 * or 0 when the answer comes later.
 */
int
pbx_call_in(struct b2b *b, nta_incoming_t *irq, const sip_t *sip,
    const struct sbc_trunk *trunk, const char *aor,
    const struct reg_binding *const *v, size_t n)
{
	struct flow	*f = flow_get(b, v[0]->flow);
	struct call	*c;
	struct pend	*p;
	size_t		 i;
	int		 st;

	if (f == NULL)
		return 480;
	if ((c = call_new_from_pbx(b, f, aor, v[0]->contact, sip)) == NULL)
		return 500;
	/* the trunk the PBX's address belongs to, in the call's snapshot */
	c->trunk = trunk != NULL && trunk >= c->cfg->trunks &&
	    trunk < c->cfg->trunks + c->cfg->ntrunks ? trunk : NULL;
	trunk_call_in(c);		/* trunk.c: counts it */
	b2b_st_incoming(c, sip);
	if ((st = b2b_cac_admit(c, aor)) != 0) {
		c->p_done = c->b_done = 1;
		call_free(c);
		return st;
	}
	if (c->trunk == NULL || call_in_leg(c, irq, sip) == -1 ||
	    (p = pend_new(c, 0)) == NULL) {
		c->p_done = c->b_done = 1;
		call_free(c);
		return 500;
	}
	p->irq = irq;
	c->b_inv = p;
	log_info(b2b_log(b), "call %llu: PBX → %s", (unsigned long long)c->id,
	    aor);
	if (browser_request(c, SIP_METHOD_INVITE, sip, p, 0) == -1) {
		p->irq = NULL;
		c->p_done = c->b_done = 1;
		call_free(c);
		return 488;
	}
	call_timer(c, 180000, ring_timeout);
	for (i = 1; i < n; i++)		/* every other device rings too */
		fork_add(c, v[i], sip, aor);
	return 0;
}
