/*
 * b2b_browser.c: the browser leg of the B2BUA: SIP received on a flow is
 * parsed and dispatched by method (our own transaction layer for a
 * reliable transport: no retransmissions, responses matched by Via
 * branch), and responses/requests toward the browser are built here and
 * sent on the flow they belong to.
 *
 * Owns: nothing beyond the messages it builds.  Thread: "signaling".
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_string.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_media.h"
#include "signaling/b2b_trace.h"
#include "signaling/route.h"
#include "signaling/sipmsg.h"
#include "signaling/topo.h"

#define SBC_ALLOW	"INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"

static int
send_on_flow(struct b2b *b, uint64_t flow, msg_t *m)
{
	struct edge_msg	*em;
	char		*bytes;
	size_t		 len;
	int		 rc = -1;

	if (sipmsg_bytes(m, &bytes, &len) == 0 &&
	    (em = edge_msg_new(EDGE_CMD_SEND, flow, bytes, len)) != NULL)
		rc = sbc_service_post(b->svc->ctx->edge, &em->hdr);
	if (rc == 0)	/* sbcctl sip trace */
		b2b_trace(b, CTL_TRACE_OUT, CTL_TRACE_BROWSER,
		    flow_peer(b, flow), bytes, len);
	msg_destroy(m);
	return rc;
}

int
browser_send(struct call *c, msg_t *m)
{
	return send_on_flow(c->b, c->flow, m);
}

int
browser_send_flow(struct b2b *b, uint64_t flow, msg_t *m)
{
	return send_on_flow(b, flow, m);
}

/* Ask the edge to close a flow (after what is queued for it is sent). */
int
browser_close_flow(struct b2b *b, uint64_t flow)
{
	struct edge_msg	*em;

	if ((em = edge_msg_new(EDGE_CMD_CLOSE, flow, NULL, 0)) == NULL)
		return -1;
	return sbc_service_post(b->svc->ctx->edge, &em->hdr);
}

static int
add_contact(msg_t *m, sip_t *sip, const struct flow *f)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&f->info.local;
	unsigned		 port = 0;

	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return sip_add_make(m, sip, sip_contact_class, su_sprintf(msg_home(m),
	    "<sip:sbc@%s:%u;transport=ws>", f->host, port));
}

int
browser_reply(struct b2b *b, uint64_t flow, const sip_t *req, int status,
    const char *phrase, const char *to_tag)
{
	const struct sbc_config	*cfg = b2b_cfg(b);
	msg_t			*m;

	if (phrase == NULL)
		phrase = sip_status_phrase(status);
	m = sipmsg_response(req, status, phrase ? phrase : "Error", to_tag,
	    SIPTAG_SERVER_STR(cfg->signaling.user_agent),
	    TAG_IF(status == 405 || status == 501 ||
	    (status == 200 && req->sip_request->rq_method ==
	    sip_method_options), SIPTAG_ALLOW_STR(SBC_ALLOW)),
	    TAG_END());
	if (m == NULL)
		return -1;
	return send_on_flow(b, flow, m);
}

/* Relay a PBX response to breq; sdp: the body we wrote, or NULL to
 * convert the response's own SDP (an answer) here. */
int
browser_relay_response(struct call *c, const sip_t *breq, const sip_t *resp,
    const char *sdp)
{
	struct flow	*f = flow_get(c->b, c->flow);
	msg_t		*m;
	sip_t		*sip;
	int		 st = resp->sip_status->st_status;
	const char	*body;
	size_t		 len;

	if (sdp == NULL && (body = topo_sdp_of(resp, &len)) != NULL &&
	    (sdp = media_pbx_answer(c, body, len)) == NULL)
		return -1;
	m = sipmsg_response(breq, st, resp->sip_status->st_phrase, c->b_tag,
	    SIPTAG_SERVER_STR(c->cfg->signaling.user_agent), TAG_END());
	if (m == NULL || f == NULL)
		goto fail;
	sip = sip_object(m);
	if (topo_copy_headers(m, sip, resp, TOPO_TO_BROWSER,
	    &c->cfg->signaling.pass_headers) == -1 ||
	    topo_copy_body(m, sip, resp) == -1 ||
	    (sdp != NULL && topo_add_sdp(m, sip, sdp) == -1))
		goto fail;
	if (st < 300 && breq->sip_request->rq_method == sip_method_invite &&
	    add_contact(m, sip, f) < 0)
		goto fail;
	return browser_send(c, m);
fail:
	if (m != NULL)
		msg_destroy(m);
	return -1;
}

