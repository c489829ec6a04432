/*
 * b2b_policy.c: what the signaling thread asks policy/ before doing any
 * work on a SIP request: the source's ban, its rate per method class
 * (REGISTER, INVITE, other), scanner User-Agents; on the PBX side also
 * the listener's allow/deny lists and the trunk the source belongs to
 * (a trunk accepts only from its `sources`, or from its hosts' IP
 * addresses when it has none).  Malformed messages and failed digest
 * logins are reported so that repeat offenders get banned.
 *
 * Owns: nothing (struct policy is the daemon's, shared with ws-edge and
 * locked inside).  Thread: "signaling".
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_protos.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>

#include "policy/cidr.h"
#include "policy/policy.h"
#include "sbc/clock.h"
#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/stats.h"
#include "signaling/b2b_int.h"

#define CAC_USERS	4096	/* users with calls up, tracked at once */

static struct policy *
pol(const struct b2b *b)
{
	return b->svc->ctx->policy;
}

static enum pol_event
event_of(const sip_t *sip)
{
	switch (sip->sip_request->rq_method) {
	case sip_method_register:
		return PE_REGISTER;
	case sip_method_invite:
		return PE_INVITE;
	default:
		return PE_OTHER;
	}
}

/* "192.0.2.1" / "2001:db8::1" for logs; "?" if not an IP address. */
const char *
b2b_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void	*a = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, buf, (socklen_t)len) ==
	    NULL)
		snprintf(buf, len, "?");
	return buf;
}

static void
dropped(struct b2b *b)
{
	if (b->svc->ctx->stats != NULL)
		SBC_STAT_ADD(&b->svc->ctx->stats->policy_drops, 1);
}

/*
 * A request (outside or inside a dialog) from src: POL_ALLOW to go on,
 * POL_DROP to ignore it, POL_REJECT to answer 503 with Retry-After.
 * In-dialog requests of calls that exist are not rate limited: a call's
 * BYE must never be dropped.
 */
enum pol_verdict
b2b_policy_request(struct b2b *b, const struct sockaddr *src,
    const sip_t *sip)
{
	const struct sbc_config	*cfg = b2b_cfg(b);
	const char		*ua = sip->sip_user_agent ?
				    sip->sip_user_agent->g_string : NULL;
	enum pol_verdict	 v;
	uint64_t		 now = sbc_now_ms();
	char			 addr[INET6_ADDRSTRLEN];

	if (pol(b) == NULL)
		return POL_ALLOW;
	if (ua != NULL && policy_scanner_match(&cfg->policy, ua)) {
		log_notice(b2b_log(b), "scanner User-Agent \"%.64s\" from %s: "
		    "source banned", ua, b2b_addr_str(src, addr, sizeof(addr)));
		policy_check(pol(b), src, PE_SCANNER, now);
		dropped(b);
		return POL_DROP;
	}
	if (sip->sip_to != NULL && sip->sip_to->a_tag != NULL &&
	    sip->sip_request->rq_method != sip_method_invite)
		v = policy_is_banned(pol(b), src, now) ? POL_DROP : POL_ALLOW;
	else
		v = policy_check(pol(b), src, event_of(sip), now);
	if (v != POL_ALLOW)
		dropped(b);
	return v;
}

/* The active bans gauge of struct sbc_stats (from the sweep timer). */
void
b2b_policy_gauge(struct b2b *b)
{
	struct pol_gauges	g;

	if (pol(b) == NULL || b->svc->ctx->stats == NULL)
		return;
	policy_gauges(pol(b), sbc_now_ms(), &g);
	SBC_STAT_SET(&b->svc->ctx->stats->bans_active, g.bans_active);
}

