/*
 * trunk.c: trunk monitoring (see trunk.h, trunk_int.h): the per trunk
 * state and its transitions (logged, published for SNMP, notified as
 * sbcTrunkDown/sbcTrunkUp), OPTIONS health checks of every host, the
 * 1 s tick (configuration reloads, binding expiry, the SNMP snapshot),
 * and the hooks of browser calls: counters, the host an INVITE goes to,
 * failover to the next host on 503/408, 503 with Retry-After when no
 * host is left.  Registration is trunk_reg.c; sbcctl is trunk_ctl.c.
 *
 * Owns: struct trunks and every struct tk with its hosts, timers and
 * OPTIONS transactions; a reference to the configuration snapshot the
 * trunks point into.  Thread: "signaling".
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "sbc/clock.h"
#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/snmp_agent.h"
#include "signaling/b2b_int.h"
#include "signaling/sipmsg.h"
#include "signaling/trunk.h"
#include "signaling/trunk_int.h"

static void	opt_tick(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);
static void	publish(struct trunks *);

/* ------------------------------------------------------------ accessors */

struct sbc_log *
tk_log(const struct tk *tk)
{
	return b2b_log(tk->tks->b);
}

nta_agent_t *
tk_agent(const struct tk *tk)
{
	return tk->tks->b->agent;
}

struct tk *
tk_find(struct trunks *tks, const char *name)
{
	size_t	i;

	for (i = 0; tks != NULL && i < tks->n; i++)
		if (tks->v[i] != NULL && strcmp(tks->v[i]->t->name, name) == 0)
			return tks->v[i];
	return NULL;
}

/* "sip:host[:port][;transport=x]" for a host of t, and its host part
 * (IPv6 in brackets). */
int
tk_hop(su_home_t *h, const struct sbc_trunk *t, const char *hostport,
    char **hop, char **host_only)
{
	char	host[256], port[16] = "";
	int	p, udp = t->transport == SBC_TP_UDP, v6;

	if (conf_split_hostport(hostport, host, sizeof(host), &p) == -1)
		return -1;
	if (p != 0)
		snprintf(port, sizeof(port), ":%d", p);
	v6 = strchr(host, ':') != NULL;
	*host_only = su_sprintf(h, "%s%s%s", v6 ? "[" : "", host,
	    v6 ? "]" : "");
	*hop = su_sprintf(h, "sip:%s%s%s", *host_only, port,
	    udp ? "" : su_sprintf(h, ";transport=%s",
	    sbc_transport_name(t->transport)));
	return *hop != NULL && *host_only != NULL ? 0 : -1;
}

url_string_t *
trunk_proxy(su_home_t *h, const struct sbc_trunk *t)
{
	char	*hop, *host;

	if (t == NULL || *t->outbound_proxy == '\0' ||
	    tk_hop(h, t, t->outbound_proxy, &hop, &host) == -1)
		return NULL;
	return URL_STRING_MAKE(hop);
}

/* ------------------------------------------------------------ state */

static size_t
usable_hosts(const struct tk *tk)
{
	size_t	i, n = 0;

	for (i = 0; i < tk->nhosts; i++)
		n += tk->hosts[i].health != TKH_DOWN;
	return n;
}

/* The first host not marked down; -1 when all are. */
int
tk_preferred_host(const struct tk *tk)
{
	size_t	i;

	for (i = 0; i < tk->nhosts; i++)
		if (tk->hosts[i].health != TKH_DOWN)
			return (int)i;
	return -1;
}

void
tk_error(struct tk *tk, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(tk->last_error, sizeof(tk->last_error), fmt, ap);
	va_end(ap);
}

static int
is_bad(int state)
{
	return state == TK_DOWN || state == TK_FAILED;
}

/* Tell the daemon (SNMP): the rows first, the notification reads them.
 * Down once per outage (down, then failed, is one); up after a down. */
static void
notify(struct tk *tk, int up)
{
	const struct sbc_ctx	*ctx = tk->tks->b->svc->ctx;

	tk->down_sent = !up;
	publish(tk->tks);
	if (ctx->trunk_event != NULL)
		ctx->trunk_event(ctx->trunk_arg, up, tk->t->name);
}