static int
request_headers(struct call *c, msg_t *m, sip_t *sip, sip_method_t method,
    const char *name, uint32_t cseq, const char *branch)
{
	struct flow	*f = flow_get(c->b, c->flow);
	su_home_t	*h = msg_home(m);
	sip_from_t	*from;
	sip_to_t	*to;

	if (f == NULL || c->b_target == NULL)
		return -1;
	/* our side of the dialog is the browser's To, with our tag */
	from = sip_from_dup(h, (sip_from_t *)c->b_to);
	to = sip_to_dup(h, (sip_to_t *)c->b_from);
	if (from == NULL || to == NULL)
		return -1;
	sip->sip_request = sip_request_create(h, method, name,
	    (url_string_t *)c->b_target, NULL);
	return sip_add_tl(m, sip,
	    SIPTAG_VIA_STR(su_sprintf(h, "SIP/2.0/%s %s;branch=%s",
	    f->info.secure ? "WSS" : "WS", f->host, branch)),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_FROM(from), SIPTAG_TO(to),
	    SIPTAG_CALL_ID_STR(c->b_call_id),
	    SIPTAG_CSEQ(sip_cseq_create(h, cseq, method, name)),
	    SIPTAG_USER_AGENT_STR(c->cfg->signaling.user_agent),
	    TAG_END()) < 0 || sip->sip_request == NULL ? -1 :
	    add_contact(m, sip, f);
}

/*
 * A request toward the browser: BYE at the end of a call, or a request
 * the PBX sent in the dialog (from_pbx, answered later through pend).
 * cseq: 0 for a new one, else (ACK) the CSeq of the INVITE it acks.
 */
int
browser_request(struct call *c, sip_method_t method, const char *name,
    const sip_t *from_pbx, struct pend *p, uint32_t cseq)
{
	char			 branch[48];
	const char		*sdp = NULL, *body;
	size_t			 len;
	msg_t			*m;
	sip_t			*sip;

	snprintf(branch, sizeof(branch), "z9hG4bK-sbc-%llx-%lx",
	    (unsigned long long)c->id, (unsigned long)random());
	if (cseq == 0)
		cseq = ++c->b_cseq;
	if (from_pbx != NULL && (body = topo_sdp_of(from_pbx, &len)) != NULL &&
	    (sdp = media_pbx_offer(c, body, len)) == NULL)
		return -1;
	if ((m = msg_create(sip_default_mclass(), 0)) == NULL)
		return -1;
	sip = sip_object(m);
	if (request_headers(c, m, sip, method, name, cseq, branch) < 0 ||
	    (from_pbx != NULL &&
	    (topo_copy_headers(m, sip, from_pbx, TOPO_TO_BROWSER,
	    &c->cfg->signaling.pass_headers) == -1 ||
	    topo_copy_body(m, sip, from_pbx) == -1)) ||
	    (sdp != NULL && topo_add_sdp(m, sip, sdp) == -1)) {
		msg_destroy(m);
		return -1;
	}
	if (p != NULL) {
		snprintf(p->branch, sizeof(p->branch), "%s", branch);
		p->cseq = cseq;
		p->method = method;
	}
	return browser_send(c, m);
}

/* CANCEL of our INVITE p: same branch and CSeq number (RFC 3261 9.1). */
int
browser_cancel(struct call *c, const struct pend *p)
{
	msg_t	*m;

	if ((m = msg_create(sip_default_mclass(), 0)) == NULL)
		return -1;
	if (request_headers(c, m, sip_object(m), SIP_METHOD_CANCEL, p->cseq,
	    p->branch) < 0) {
		msg_destroy(m);
		return -1;
	}
	return browser_send(c, m);
}

/* ---------------------------------------------------------------- requests */

struct breq {
	struct b2b	*b;
	struct flow	*flow;
	msg_t		*msg;		/* owned until handed over */
	const sip_t	*sip;
};