/* The limits follow the configuration the call started with. */
static int
cac_ready(struct b2b *b, const struct sbc_config *cfg)
{
	if (b->cac == NULL && (b->cac = cac_create(CAC_USERS)) == NULL)
		return -1;
	if (b->cac_cfg != cfg) {
		if (cac_configure(b->cac, &cfg->policy, cfg->trunks,
		    cfg->ntrunks) == -1)
			return -1;
		b->cac_cfg = cfg;
	}
	return 0;
}

/* Call admission: 0, or the status to refuse the call with. */
#define CAC_NOTE_MS	60000	/* one notification per limit a minute */

/* Tell the daemon (SNMP) a limit refused a call, at most once a minute. */
static void
cac_notify(struct call *c, enum cac_reason why)
{
	const struct sbc_ctx	*ctx = c->b->svc->ctx;
	const char		*key = cac_reason_key(why);
	uint64_t		 now = sbc_now_ms();
	char			 limit[128];

	if (ctx->call_limit == NULL || key == NULL)
		return;
	if (c->b->cac_noted[why] != 0 &&
	    now - c->b->cac_noted[why] < CAC_NOTE_MS)
		return;
	c->b->cac_noted[why] = now;
	if (why == CAC_TRUNK_CALLS || why == CAC_TRUNK_CPS)
		snprintf(limit, sizeof(limit), "trunk %s %s", c->trunk != NULL ?
		    c->trunk->name : "?", key);
	else
		snprintf(limit, sizeof(limit), "%s", key);
	ctx->call_limit(ctx->call_limit_arg, limit);
}

int
b2b_cac_admit(struct call *c, const char *user)
{
	struct b2b		*b = c->b;
	enum cac_reason		 why = CAC_OK;
	int			 t = c->trunk ? (int)(c->trunk - c->cfg->trunks) : -1;

	if (user == NULL)
		user = "";
	if (cac_ready(b, c->cfg) == -1)
		return 500;
	if (cac_admit(b->cac, user, t, sbc_now_ms(), &why) == -1) {
		log_notice(b2b_log(b), "call %llu: refused: %s (user %.64s)",
		    (unsigned long long)c->id, cac_reason_name(why), user);
		if (b->svc->ctx->stats != NULL)
			SBC_STAT_ADD(&b->svc->ctx->stats->cac_rejects, 1);
		cac_notify(c, why);
		return why == CAC_USER_CALLS ? 486 : 503;
	}
	if ((c->cac_user = su_strdup(c->home, user)) == NULL) {
		cac_release(b->cac, user, t);
		return 500;
	}
	c->cac_trunk = t;
	return 0;
}

void
b2b_cac_release(struct call *c)
{
	if (c->cac_user == NULL || c->b->cac == NULL)
		return;
	cac_release(c->b->cac, c->cac_user, c->cac_trunk);
	c->cac_user = NULL;
}

const struct sockaddr *
flow_peer(struct b2b *b, uint64_t id)
{
	struct flow	*f = flow_get(b, id);

	return f != NULL ? (const struct sockaddr *)&f->info.peer : NULL;
}

void
b2b_policy_event(struct b2b *b, const struct sockaddr *src, int ev)
{
	if (pol(b) != NULL && src != NULL)
		policy_check(pol(b), src, (enum pol_event)ev, sbc_now_ms());
}

/* An event on a browser's WebSocket flow; banned now: the flow closes. */
void
b2b_policy_flow_event(struct b2b *b, uint64_t flow, int ev)
{
	b2b_policy_event(b, flow_peer(b, flow), ev);
	b2b_policy_close_banned(b, flow);
}

/*
 * A banned source keeps no open WebSocket: what is queued for it is sent,
 * then the flow closes (its calls and bindings end with it).  1: closed.
 */
int
b2b_policy_close_banned(struct b2b *b, uint64_t flow)
{
	const struct sockaddr	*src = flow_peer(b, flow);
	char			 addr[INET6_ADDRSTRLEN];

	if (pol(b) == NULL || src == NULL ||
	    !policy_is_banned(pol(b), src, sbc_now_ms()))
		return 0;
	log_info(b2b_log(b), "flow %llu from %s: source banned, closing",
	    (unsigned long long)flow, b2b_addr_str(src, addr, sizeof(addr)));
	return browser_close_flow(b, flow) == 0;
}