/* Recompute the state; log, publish and notify a change.  why: the
 * reason of this change, when there is one. */
void
tk_update(struct tk *tk, const char *why)
{
	int	old = tk->state, st;

	st = tk_state(tk->reg, tk->t->options_interval > 0, usable_hosts(tk),
	    tk_reg_live(tk, time(NULL)));
	if (st == old)
		return;
	tk->state = st;
	if (is_bad(st))
		log_warn(tk_log(tk), "trunk '%s': %s → %s%s%s", tk->t->name,
		    tk_state_name(old), tk_state_name(st), why ? ": " : "",
		    why ? why : "");
	else
		log_notice(tk_log(tk), "trunk '%s': %s → %s", tk->t->name,
		    tk_state_name(old), tk_state_name(st));
	if (tk->tks->stopping)
		return;
	if (is_bad(st) && !tk->down_sent)
		notify(tk, 0);
	else if (st == TK_UP && tk->down_sent)
		notify(tk, 1);
	else
		publish(tk->tks);
}

/* ------------------------------------------------------------ OPTIONS */

static void
host_alive(struct tk_host *h, int status)
{
	struct tk	*tk = h->tk;
	int		 was = h->health;

	h->fails = 0;
	h->health = TKH_UP;
	if (was == TKH_DOWN)
		log_notice(tk_log(tk), "trunk '%s': host %s is up again "
		    "(OPTIONS: %d)", tk->t->name, h->hostport, status);
	if (was != TKH_UP)
		tk_update(tk, NULL);
}

static void
host_failed(struct tk_host *h, int status, const char *phrase)
{
	struct tk	*tk = h->tk;

	if (status == 0)
		snprintf(h->why, sizeof(h->why), "OPTIONS to %s: no answer",
		    h->hostport);
	else
		snprintf(h->why, sizeof(h->why), "OPTIONS to %s: %d %s",
		    h->hostport, status, phrase);
	if (++h->fails < tk->t->options_failures || h->health == TKH_DOWN)
		return;
	h->health = TKH_DOWN;
	log_warn(tk_log(tk), "trunk '%s': host %s marked down after %d "
	    "failures (%s)", tk->t->name, h->hostport, h->fails, h->why);
	tk_error(tk, "%s", h->why);
	tk_update(tk, h->why);
}

/* The OPTIONS of h got its final answer (h->status). */
static void
opt_done(struct tk_host *h)
{
	int	st = h->status;

	nta_outgoing_destroy(h->orq);
	h->orq = NULL;
	h->status = 0;
	if (tk_options_alive(st))
		host_alive(h, st);
	else
		host_failed(h, st, h->phrase);
}

static int
opt_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct tk_host	*h = (struct tk_host *)magic;
	int		 st = nta_outgoing_status(orq);

	if (st < 200 || h->status != 0)
		return 0;
	h->status = st;
	snprintf(h->phrase, sizeof(h->phrase), "%s", sip != NULL &&
	    sip->sip_status ? sip->sip_status->st_phrase : "");
	if (!h->sending)		/* else after nta_outgoing_mcreate() */
		opt_done(h);
	return 0;
}

static msg_t *
opt_msg(struct tk_host *h, char **hop)
{
	const struct sbc_trunk	*t = h->tk->t;
	msg_t			*m = nta_msg_create(tk_agent(h->tk), 0);
	su_home_t		*home;
	char			*host;

	if (m == NULL)
		return NULL;
	home = msg_home(m);
	if (tk_hop(home, t, h->hostport, hop, &host) == -1 ||
	    sip_add_tl(m, sip_object(m), SIPTAG_REQUEST(sip_request_create(home,
	    SIP_METHOD_OPTIONS, URL_STRING_MAKE(*hop), NULL)),
	    SIPTAG_FROM(sip_from_format(home, "<sip:sbc@%s>;tag=%08x",
	    *t->domain ? t->domain : host, tk_random())),
	    SIPTAG_TO(sip_to_format(home, "<%s>", *hop)),
	    SIPTAG_CALL_ID_STR(su_sprintf(home, "sbco-%08x%08x", tk_random(),
	    tk_random())),
	    SIPTAG_CSEQ(sip_cseq_create(home, 1, SIP_METHOD_OPTIONS)),
	    SIPTAG_MAX_FORWARDS_STR("70"), SIPTAG_ACCEPT_STR("application/sdp"),
	    SIPTAG_USER_AGENT_STR(h->tk->tks->cfg->signaling.user_agent),
	    TAG_END()) < 0) {
		msg_destroy(m);
		return NULL;
	}
	return m;
}