static int
reply(struct breq *r, int status, const char *to_tag)
{
	return browser_reply(r->b, r->flow->info.flow, r->sip, status, NULL,
	    to_tag);
}

static struct call *
dialog_of(struct breq *r)
{
	const sip_t	*sip = r->sip;
	struct call	*c;

	c = call_find(r->b, sip->sip_call_id->i_id, sip->sip_from->a_tag);
	if (c == NULL || c->flow != r->flow->info.flow)
		return NULL;
	if (sip->sip_to->a_tag != NULL && !su_strmatch(sip->sip_to->a_tag,
	    c->b_tag))
		return NULL;
	return c;
}

static int
new_call(struct breq *r)
{
	const sip_t	*sip = r->sip;
	const char	*user = sip->sip_request->rq_url->url_user;
	const char	*body, *sdp, *why;
	char		 dial[128];
	size_t		 len;
	struct call	*c;
	int		 st;

	if (user == NULL || *user == '\0' ||
	    route_select(b2b_cfg(r->b), user, dial, sizeof(dial)) == NULL)
		return reply(r, 404, NULL);
	if (sip->sip_contact == NULL)
		return reply(r, 400, NULL);
	if ((why = b2b_caller_refused(r->b, r->flow->info.flow, sip))) {
		log_notice(b2b_log(r->b), "flow %llu: INVITE from %s@%s "
		    "refused: %s", (unsigned long long)r->flow->info.flow,
		    sip->sip_from->a_url->url_user ?
		    sip->sip_from->a_url->url_user : "-",
		    sip->sip_from->a_url->url_host ?
		    sip->sip_from->a_url->url_host : "-", why);
		return reply(r, 403, NULL);
	}
	if ((c = call_new(r->b, r->flow, sip)) == NULL)
		return reply(r, 500, NULL);
	c->trunk = route_select(c->cfg, user, dial, sizeof(dial));
	c->b_invite = r->msg;
	r->msg = NULL;
	if ((st = b2b_cac_admit(c, sip->sip_from->a_url->url_user)) != 0) {
		call_end(c, st, "call admission");
		return 0;
	}
	browser_reply(r->b, c->flow, sip, 100, NULL, NULL);
	log_info(b2b_log(r->b), "call %llu: %s → trunk '%s' user %s",
	    (unsigned long long)c->id, sip->sip_from->a_url->url_user ?
	    sip->sip_from->a_url->url_user : "-", c->trunk->name, dial);
	if ((body = topo_sdp_of(sip, &len)) == NULL ||
	    (sdp = media_browser_offer(c, body, len)) == NULL)
		call_end(c, 488, "no usable WebRTC offer");
	else if (pbx_invite(c, sip, dial, sdp) == -1)
		call_end(c, 503, "cannot send INVITE to the trunk");
	return 0;
}

/* A request inside a confirmed dialog, relayed to the PBX. */
static int
relay_in_dialog(struct breq *r, struct call *c)
{
	struct pend	*p;

	if (c->state != CALL_CONFIRMED)
		return reply(r, r->sip->sip_request->rq_method ==
		    sip_method_invite ? 491 : 481, c->b_tag);
	if ((p = pend_new(c, 1)) == NULL)
		return reply(r, 500, c->b_tag);
	p->b_req = r->msg;
	r->msg = NULL;
	if (pbx_request(c, sip_object(p->b_req), p) == -1) {
		reply(r, 500, c->b_tag);
		pend_free(p);
	}
	return 0;
}

static int
on_invite(struct breq *r)
{
	struct call	*c;

	if (r->sip->sip_to->a_tag == NULL) {
		if (call_find(r->b, r->sip->sip_call_id->i_id,
		    r->sip->sip_from->a_tag) != NULL)
			return reply(r, 482, NULL);	/* merged/looped */
		return new_call(r);
	}
	if ((c = dialog_of(r)) == NULL)
		return reply(r, 481, NULL);
	relay_in_dialog(r, c);
	return 0;
}

