/*
 * b2b_fork.c: parallel forking of a PBX call to every registered device
 * of the user (RFC 3261 §16.7 behaviour, done by a B2BUA): one call per
 * binding, each with its own browser leg and media session; the first
 * 2xx wins, every other device gets CANCEL.
 *
 * Roles: the call made for the most recent binding is the owner: it holds
 * the PBX leg (the NTA server transaction and dialog leg) and the call
 * admission count.  The others are siblings: calls without a PBX leg
 * (p_done set) listed on the owner.  When a sibling answers, the PBX leg
 * moves to it (leg, transaction and CANCEL callbacks re-bound, admission
 * moved) and the owner ends as a plain browser leg.  A device refusing
 * (486, 603, ...) only ends its fork; when every fork has refused, the
 * PBX gets 480.  A CANCEL from the PBX or the ring timeout ends the owner
 * and with it every sibling.  Provisional responses of siblings are not
 * relayed (the owner's are).
 *
 * Owns: the fork list links in struct call.  Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/stats.h"
#include "signaling/b2b_int.h"

/* A sibling for one more binding of the called user. */
int
fork_add(struct call *owner, const struct reg_binding *v, const sip_t *inv,
    const char *aor)
{
	struct flow	*f = flow_get(owner->b, v->flow);
	struct call	*c;
	struct pend	*p;

	if (f == NULL || (c = call_new_from_pbx(owner->b, f, aor, v->contact,
	    inv)) == NULL)
		return -1;
	c->trunk = owner->trunk;
	c->p_done = 1;			/* no PBX leg until it wins */
	c->no_stats = 1;		/* one PBX call, however many forks */
	SBC_STAT_SUB(&c->b->svc->ctx->stats->calls_total, 1);
	c->fork_owner = owner;
	c->fork_next = owner->forks;
	owner->forks = c;
	if ((p = pend_new(c, 0)) == NULL)
		goto fail;
	c->b_inv = p;
	if (browser_request(c, SIP_METHOD_INVITE, inv, p, 0) == -1)
		goto fail;
	log_info(b2b_log(c->b), "call %llu: PBX → %s (fork of call %llu)",
	    (unsigned long long)c->id, aor, (unsigned long long)owner->id);
	return 0;
fail:
	c->b_done = 1;
	call_end(c, 0, "fork failed");
	return -1;
}

static void
unlink_fork(struct call *c)
{
	struct call	**pp;

	if (c->fork_owner == NULL)
		return;
	for (pp = &c->fork_owner->forks; *pp != NULL; pp = &(*pp)->fork_next)
		if (*pp == c) {
			*pp = c->fork_next;
			break;
		}
	c->fork_owner = NULL;
	c->fork_next = NULL;
}

/* Every sibling of owner ends (CANCEL to its device), but keep. */
static void
cancel_forks(struct call *owner, struct call *keep, const char *why)
{
	struct call	*c;

	if (keep != NULL)
		unlink_fork(keep);
	while ((c = owner->forks) != NULL) {
		unlink_fork(c);
		call_end(c, 0, why);
	}
}

/* The PBX leg of owner moves to the sibling c that answered. */
static int
take_pbx_leg(struct call *c, struct call *owner)
{
	nta_incoming_t	*irq = owner->b_inv ? owner->b_inv->irq : NULL;

	if (irq == NULL || owner->p_leg == NULL || owner->p_done)
		return -1;
	c->p_leg = owner->p_leg;
	owner->p_leg = NULL;
	nta_leg_bind(c->p_leg, pbx_leg_cb, (nta_leg_magic_t *)c);
	c->b_inv->irq = irq;
	owner->b_inv->irq = NULL;
	pbx_bind_cancel(c, irq);
	if (owner->cac_user != NULL &&	/* the admission count moves too */
	    (c->cac_user = su_strdup(c->home, owner->cac_user)) == NULL)
		return -1;
	c->cac_trunk = owner->cac_trunk;
	owner->cac_user = NULL;
	c->st_interval = owner->st_interval;	/* RFC 4028 as negotiated */
	c->st_pbx_supports = owner->st_pbx_supports;
	c->st_we_refresh = owner->st_we_refresh;
	c->p_done = 0;
	owner->p_done = 1;
	c->no_stats = owner->no_stats;	/* c is the call now */
	owner->no_stats = 1;
	call_timer(c, 0, NULL);
	return 0;
}