static void
opt_send(struct tk_host *h)
{
	msg_t	*m;
	char	*hop;

	if ((m = opt_msg(h, &hop)) == NULL)
		return;
	h->status = 0;
	h->sending = 1;
	h->orq = nta_outgoing_mcreate(tk_agent(h->tk), opt_cb,
	    (nta_outgoing_magic_t *)h, URL_STRING_MAKE(hop), m, TAG_END());
	h->sending = 0;
	if (h->orq == NULL) {
		msg_destroy(m);
		host_failed(h, 503, "cannot send");
	} else if (h->status != 0)
		opt_done(h);
}

/* Every options_interval: a ping still unanswered is a failure; ping
 * every host again. */
static void
opt_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct tk	*tk = (struct tk *)arg;
	struct tk_host	*h;
	size_t		 i;

	for (i = 0; i < tk->nhosts; i++) {
		h = &tk->hosts[i];
		if (h->orq != NULL) {
			nta_outgoing_destroy(h->orq);
			h->orq = NULL;
			host_failed(h, 0, "");
		}
		opt_send(h);
	}
	su_timer_set_interval(tk->opt_timer, opt_tick, (su_timer_arg_t *)tk,
	    (su_duration_t)tk->t->options_interval * 1000);
}

static void
opt_start(struct tk *tk)
{
	unsigned	window = (unsigned)tk->t->options_interval * 1000;

	if (tk->t->options_interval == 0 || tk->opt_timer == NULL)
		return;
	if (window > 5000)
		window = 5000;
	su_timer_set_interval(tk->opt_timer, opt_tick, (su_timer_arg_t *)tk,
	    tk_random() % window);
}

/* ------------------------------------------------------------ life */

static void
tk_free(struct tk *tk)
{
	size_t	i;

	if (tk == NULL)
		return;
	tk_reg_free(tk);
	for (i = 0; i < tk->nhosts; i++)
		if (tk->hosts[i].orq != NULL)
			nta_outgoing_destroy(tk->hosts[i].orq);
	if (tk->opt_timer != NULL)
		su_timer_destroy(tk->opt_timer);
	free(tk->hosts);
	free(tk);
}

/* Point tk (and its hosts) at t, a trunk of the same identity. */
static void
tk_bind(struct tk *tk, const struct sbc_trunk *t)
{
	size_t	i;

	tk->t = t;
	for (i = 0; i < tk->nhosts; i++)
		tk->hosts[i].hostport = t->hosts.v[i];
}

static struct tk *
tk_new(struct trunks *tks, const struct sbc_trunk *t)
{
	struct tk	*tk;
	size_t		 i;

	if ((tk = calloc(1, sizeof(*tk))) == NULL ||
	    (tk->hosts = calloc(t->hosts.n ? t->hosts.n : 1,
	    sizeof(*tk->hosts))) == NULL) {
		free(tk);
		return NULL;
	}
	tk->tks = tks;
	tk->nhosts = t->hosts.n;
	for (i = 0; i < tk->nhosts; i++)
		tk->hosts[i].tk = tk;
	tk_bind(tk, t);
	tk->opt_timer = su_timer_create(su_root_task(tks->b->root), 0);
	tk->reg_timer = su_timer_create(su_root_task(tks->b->root), 0);
	if (tk->opt_timer == NULL || tk->reg_timer == NULL) {
		tk_free(tk);
		return NULL;
	}
	tk->state = tk_state(t->reg ? TKR_WAIT : TKR_OFF,
	    t->options_interval > 0, tk->nhosts, 0);
	return tk;
}