static int
on_ack(struct breq *r)
{
	struct call	*c = dialog_of(r);
	uint32_t	 seq = r->sip->sip_cseq->cs_seq;

	if (c == NULL)
		return 0;	/* ACK of a non-2xx we sent: absorbed */
	if (c->state == CALL_ANSWERED && seq == c->b_invite_cseq) {
		c->state = CALL_CONFIRMED;
		call_timer(c, 0, NULL);
		pbx_ack(c, c->p_invite_cseq);
	} else if (c->p_reinvite_cseq != 0 && seq != c->b_invite_cseq) {
		pbx_ack(c, c->p_reinvite_cseq);
		c->p_reinvite_cseq = 0;
	}
	return 0;
}

static int
on_cancel(struct breq *r)
{
	struct call	*c = dialog_of(r);

	if (c == NULL || c->b_invite == NULL ||
	    r->sip->sip_cseq->cs_seq != c->b_invite_cseq)
		return reply(r, 481, NULL);
	reply(r, 200, c->b_tag);
	call_end(c, 487, "cancelled by the browser");
	return 0;
}

static int
on_bye(struct breq *r)
{
	struct call	*c = dialog_of(r);

	if (c == NULL || r->sip->sip_to->a_tag == NULL)
		return reply(r, 481, NULL);
	reply(r, 200, c->b_tag);
	c->b_done = 1;
	call_end(c, 0, "browser hung up");
	return 0;
}

static int
on_options(struct breq *r)
{
	struct call	*c;

	if (r->sip->sip_to->a_tag == NULL)
		return reply(r, 200, NULL);
	if ((c = dialog_of(r)) == NULL)
		return reply(r, 481, NULL);
	relay_in_dialog(r, c);
	return 0;
}

static int
on_in_dialog(struct breq *r)
{
	struct call	*c;

	if (r->sip->sip_to->a_tag == NULL || (c = dialog_of(r)) == NULL)
		return reply(r, 481, NULL);
	relay_in_dialog(r, c);
	return 0;
}

static int
on_register(struct breq *r)
{
	return b2b_register(r->b, r->flow->info.flow, r->sip);
}

static int
on_unsupported(struct breq *r)
{
	reply(r, 501, NULL);
	return 0;
}

struct method_handler {
	sip_method_t	 method;
	int		(*fn)(struct breq *);
};

static const struct method_handler methods[] = {
	{ sip_method_invite, on_invite },
	{ sip_method_ack, on_ack },
	{ sip_method_cancel, on_cancel },
	{ sip_method_bye, on_bye },
	{ sip_method_options, on_options },
	{ sip_method_info, on_in_dialog },
	{ sip_method_update, on_in_dialog },
	{ sip_method_register, on_register },
};

static int
on_request(struct breq *r)
{
	sip_method_t	m = r->sip->sip_request->rq_method;
	size_t		i;

	if (r->sip->sip_max_forwards != NULL &&
	    r->sip->sip_max_forwards->mf_count == 0 && m != sip_method_ack)
		return reply(r, 483, NULL);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].method == m)
			return methods[i].fn(r);
	on_unsupported(r);
	return 0;
}

/* --------------------------------------------------------------- responses */

/* Our INVITE to the browser (a call from the PBX) got an answer. */
static void
browser_answered(struct call *c, struct pend *p, const sip_t *sip)
{
	int	st = sip->sip_status->st_status;

	if (st >= 200 && st < 300 && fork_answered(c) == -1)
		return;			/* c is gone */
	if (st >= 300 && fork_failed(c, st))
		return;			/* another device still rings */
	if (st >= 200 && st < 300) {
		if (c->b_from->a_tag == NULL && sip->sip_to->a_tag != NULL)
			sip_from_tag(c->home, c->b_from, sip->sip_to->a_tag);
		if (sip->sip_contact != NULL)
			c->b_target = url_hdup(c->home,
			    sip->sip_contact->m_url);
		c->b_reinvite_cseq = p->cseq;	/* ACKed when the PBX ACKs */
		c->state = CALL_CONFIRMED;
		call_timer(c, 0, NULL);
	}
	if (pbx_reply(p, sip) == -1 && st < 300) {
		c->state = CALL_ANSWERED;
		call_end(c, 500, "cannot relay the browser's answer");
		return;
	}
	if (st >= 300) {		/* relayed: both legs are over */
		c->p_done = c->b_done = 1;
		call_end(c, 0, sip->sip_status->st_phrase);
		return;
	}
	pend_free(p);
}