/*
 * The owner's device went away (its WebSocket closed) while others still
 * ring: the first sibling takes the PBX leg and the other siblings, with
 * a new ring timer; the owner then ends as a plain browser leg.  1 when
 * handed over.
 */
int
fork_hand_over(struct call *owner)
{
	struct call	*c = owner->forks, *s;

	if (c == NULL || owner->p_done || owner->state >= CALL_ANSWERED)
		return 0;
	unlink_fork(c);
	if (take_pbx_leg(c, owner) == -1)
		return 0;
	c->forks = owner->forks;
	owner->forks = NULL;
	for (s = c->forks; s != NULL; s = s->fork_next)
		s->fork_owner = c;
	c->fork_failed = owner->fork_failed;
	pbx_ring_timer(c);
	log_info(b2b_log(c->b), "call %llu: takes the PBX leg of call %llu "
	    "(its device left)", (unsigned long long)c->id,
	    (unsigned long long)owner->id);
	return 1;
}

/*
 * A 2xx from the device of c.  Returns 0 when c now holds the PBX leg
 * (the others are cancelled), -1 when it cannot (c is ended).
 */
int
fork_answered(struct call *c)
{
	struct call	*owner = c->fork_owner;

	if (owner == NULL) {		/* the owner, or no fork at all */
		cancel_forks(c, NULL, "answered on another device");
		return 0;
	}
	if (take_pbx_leg(c, owner) == -1) {
		unlink_fork(c);
		call_end(c, 0, "the PBX leg is gone");
		return -1;
	}
	log_info(b2b_log(c->b), "call %llu: answered; takes the PBX leg of "
	    "call %llu", (unsigned long long)c->id,
	    (unsigned long long)owner->id);
	cancel_forks(owner, c, "answered on another device");
	owner->fork_failed = 0;
	call_end(owner, 0, "answered on another device");
	return 0;
}

static void
none_answered(struct call *owner)
{
	call_end(owner, 480, "no device answered");
}

/*
 * A final failure from the device of c.  Returns 1 when it is absorbed
 * by the fork (others still ring, or all refused: the PBX gets 480), 0
 * when it is the call's answer (no other device ever refused).  On the
 * owner, fork_failed is the first refusal by any of its devices, and
 * b_done tells that its own device refused.
 */
int
fork_failed(struct call *c, int status)
{
	struct call	*owner = c->fork_owner;

	if (owner == NULL) {
		if (c->forks == NULL && c->fork_failed == 0)
			return 0;
		if (c->fork_failed == 0)
			c->fork_failed = status;
		c->b_done = 1;			/* keep the PBX leg waiting */
		if (c->forks == NULL)		/* the others refused before */
			call_timer(c, 0, none_answered);
		return 1;
	}
	unlink_fork(c);
	c->b_done = 1;
	call_end(c, 0, "refused on one device");
	if (owner->fork_failed == 0)
		owner->fork_failed = status;
	if (owner->forks == NULL && owner->b_done)
		call_timer(owner, 0, none_answered);
	return 1;
}

/* c ends: an owner takes its siblings along; a sibling leaves the list. */
void
fork_end(struct call *c)
{
	struct call	*owner = c->fork_owner;
	char		 why[48];

	if (c->forks != NULL) {
		snprintf(why, sizeof(why), "call %llu ended",
		    (unsigned long long)c->id);
		cancel_forks(c, NULL, why);
	}
	if (owner == NULL)
		return;
	unlink_fork(c);
	if (owner->forks == NULL && owner->b_done)
		call_timer(owner, 0, none_answered);
}