/* The same hosts, transport and registration: the state carries over a
 * reload. */
static int
same_identity(const struct sbc_trunk *a, const struct sbc_trunk *b)
{
	size_t	i;

	if (a->hosts.n != b->hosts.n || a->transport != b->transport ||
	    a->reg != b->reg || a->expires != b->expires ||
	    strcmp(a->username, b->username) != 0 ||
	    strcmp(a->password, b->password) != 0 ||
	    strcmp(a->realm, b->realm) != 0 ||
	    strcmp(a->domain, b->domain) != 0 ||
	    strcmp(a->outbound_proxy, b->outbound_proxy) != 0)
		return 0;
	for (i = 0; i < a->hosts.n; i++)
		if (strcmp(a->hosts.v[i], b->hosts.v[i]) != 0)
			return 0;
	return 1;
}

static size_t
count_registering(const struct sbc_config *cfg)
{
	size_t	i, n = 0;

	for (i = 0; i < cfg->ntrunks; i++)
		n += cfg->trunks[i].reg != 0;
	return n;
}

/* A new tk for t, registering after a start-up spread of nreg. */
static struct tk *
tk_start(struct trunks *tks, const struct sbc_trunk *t, size_t nreg)
{
	struct tk	*tk = tk_new(tks, t);

	if (tk == NULL)
		return NULL;
	if (t->reg)
		tk_reg_init(tk, tk_spread_ms(nreg, tk_random()));
	opt_start(tk);
	return tk;
}

/* ------------------------------------------------------------ reload */

/* The tk of the old set named like t and of the same identity, taken out
 * of the old set; NULL when there is none. */
static struct tk *
take_old(struct trunks *tks, const struct sbc_trunk *t)
{
	struct tk	*tk;
	size_t		 i;

	for (i = 0; i < tks->n; i++) {
		tk = tks->v[i];
		if (tk == NULL || strcmp(tk->t->name, t->name) != 0)
			continue;
		if (!same_identity(tk->t, t))
			return NULL;
		tks->v[i] = NULL;
		return tk;
	}
	return NULL;
}

/* A kept trunk whose OPTIONS settings changed: start over. */
static void
opt_restart(struct tk *tk)
{
	size_t	i;

	su_timer_reset(tk->opt_timer);
	for (i = 0; i < tk->nhosts; i++) {
		nta_outgoing_destroy(tk->hosts[i].orq);
		tk->hosts[i].orq = NULL;
		tk->hosts[i].health = TKH_UNKNOWN;
		tk->hosts[i].fails = 0;
	}
	opt_start(tk);
}

/* A new snapshot: trunks of the same name and identity keep their state
 * (registration, health, counters); the others start over; the ones
 * gone are unregistered (best effort) and freed. */
