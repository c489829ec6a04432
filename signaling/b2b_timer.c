/*
 * b2b_timer.c: SIP session timers (RFC 4028) on the PBX leg of a call.
 *
 * Browsers do not run session timers (their calls end when the WebSocket
 * closes, and the SBC ends the call then); PBXs often do.  So the timer
 * lives on the PBX leg only, negotiated by the SBC as a user agent:
 *   - our INVITE to a PBX says Supported: timer, Session-Expires
 *     (signaling.session_expires) and Min-SE (signaling.min_se);
 *   - the PBX's 2xx names the interval and the refresher: when it is us
 *     ("uac" on our INVITE), we send UPDATE every half interval; when it
 *     is the PBX, we end the call (BYE on both legs) if no refresh
 *     (re-INVITE or UPDATE from it) came by the interval minus
 *     min(32, interval/3) (§10);
 *   - a PBX INVITE with Session-Expires is answered with the interval
 *     (raised to our Min-SE) and refresher=uac: the PBX refreshes;
 *   - a refresh UPDATE without a body from the PBX is answered here,
 *     not sent to the browser (it is not the browser's business).
 * A PBX that answers our UPDATE with 405/501 stops getting them and the
 * interval is left to the PBX; 481/408 to it ends the call.
 *
 * Owns: the session-timer state in struct call and its su_timer.
 * Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "signaling/b2b_int.h"

static void	st_arm(struct call *);

/* Our INVITE toward the PBX offers session timers. */
int
b2b_st_offer(struct call *c, msg_t *m, sip_t *sip)
{
	const struct sbc_signaling	*s = &c->cfg->signaling;
	char				 se[32], min[32];

	if (s->session_expires == 0)
		return 0;
	snprintf(se, sizeof(se), "%d", s->session_expires);
	snprintf(min, sizeof(min), "%d", s->min_se);
	return sip_add_tl(m, sip, SIPTAG_SUPPORTED_STR("timer"),
	    SIPTAG_SESSION_EXPIRES_STR(se), SIPTAG_MIN_SE_STR(min),
	    TAG_END()) < 0 ? -1 : 0;
}

/* The interval in a message, raised to our Min-SE; 0 if none. */
static unsigned
interval_of(const struct call *c, const sip_t *sip)
{
	unsigned long	v;

	if (sip->sip_session_expires == NULL)
		return 0;
	v = sip->sip_session_expires->x_delta;
	if (v < (unsigned long)c->cfg->signaling.min_se)
		v = (unsigned long)c->cfg->signaling.min_se;
	return v > 86400 ? 86400 : (unsigned)v;
}

/* The PBX's 2xx to our INVITE, re-INVITE or UPDATE. */
void
b2b_st_answered(struct call *c, const sip_t *resp)
{
	const char	*r;

	if (c->cfg->signaling.session_expires == 0 ||
	    (c->st_interval = interval_of(c, resp)) == 0) {
		if (c->st_timer != NULL)
			su_timer_reset(c->st_timer);
		c->st_interval = 0;
		return;
	}
	r = resp->sip_session_expires->x_refresher;
	/* on our requests we are the UAC; no refresher named: the answerer
	 * may leave it to us (§7.2), and we can refresh with UPDATE */
	c->st_we_refresh = r == NULL || strcasecmp(r, "uac") == 0;
	st_arm(c);
}

/* The PBX's INVITE: the interval it asks for, the PBX refreshing. */
void
b2b_st_incoming(struct call *c, const sip_t *req)
{
	if (c->cfg->signaling.session_expires == 0)
		return;
	c->st_interval = interval_of(c, req);
	c->st_we_refresh = 0;
	c->st_pbx_supports = sip_has_feature(req->sip_supported, "timer");
}

