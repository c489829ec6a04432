/*
 * call.c: B2BUA call objects: creation from a browser INVITE, lookup by
 * the browser's Call-ID and From tag, pending relayed transactions, the
 * per-call timer, and the end of a call (both legs torn down together).
 *
 * Owns: every struct call and struct pend, and the flows table entries.
 * Thread: "signaling".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/stats.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_media.h"
#include "signaling/sipmsg.h"

struct sbc_log *
b2b_log(const struct b2b *b)
{
	return b->svc->ctx->log;
}

const struct sbc_config *
b2b_cfg(const struct b2b *b)
{
	return b->svc->cfg;
}

struct flow *
flow_get(struct b2b *b, uint64_t id)
{
	return idmap_get(&b->flows, id);
}

static int
hash_insert(struct b2b *b, struct call *c)
{
	uint64_t	 h = sipmsg_hash(c->b_call_id);

	c->hnext = idmap_get(&b->by_callid, h);
	return idmap_put(&b->by_callid, h, c);
}

static void
hash_remove(struct b2b *b, struct call *c)
{
	uint64_t	  h = sipmsg_hash(c->b_call_id);
	struct call	 *head = idmap_get(&b->by_callid, h), **pp;

	for (pp = &head; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	if (head == NULL)
		idmap_del(&b->by_callid, h);
	else
		idmap_put(&b->by_callid, h, head);
}

struct call *
call_find(struct b2b *b, const char *call_id, const char *from_tag)
{
	struct call	*c;

	c = idmap_get(&b->by_callid, sipmsg_hash(call_id));
	for (; c != NULL; c = c->hnext)
		if (strcmp(c->b_call_id, call_id) == 0 &&
		    su_strmatch(c->b_from->a_tag, from_tag))
			return c;
	return NULL;
}

static int
call_fill(struct call *c, struct flow *f, const sip_t *sip)
{
	su_home_t	*h = c->home;

	c->flow = f->info.flow;
	c->b_call_id = su_strdup(h, sip->sip_call_id->i_id);
	c->b_from = sip_from_dup(h, sip->sip_from);
	c->b_to = sip_to_dup(h, sip->sip_to);
	c->b_tag = su_sprintf(h, "sbc%llx%08lx", (unsigned long long)c->id,
	    (unsigned long)random());
	if (sip->sip_contact != NULL)
		c->b_target = url_hdup(h, sip->sip_contact->m_url);
	if (c->b_call_id == NULL || c->b_from == NULL || c->b_to == NULL ||
	    c->b_tag == NULL || sip_to_tag(h, c->b_to, c->b_tag) < 0)
		return -1;
	c->b_cseq = 1;
	c->b_invite_cseq = sip->sip_cseq->cs_seq;
	return 0;
}

static struct call *
call_alloc(struct b2b *b)
{
	struct call	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	su_home_init(c->home);
	c->b = b;
	c->id = ++b->next_call;
	c->state = CALL_CALLING;
	c->cfg = sbc_config_ref(b->svc->cfg);
	return c;
}

static void
call_unalloc(struct call *c)
{
	su_home_deinit(c->home);
	sbc_config_unref(c->cfg);
	free(c);
}

static int
call_link(struct b2b *b, struct flow *f, struct call *c)
{
	if (idmap_put(&b->calls, c->id, c) == -1)
		return -1;
	if (hash_insert(b, c) == -1) {
		idmap_del(&b->calls, c->id);
		return -1;
	}
	c->flow_next = f->calls;
	f->calls = c;
	c->started = time(NULL);
	b->ncalls++;
	SBC_STAT_ADD(&b->svc->ctx->stats->calls_total, 1);
	SBC_STAT_SET(&b->svc->ctx->stats->calls_active, b->ncalls);
	return 0;
}

struct call *
call_new(struct b2b *b, struct flow *f, const sip_t *sip)
{
	struct call	*c;

	if ((c = call_alloc(b)) == NULL)
		return NULL;
	if (call_fill(c, f, sip) == -1 || call_link(b, f, c) == -1) {
		call_unalloc(c);
		return NULL;
	}
	return c;
}

/*
 * A call the PBX makes toward a browser binding: we are the caller on the
 * browser leg (our Call-ID and tag; the browser's tag comes with its
 * answer).  b_to is our side, b_from the browser's, as for calls the
 * browser makes, so in-dialog code serves both directions.
 */
struct call *
call_new_from_pbx(struct b2b *b, struct flow *f, const char *aor,
    const char *contact, const sip_t *inv)
{
	const char	*user = inv->sip_from->a_url->url_user;
	const char	*dom = strchr(aor, '@');
	struct call	*c;
	su_home_t	*h;

	if (dom == NULL || (c = call_alloc(b)) == NULL)
		return NULL;
	h = c->home;
	c->from_pbx = 1;
	c->flow = f->info.flow;
	c->b_tag = su_sprintf(h, "sbc%llx%08lx", (unsigned long long)c->id,
	    (unsigned long)random());
	c->b_call_id = su_sprintf(h, "sbc-%llx-%08lx",
	    (unsigned long long)c->id, (unsigned long)random());
	c->b_to = (sip_to_t *)sip_from_format(h, "<sip:%s%s>;tag=%s",
	    user ? user : "anonymous", dom, c->b_tag);
	c->b_from = sip_from_format(h, "<sip:%s>", aor);
	c->b_target = url_hdup(h, URL_STRING_MAKE(contact)->us_url);
	c->b_cseq = 0;
	if (c->b_tag == NULL || c->b_call_id == NULL || c->b_to == NULL ||
	    c->b_from == NULL || c->b_target == NULL ||
	    call_link(b, f, c) == -1) {
		call_unalloc(c);
		return NULL;
	}
	return c;
}