/*
 * The allow/deny lists of the SIP listeners: Sofia does not tell which
 * socket a request came in on, so a source passes when one listener of
 * its protocol (UDP, or TCP for tcp/tls) allows it.
 */
static int
listener_allows(const struct sbc_config *cfg, const struct sockaddr *sa,
    int proto)
{
	const struct sbc_listener	*l;
	size_t				 i;
	int				 tcp;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		tcp = l->transport == SBC_TP_TCP || l->transport == SBC_TP_TLS;
		if (l->transport == SBC_TP_WS || l->transport == SBC_TP_WSS ||
		    (proto == IPPROTO_TCP) != tcp)
			continue;
		if (sbc_cidr_match_any(l->deny.v, l->deny.n, sa))
			continue;
		if (l->allow.n == 0 ||
		    sbc_cidr_match_any(l->allow.v, l->allow.n, sa))
			return 1;
	}
	return 0;
}

/* A trunk host written as an IP literal, as a prefix of its own. */
static int
host_is(const char *hostport, const struct sockaddr *sa)
{
	struct sbc_cidr	c;
	char		host[256];
	int		port;

	return conf_split_hostport(hostport, host, sizeof(host), &port) == 0 &&
	    sbc_cidr_parse(host, &c) == 0 && sbc_cidr_match(&c, sa);
}

/* The trunk a PBX-side source belongs to, NULL if none. */
const struct sbc_trunk *
b2b_trunk_of_source(const struct sbc_config *cfg, const struct sockaddr *sa)
{
	const struct sbc_trunk	*t;
	size_t			 i, j;

	for (i = 0; i < cfg->ntrunks; i++) {
		t = &cfg->trunks[i];
		if (t->sources.n > 0) {
			if (sbc_cidr_match_any(t->sources.v, t->sources.n, sa))
				return t;
			continue;
		}
		for (j = 0; j < t->hosts.n; j++)
			if (host_is(t->hosts.v[j], sa))
				return t;
	}
	return NULL;
}

/*
 * A request from the PBX side, before anything else: 0 to go on (*trunk
 * is the source's trunk, NULL for OPTIONS from elsewhere), -1 to drop it
 * silently, or a status to answer (403, 503).
 */
int
b2b_policy_pbx(struct b2b *b, msg_t *msg, const sip_t *sip,
    const struct sbc_trunk **trunk)
{
	const struct sbc_config	*cfg = b2b_cfg(b);
	char			 addr[INET6_ADDRSTRLEN];
	su_addrinfo_t		*ai = msg ? msg_addrinfo(msg) : NULL;
	const struct sockaddr	*sa = ai ? ai->ai_addr : NULL;
	int			 rc = 0;

	*trunk = NULL;
	if (sa == NULL)
		goto out;
	if (!listener_allows(cfg, sa, ai->ai_protocol)) {
		dropped(b);
		rc = -1;
		goto out;
	}
	switch (b2b_policy_request(b, sa, sip)) {
	case POL_DROP:
		rc = -1;
		goto out;
	case POL_REJECT:
		rc = 503;
		goto out;
	case POL_ALLOW:
		break;
	}
	if ((*trunk = b2b_trunk_of_source(cfg, sa)) == NULL &&
	    sip->sip_request->rq_method != sip_method_options) {
		log_info(b2b_log(b), "%s from %s, no trunk's address: 403",
		    sip->sip_request->rq_method_name,
		    b2b_addr_str(sa, addr, sizeof(addr)));
		dropped(b);
		b2b_policy_event(b, sa, PE_MALFORMED);	/* scans get banned */
		rc = 403;
	}
out:
	return rc;
}