static int
reconfigure(struct trunks *tks, struct sbc_config *cfg)
{
	struct tk	**v, *tk;
	size_t		  i, nreg = count_registering(cfg);
	int		  opt;

	if ((v = calloc(cfg->ntrunks ? cfg->ntrunks : 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < cfg->ntrunks; i++) {
		if ((tk = take_old(tks, &cfg->trunks[i])) == NULL) {
			v[i] = tk_start(tks, &cfg->trunks[i], nreg);
			continue;
		}
		opt = tk->t->options_interval != cfg->trunks[i].options_interval;
		tk_bind(tk, &cfg->trunks[i]);
		if (opt)
			opt_restart(tk);
		v[i] = tk;
	}
	for (i = 0; i < tks->n; i++)
		tk_free(tks->v[i]);
	free(tks->v);
	tks->v = v;
	tks->n = cfg->ntrunks;
	sbc_config_unref(tks->cfg);
	tks->cfg = sbc_config_ref(cfg);
	log_info(b2b_log(tks->b), "trunks: following the new configuration "
	    "(%zu trunks)", tks->n);
	return 0;
}

/* ------------------------------------------------------------ snapshot */

/* Calls per trunk of tks->cfg right now (every state). */
static void
count_calls(struct trunks *tks, uint64_t *active)
{
	struct b2b	*b = tks->b;
	struct call	*c;
	struct tk	*tk;
	size_t		 i, k;

	for (i = 0; i < b->calls.cap; i++) {
		if (b->calls.slots[i].id == 0 ||
		    (c = b->calls.slots[i].val)->trunk == NULL)
			continue;
		if (c->cfg == tks->cfg) {
			k = (size_t)(c->trunk - tks->cfg->trunks);
			if (k < tks->n)
				active[k]++;
		} else if ((tk = tk_find(tks, c->trunk->name)) != NULL)
			for (k = 0; k < tks->n; k++)
				active[k] += tks->v[k] == tk;
	}
}

static void
fill_row(const struct tk *tk, uint64_t active, time_t now,
    struct snmp_trunk_row *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", tk->t->name);
	r->state = tk->state;
	snprintf(r->last_error, sizeof(r->last_error), "%s", tk->last_error);
	r->registered = tk_reg_live(tk, now);
	r->calls_active = active;
	r->calls_total = tk->calls_total;
	r->calls_failed = tk->calls_failed;
}

/* Hand the rows to the daemon (SNMP) when they changed. */
static void
publish(struct trunks *tks)
{
	const struct sbc_ctx	*ctx = tks->b->svc->ctx;
	struct snmp_trunk_row	*rows;
	uint64_t		*active;
	time_t			 now = time(NULL);
	size_t			 i, n = tks->n;

	if (ctx->trunk_rows == NULL)
		return;
	rows = calloc(n ? n : 1, sizeof(*rows));
	active = calloc(n ? n : 1, sizeof(*active));
	if (rows == NULL || active == NULL)
		goto cleanup;
	count_calls(tks, active);
	for (i = 0; i < n; i++)
		if (tks->v[i] != NULL)
			fill_row(tks->v[i], active[i], now, &rows[i]);
	if (tks->rows != NULL && tks->nrows == (int)n &&
	    memcmp(tks->rows, rows, n * sizeof(*rows)) == 0)
		goto cleanup;
	ctx->trunk_rows(ctx->trunk_arg, rows, (int)n);
	free(tks->rows);
	tks->rows = rows;
	tks->nrows = (int)n;
	rows = NULL;
cleanup:
	free(rows);
	free(active);
}

/* Every second: a reload, bindings that ran out, the SNMP snapshot. */
static void
tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct trunks	*tks = (struct trunks *)arg;
	size_t		 i;

	if (tks->b->svc->cfg != tks->cfg)
		reconfigure(tks, tks->b->svc->cfg);
	for (i = 0; i < tks->n; i++)
		if (tks->v[i] != NULL)
			tk_update(tks->v[i], tks->v[i]->last_error);
	publish(tks);
}

/* ------------------------------------------------------------ life */

int
trunks_init(struct b2b *b)
{
	struct trunks	*tks;
	struct sbc_config *cfg = b->svc->cfg;
	size_t		 i, nreg = count_registering(cfg);

	if ((tks = calloc(1, sizeof(*tks))) == NULL)
		return -1;
	b->trunks = tks;
	tks->b = b;
	tks->force_host = -1;
	tks->cfg = sbc_config_ref(cfg);
	if ((tks->v = calloc(cfg->ntrunks ? cfg->ntrunks : 1,
	    sizeof(*tks->v))) == NULL ||
	    (tks->tick = su_timer_create(su_root_task(b->root), 1000)) == NULL)
		return -1;
	tks->n = cfg->ntrunks;
	for (i = 0; i < cfg->ntrunks; i++)
		if ((tks->v[i] = tk_start(tks, &cfg->trunks[i], nreg)) == NULL)
			return -1;
	/* the first publish is the first tick's: the daemon takes rows only
	 * once its SNMP agent has started, after every setup */
	su_timer_set_for_ever(tks->tick, tick, (su_timer_arg_t *)tks);
	return 0;
}

static void
stop_wait(struct trunks *tks)
{
	uint64_t	until = sbc_now_ms() + TK_STOP_WAIT_MS;

	while (tks->pending > 0 && sbc_now_ms() < until)
		su_root_step(tks->b->root, 50);
	if (tks->pending > 0)
		log_notice(b2b_log(tks->b), "trunks: %d unregistrations not "
		    "answered within %d ms", tks->pending, TK_STOP_WAIT_MS);
}

void
trunks_stop(struct b2b *b)
{
	struct trunks	*tks = b != NULL ? b->trunks : NULL;
	size_t		 i;

	if (tks == NULL)
		return;
	tks->stopping = 1;
	if (tks->tick != NULL)
		su_timer_destroy(tks->tick);
	tks->tick = NULL;
	for (i = 0; i < tks->n; i++)
		if (tks->v[i] != NULL)
			tk_reg_unregister(tks->v[i]);
	stop_wait(tks);
	for (i = 0; i < tks->n; i++)
		tk_free(tks->v[i]);
	free(tks->v);
	free(tks->rows);
	sbc_config_unref(tks->cfg);
	free(tks);
	b->trunks = NULL;
}

/* ------------------------------------------------------------ calls */

/* The state of the call's trunk, when it has the hosts the call sees. */
static struct tk *
tk_of_call(const struct call *c)
{
	struct tk	*tk;
	size_t		 i;

	if (c->trunk == NULL ||
	    (tk = tk_find(c->b->trunks, c->trunk->name)) == NULL)
		return NULL;
	if (tk->t == c->trunk)
		return tk;
	if (tk->nhosts != c->trunk->hosts.n)
		return NULL;
	for (i = 0; i < tk->nhosts; i++)
		if (strcmp(tk->hosts[i].hostport, c->trunk->hosts.v[i]) != 0)
			return NULL;
	return tk;
}

/* 503 with Retry-After to the browser's INVITE (at most once). */
static void
unavailable(struct call *c, const struct tk *tk)
{
	char	ra[16];
	msg_t	*m;

	if (c->b_invite == NULL || c->b_done)
		return;
	snprintf(ra, sizeof(ra), "%d", tk != NULL &&
	    tk->t->options_interval > 0 ? tk->t->options_interval :
	    TK_RETRY_AFTER_S);
	m = sipmsg_response(sip_object(c->b_invite), 503, "Service Unavailable",
	    c->b_tag, SIPTAG_RETRY_AFTER_STR(ra),
	    SIPTAG_SERVER_STR(c->cfg->signaling.user_agent), TAG_END());
	if (m != NULL)
		browser_send_flow(c->b, c->flow, m);
	c->b_done = 1;
}

int
trunk_call_host(struct call *c)
{
	struct trunks	*tks = c->b->trunks;
	struct tk	*tk;
	int		 host;

	if (tks != NULL && tks->force_host >= 0) {
		host = tks->force_host;		/* a failover retry */
		tks->force_host = -1;
		return host;
	}
	if (tks == NULL || (tk = tk_of_call(c)) == NULL)
		return 0;
	tk->calls_total++;
	if ((host = tk_preferred_host(tk)) >= 0)
		return host;
	tk->calls_failed++;
	log_notice(b2b_log(c->b), "call %llu: trunk '%s' has no usable host: "
	    "503", (unsigned long long)c->id, tk->t->name);
	unavailable(c, tk);
	return -1;
}

/* Which host of the call's trunk the INVITE in flight went to; -1. */
static int
host_of_invite(const struct call *c)
{
	const url_t	*u = nta_outgoing_request_uri(c->p_invite);
	char		 host[256], uhost[256];
	int		 port;
	size_t		 i;

	if (u == NULL || u->url_host == NULL)
		return -1;
	snprintf(uhost, sizeof(uhost), "%s", u->url_host[0] == '[' ?
	    u->url_host + 1 : u->url_host);
	uhost[strcspn(uhost, "]")] = '\0';
	for (i = 0; i < c->trunk->hosts.n; i++) {
		if (conf_split_hostport(c->trunk->hosts.v[i], host, sizeof(host),
		    &port) == -1 || strcasecmp(host, uhost) != 0)
			continue;
		if (port == (u->url_port ? atoi(u->url_port) : 0))
			return (int)i;
	}
	return -1;
}

/* The next usable host after the one that failed; -1 when none. */
static int
next_host(const struct tk *tk, int failed)
{
	size_t	i;

	if (failed < 0)
		return -1;
	for (i = (size_t)failed + 1; i < tk->nhosts; i++)
		if (tk->hosts[i].health != TKH_DOWN)
			return (int)i;
	return -1;
}

/* The same INVITE (our SDP, the user dialled) on a new PBX leg to host. */
static int
resend(struct call *c, int host)
{
	msg_t		*req = nta_outgoing_getrequest(c->p_invite);
	const sip_t	*rs = req != NULL ? sip_object(req) : NULL;
	const char	*user;
	char		*sdp = NULL;
	int		 rc = -1;

	if (rs == NULL || rs->sip_request == NULL ||
	    (user = rs->sip_request->rq_url->url_user) == NULL ||
	    (user = su_strdup(c->home, user)) == NULL)
		goto cleanup;
	if (rs->sip_payload != NULL && (sdp = su_strndup(c->home,
	    rs->sip_payload->pl_data, rs->sip_payload->pl_len)) == NULL)
		goto cleanup;
	nta_outgoing_destroy(c->p_invite);	/* freed later by NTA */
	c->p_invite = NULL;
	nta_leg_destroy(c->p_leg);
	c->p_leg = NULL;
	c->b->trunks->force_host = host;
	rc = pbx_invite(c, sip_object(c->b_invite), user, sdp);
	c->b->trunks->force_host = -1;
cleanup:
	if (req != NULL)
		msg_destroy(req);
	return rc;
}

int
trunk_call_failed(struct call *c, const sip_t *resp)
{
	int		 st = resp->sip_status->st_status, failed, next;
	struct tk	*tk;

	if (c->b->trunks == NULL || (tk = tk_of_call(c)) == NULL)
		return -1;
	if ((st != 503 && st != 408) || c->state != CALL_CALLING ||
	    c->b_invite == NULL || c->p_invite == NULL) {
		tk->calls_failed++;
		return -1;
	}
	failed = host_of_invite(c);
	if ((next = next_host(tk, failed)) >= 0) {
		log_notice(b2b_log(c->b), "call %llu: trunk '%s' host %s: %d; "
		    "trying %s", (unsigned long long)c->id, tk->t->name,
		    tk->hosts[failed].hostport, st, tk->hosts[next].hostport);
		if (resend(c, next) == 0)
			return 0;
	}
	tk->calls_failed++;
	log_notice(b2b_log(c->b), "call %llu: trunk '%s': %d, no host left: "
	    "503", (unsigned long long)c->id, tk->t->name, st);
	unavailable(c, tk);
	return 1;
}

/* ------------------------------------------------------------ inbound */

void
trunk_call_in(struct call *c)
{
	struct tk	*tk;

	if (c->b->trunks != NULL && (tk = tk_of_call(c)) != NULL)
		tk->calls_total++;
}

const char *
trunk_inbound_user(struct b2b *b, const sip_t *sip, const char *user)
{
	struct trunks	*tks = b->trunks;
	char		 cu[sizeof(((struct tk *)0)->contact_user)];
	size_t		 i;

	if (tks == NULL || user == NULL || strncmp(user, "trunk-", 6) != 0 ||
	    sip->sip_to == NULL || sip->sip_to->a_url->url_user == NULL)
		return user;
	for (i = 0; i < tks->n; i++) {
		if (tks->v[i] == NULL || !tks->v[i]->t->reg ||
		    tk_contact_user(tks->v[i]->t->name, cu, sizeof(cu)) == -1 ||
		    strcmp(cu, user) != 0)
			continue;
		return sip->sip_to->a_url->url_user;
	}
	return user;
}