struct pend *
pend_new(struct call *c, int to_pbx)
{
	struct pend	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->call = c;
	p->to_pbx = to_pbx;
	p->next = c->pends;
	c->pends = p;
	return p;
}

void
pend_free(struct pend *p)
{
	struct pend	**pp;

	for (pp = &p->call->pends; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->call->b_inv == p)
		p->call->b_inv = NULL;
	if (p->orq != NULL)
		nta_outgoing_destroy(p->orq);
	if (p->irq != NULL) {
		/* never leave the PBX without an answer */
		if (nta_incoming_status(p->irq) < 200)
			nta_incoming_treply(p->irq, SIP_481_NO_TRANSACTION,
			    TAG_END());
		nta_incoming_destroy(p->irq);
	}
	if (p->b_req != NULL)
		msg_destroy(p->b_req);
	free(p);
}

struct pend *
pend_by_branch(struct b2b *b, struct call *c, const char *branch)
{
	struct pend	*p;

	for (p = c->pends; p != NULL; p = p->next)
		if (!p->to_pbx && strcmp(p->branch, branch) == 0)
			return p;
	return NULL;
}

static void
timer_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call	*c = (struct call *)arg;

	if (c->timer_fn != NULL)
		c->timer_fn(c);
}

/* One timer per call; setting it again replaces the previous one, and
 * fn NULL stops it. */
void
call_timer(struct call *c, unsigned ms, void (*fn)(struct call *))
{
	if (fn == NULL) {
		if (c->timer != NULL)
			su_timer_reset(c->timer);
		return;
	}
	if (c->timer == NULL &&
	    (c->timer = su_timer_create(su_root_task(c->b->root), 0)) == NULL)
		return;
	c->timer_fn = fn;
	su_timer_set_interval(c->timer, timer_cb, (su_timer_arg_t *)c, ms);
}

static void
unlink_flow(struct call *c)
{
	struct flow	 *f = flow_get(c->b, c->flow);
	struct call	**pp;

	if (f == NULL)
		return;
	for (pp = &f->calls; *pp != NULL; pp = &(*pp)->flow_next) {
		if (*pp == c) {
			*pp = c->flow_next;
			return;
		}
	}
}

void
call_free(struct call *c)
{
	hash_remove(c->b, c);
	idmap_del(&c->b->calls, c->id);
	unlink_flow(c);
	media_end(c);
	b2b_cac_release(c);
	b2b_st_stop(c);
	while (c->pends != NULL)
		pend_free(c->pends);
	if (c->timer != NULL)
		su_timer_destroy(c->timer);
	if (c->p_invite != NULL)
		nta_outgoing_destroy(c->p_invite);
	if (c->p_leg != NULL)
		nta_leg_destroy(c->p_leg);
	if (c->b_invite != NULL)
		msg_destroy(c->b_invite);
	c->b->ncalls--;
	SBC_STAT_SET(&c->b->svc->ctx->stats->calls_active, c->b->ncalls);
	call_unalloc(c);
}

static void
end_pbx_leg(struct call *c, int status)
{
	if (c->p_done)
		return;
	c->p_done = 1;
	if (c->from_pbx && c->b_inv != NULL && c->b_inv->irq != NULL &&
	    nta_incoming_status(c->b_inv->irq) < 200)
		nta_incoming_treply(c->b_inv->irq, status ? status : 480,
		    NULL, TAG_END());
	else if (c->state >= CALL_ANSWERED)
		pbx_bye(c);
	else if (c->p_invite != NULL)
		nta_outgoing_tcancel(c->p_invite, NULL, NULL, TAG_END());
}

static void
end_browser_leg(struct call *c, int status)
{
	if (c->b_done)
		return;
	c->b_done = 1;
	if (c->from_pbx && c->b_inv != NULL)
		browser_cancel(c, c->b_inv);
	else if (c->b_invite != NULL)
		browser_reply(c->b, c->flow, sip_object(c->b_invite), status,
		    NULL, c->b_tag);
	else if (c->state >= CALL_ANSWERED)
		browser_request(c, SIP_METHOD_BYE, NULL, NULL, 0);
}

/*
 * End the call: whatever leg is still up is torn down (CANCEL or BYE to
 * the PBX, an error response or BYE to the browser), then the call is
 * freed.  status: the answer a still-pending browser INVITE gets.
 */
void
call_end(struct call *c, int status, const char *why)
{
	log_info(b2b_log(c->b), "call %llu: ended: %s",
	    (unsigned long long)c->id, why);
	fork_end(c);
	end_pbx_leg(c, status);
	end_browser_leg(c, status);
	if (c->state < CALL_ANSWERED && !c->no_stats)	/* never answered */
		SBC_STAT_ADD(&c->b->svc->ctx->stats->calls_failed, 1);
	c->state = CALL_ENDED;
	call_free(c);
}