/* Our 2xx toward the PBX's INVITE: the interval and its refresher. */
int
b2b_st_reply(struct call *c, msg_t *m, sip_t *sip)
{
	char	se[48];

	if (c->st_interval == 0 || !c->st_pbx_supports)
		return 0;
	snprintf(se, sizeof(se), "%u;refresher=uac", c->st_interval);
	if (sip_add_tl(m, sip, SIPTAG_SESSION_EXPIRES_STR(se),
	    SIPTAG_REQUIRE_STR("timer"), TAG_END()) < 0)
		return -1;
	st_arm(c);
	return 0;
}

/* A refresh from the PBX (re-INVITE or UPDATE): the clock starts again. */
void
b2b_st_refreshed(struct call *c, const sip_t *req)
{
	unsigned	v;

	if (c->st_interval == 0)
		return;
	if ((v = interval_of(c, req)) != 0)
		c->st_interval = v;
	st_arm(c);
}

static int
update_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call	*c = (struct call *)magic;
	int		 st = nta_outgoing_status(orq);

	if (st < 200 || c->st_update == NULL)	/* NULL: inside tcreate(), */
		return 0;			/* refresh() sees the status */
	nta_outgoing_destroy(orq);
	if (c->st_update == orq)
		c->st_update = NULL;
	if (st < 300 && sip != NULL)
		b2b_st_answered(c, sip);
	else if (st == 405 || st == 501) {
		log_info(b2b_log(c->b), "call %llu: PBX refuses UPDATE (%d): "
		    "it keeps the session timer", (unsigned long long)c->id,
		    st);
		c->st_we_refresh = 0;
		st_arm(c);
	} else if (st == 481 || st == 408)
		call_end(c, 0, "session refresh failed");
	return 0;
}

static void
refresh(struct call *c)
{
	char	se[48];

	if (c->st_update != NULL || c->p_leg == NULL)
		return;
	snprintf(se, sizeof(se), "%u;refresher=uac", c->st_interval);
	c->st_update = nta_outgoing_tcreate(c->p_leg, update_cb,
	    (nta_outgoing_magic_t *)c, NULL, SIP_METHOD_UPDATE, NULL,
	    SIPTAG_SESSION_EXPIRES_STR(se), SIPTAG_SUPPORTED_STR("timer"),
	    SIPTAG_USER_AGENT_STR(c->cfg->signaling.user_agent), TAG_END());
	if (c->st_update != NULL && nta_outgoing_status(c->st_update) >= 200) {
		nta_outgoing_destroy(c->st_update);	/* NTA failed it */
		c->st_update = NULL;
	}
	if (c->st_update == NULL)
		log_warn(b2b_log(c->b), "call %llu: cannot send UPDATE",
		    (unsigned long long)c->id);
	else
		log_debug(b2b_log(c->b), "call %llu: session refresh (UPDATE, "
		    "%u s)", (unsigned long long)c->id, c->st_interval);
	st_arm(c);	/* again in half an interval, whatever happens */
}

static void
st_fire(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call	*c = (struct call *)arg;

	if (c->st_we_refresh)
		refresh(c);
	else
		call_end(c, 0, "session timer expired: no refresh from the "
		    "PBX");
}

/* Half an interval when we refresh; the §10 deadline when the PBX does. */
static void
st_arm(struct call *c)
{
	unsigned	s = c->st_interval, guard = s / 3 < 32 ? s / 3 : 32;

	if (s == 0)
		return;
	if (c->st_timer == NULL && (c->st_timer =
	    su_timer_create(su_root_task(c->b->root), 0)) == NULL)
		return;
	su_timer_set_interval(c->st_timer, st_fire, (su_timer_arg_t *)c,
	    (c->st_we_refresh ? s / 2 : s - guard) * 1000);
}

void
b2b_st_stop(struct call *c)
{
	if (c->st_timer != NULL)
		su_timer_destroy(c->st_timer);
	c->st_timer = NULL;
	if (c->st_update != NULL)
		nta_outgoing_destroy(c->st_update);
	c->st_update = NULL;
}