static struct call *
response_call(struct b2b *b, const sip_t *sip)
{
	struct call	*c;

	c = call_find(b, sip->sip_call_id->i_id, sip->sip_to->a_tag);
	if (c != NULL)
		return c;
	/* the browser's first answer to a call from the PBX: no tag yet */
	c = call_find(b, sip->sip_call_id->i_id, NULL);
	return c != NULL && c->from_pbx ? c : NULL;
}

/*
 * ACK (or, with method, another request) for a response to our INVITE
 * on flow f, built from the response alone: for a non-2xx the INVITE's
 * own Via (same transaction), else a new branch to the Contact.
 */
static void
ack_final(struct b2b *b, struct flow *f, const sip_t *resp, const char *bye)
{
	msg_t		*m = msg_create(sip_default_mclass(), 0);
	sip_t		*sip = sip_object(m);
	su_home_t	*h = msg_home(m);
	int		 ok = resp->sip_status->st_status < 300;
	url_t const	*to = ok && resp->sip_contact ?
			    resp->sip_contact->m_url : resp->sip_to->a_url;
	uint32_t	 cseq = resp->sip_cseq->cs_seq + (bye ? 1 : 0);

	if (m == NULL)
		return;
	sip->sip_request = sip_request_create(h, bye ? sip_method_bye :
	    sip_method_ack, bye, (url_string_t *)to, NULL);
	if (sip->sip_request == NULL || sip_add_tl(m, sip,
	    TAG_IF(!ok, SIPTAG_VIA(resp->sip_via)),
	    TAG_IF(ok, SIPTAG_VIA_STR(su_sprintf(h, "SIP/2.0/%s %s;branch="
	    "z9hG4bK-sbc-%lx", f->info.secure ? "WSS" : "WS", f->host,
	    (unsigned long)random()))),
	    SIPTAG_MAX_FORWARDS_STR("70"), SIPTAG_FROM(resp->sip_from),
	    SIPTAG_TO(resp->sip_to), SIPTAG_CALL_ID(resp->sip_call_id),
	    SIPTAG_CSEQ(sip_cseq_create(h, cseq, bye ? sip_method_bye :
	    sip_method_ack, bye)), TAG_END()) < 0) {
		msg_destroy(m);
		return;
	}
	send_on_flow(b, f->info.flow, m);
}

/* A 2xx for a call that is gone (a fork cancelled as it answered):
 * ACK it and end that dialog at once. */
static void
stray_2xx(struct b2b *b, struct flow *f, const sip_t *resp)
{
	log_info(b2b_log(b), "flow %llu: 2xx for an ended call: ACK + BYE",
	    (unsigned long long)f->info.flow);
	ack_final(b, f, resp, NULL);
	ack_final(b, f, resp, "BYE");
}

static void
on_response(struct b2b *b, struct flow *f, const sip_t *sip)
{
	struct call	*c;
	struct pend	*p;
	int		 st = sip->sip_status->st_status;

	if (sip->sip_cseq->cs_method == sip_method_invite && st >= 300)
		ack_final(b, f, sip, NULL);	/* RFC 3261 §17.1.1.3 */
	/* our requests toward the browser carry our tag in From */
	if ((c = response_call(b, sip)) == NULL || c->flow != f->info.flow ||
	    sip->sip_via->v_branch == NULL) {
		if (sip->sip_cseq->cs_method == sip_method_invite &&
		    st >= 200 && st < 300 && c == NULL)
			stray_2xx(b, f, sip);	/* a lost fork that answered */
		return;
	}
	if ((p = pend_by_branch(b, c, sip->sip_via->v_branch)) == NULL)
		return;		/* e.g. the answer to our BYE */
	if (st == 100)
		return;
	if (st < 200) {
		pbx_reply(p, sip);
		return;
	}
	if (p == c->b_inv) {
		browser_answered(c, p, sip);
		return;
	}
	if (p->method == sip_method_invite && st < 300)
		c->b_reinvite_cseq = p->cseq;
	pbx_reply(p, sip);
	pend_free(p);
}

/* ---------------------------------------------------------------- entry */

static int
refuse_unparsable(struct b2b *b, uint64_t flow, const char *buf,
    size_t len, int status, const char *why)
{
	msg_t	*m;

	log_info(b2b_log(b), "flow %llu: bad SIP message (%s)%s",
	    (unsigned long long)flow, why, status ? "" : ": dropped");
	if (status == 0 || (m = sipmsg_parse_loose(buf, len)) == NULL)
		return 0;
	browser_reply(b, flow, sip_object(m), status, why, NULL);
	msg_destroy(m);
	return 0;
}

static const struct sockaddr *
peer_of(const struct flow *f)
{
	return (const struct sockaddr *)&f->info.peer;
}

/* policy/: ban, rate per method class, scanners.  0: dropped/answered. */
static int
admitted(struct breq *r)
{
	msg_t	*m;

	switch (b2b_policy_request(r->b, peer_of(r->flow), r->sip)) {
	case POL_ALLOW:
		return 1;
	case POL_REJECT:
		if (r->sip->sip_request->rq_method == sip_method_ack)
			return 0;
		m = sipmsg_response(r->sip, 503, "Service Unavailable", NULL,
		    SIPTAG_RETRY_AFTER_STR("30"),
		    SIPTAG_SERVER_STR(b2b_cfg(r->b)->signaling.user_agent),
		    TAG_END());
		if (m != NULL)
			browser_send_flow(r->b, r->flow->info.flow, m);
		return 0;
	case POL_DROP:
	default:
		b2b_policy_close_banned(r->b, r->flow->info.flow);
		return 0;
	}
}

void
b2b_from_browser(struct b2b *b, uint64_t flow, const char *buf, size_t len)
{
	const struct sbc_config	*cfg = b2b_cfg(b);
	struct sipmsg_limits	 lim;
	struct breq		 r;
	const char		*why;
	int			 status;

	if ((r.flow = flow_get(b, flow)) == NULL)
		return;
	lim.max_size = (size_t)cfg->policy.max_message_size;
	lim.max_headers = (size_t)cfg->policy.max_headers;
	lim.max_body = (size_t)cfg->policy.max_body_size;
	r.msg = sipmsg_parse(buf, len, &lim, &status, &why);
	if (r.msg == NULL) {
		refuse_unparsable(b, flow, buf, len, status, why);
		b2b_policy_flow_event(b, flow, PE_MALFORMED);	/* after */
		return;
	}
	r.b = b;
	r.sip = sip_object(r.msg);
	if (r.sip->sip_request == NULL)
		on_response(b, r.flow, r.sip);
	else if (admitted(&r))
		on_request(&r);
	if (r.msg != NULL)
		msg_destroy(r.msg);
}

static void
flow_host(struct flow *f, const struct sbc_config *cfg)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&f->info.local;
	const void		*a = NULL;
	char			 buf[INET6_ADDRSTRLEN] = "sbc.invalid";
	size_t			 i;

	for (i = 0; i < cfg->nlisteners; i++) {
		if (strcmp(cfg->listeners[i].name, f->info.listener) == 0 &&
		    *cfg->listeners[i].advertised != '\0') {
			snprintf(f->host, sizeof(f->host), "%s",
			    cfg->listeners[i].advertised);
			return;
		}
	}
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (a != NULL)
		inet_ntop(sa->sa_family, a, buf, sizeof(buf));
	snprintf(f->host, sizeof(f->host), sa->sa_family == AF_INET6 ?
	    "[%s]" : "%s", buf);
}

void
b2b_flow_open(struct b2b *b, const struct edge_flow_info *info)
{
	struct flow	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return;
	f->info = *info;
	flow_host(f, b2b_cfg(b));
	if (idmap_put(&b->flows, info->flow, f) == -1)
		free(f);
}

void
b2b_flow_closed(struct b2b *b, uint64_t id)
{
	struct flow	*f = idmap_get(&b->flows, id);

	if (f == NULL)
		return;
	while (f->calls != NULL) {
		fork_hand_over(f->calls);	/* other devices still ring */
		f->calls->b_done = 1;	/* nothing can reach the browser */
		call_end(f->calls, 0, "browser connection closed");
	}
	reg_remove_flow(&b->reg, id);
	b2b_reg_gauge(b);
	idmap_del(&b->flows, id);
	free(f);
}
