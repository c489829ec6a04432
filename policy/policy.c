/*
 * policy.c: the policy facade (see policy.h for the rules and locking).
 *
 * Limits are copied from struct sbc_policy into struct pol_limits; values
 * the schema forbids are made harmless rather than refused: ban_threshold
 * or auth_failures <= 0 never ban on that count, ban_time and ban_window
 * are at least one second.
 * Owns: the tracker, the copied limits, the counters, the mutex.
 * Thread: any; every entry point but policy_scanner_match and
 * pol_reason_name takes p->mu.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/tracker.h"

#define POL_LEVEL_MAX		6			/* 64x ban_time */
#define POL_BAN_CAP_MS		(86400ULL * 1000)	/* 1 day */
#define POL_LEVEL_FORGET_MS	(86400ULL * 1000)

struct pol_limits {
	struct sbc_rate		rate[POL_C_MAX];
	int			max_conns;	/* 0: unlimited */
	enum sbc_over_limit	over_limit;
	uint64_t		ban_ms;
	uint32_t		ban_threshold;	/* 0: never */
	uint64_t		window_ms;
	uint32_t		auth_failures;	/* 0: never */
	int			tracking_entries;
};

struct policy {
	pthread_mutex_t		 mu;
	struct tracker		*t;
	struct pol_limits	 lim;
	uint64_t		 counters[POL_REASON_MAX];
	uint64_t		 bans_total;
	pol_ban_cb		 on_ban;
	void			*arg;
};

/* A ban started under the mutex, reported to on_ban after it. */
struct ban_note {
	int		seconds;	/* 0: no ban started */
	enum pol_reason	reason;
};

static const char *const reason_names[POL_REASON_MAX] = {
	[POL_R_RATE_REGISTER] = "rate_register",
	[POL_R_RATE_INVITE] = "rate_invite",
	[POL_R_RATE_OTHER] = "rate_other",
	[POL_R_RATE_CONNECTION] = "rate_connection",
	[POL_R_MAX_CONNECTIONS] = "max_connections",
	[POL_R_BANNED] = "banned",
	[POL_R_MALFORMED] = "malformed",
	[POL_R_AUTH_FAILURE] = "auth_failure",
	[POL_R_SCANNER] = "scanner",
	[POL_R_MANUAL] = "manual",
	[POL_R_EVICTED] = "evicted",
	[POL_R_EVICTED_BANNED] = "evicted_banned",
};

const char *
pol_reason_name(enum pol_reason r)
{
	if ((unsigned)r >= POL_REASON_MAX)
		return "unknown";
	return reason_names[r];
}

/* ------------------------------------------------------ life cycle */

static int
limits_from_conf(const struct sbc_policy *c, struct pol_limits *l)
{
	if (c == NULL || c->tracking_entries < 1)
		return -1;
	memset(l, 0, sizeof(*l));
	l->rate[POL_C_REGISTER] = c->register_rate;
	l->rate[POL_C_INVITE] = c->invite_rate;
	l->rate[POL_C_OTHER] = c->other_rate;
	l->rate[POL_C_CONNECTION] = c->connection_rate;
	l->max_conns = c->max_connections_per_ip;
	l->over_limit = c->over_limit;
	l->ban_ms = (uint64_t)(c->ban_time > 0 ? c->ban_time : 1) * 1000;
	l->ban_threshold = c->ban_threshold > 0 ? (uint32_t)c->ban_threshold : 0;
	l->window_ms = (uint64_t)(c->ban_window > 0 ? c->ban_window : 1) * 1000;
	l->auth_failures = c->auth_failures > 0 ? (uint32_t)c->auth_failures : 0;
	l->tracking_entries = c->tracking_entries;
	return 0;
}

struct policy *
policy_create(const struct sbc_policy *conf, pol_ban_cb on_ban, void *arg)
{
	struct policy	*p;
	uint64_t	 seed[2];

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (limits_from_conf(conf, &p->lim) == -1)
		goto fail;
	pol_random_seed(seed);
	p->t = tracker_create((size_t)p->lim.tracking_entries, seed);
	if (p->t == NULL)
		goto fail;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail;
	p->on_ban = on_ban;
	p->arg = arg;
	return p;
fail:
	tracker_destroy(p->t);
	free(p);
	return NULL;
}

void
policy_destroy(struct policy *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->mu);
	tracker_destroy(p->t);
	free(p);
}

int
policy_reconfigure(struct policy *p, const struct sbc_policy *conf)
{
	struct pol_limits	l;

	if (p == NULL || limits_from_conf(conf, &l) == -1)
		return -1;
	pthread_mutex_lock(&p->mu);
	p->lim = l;
	pthread_mutex_unlock(&p->mu);
	/* the capacity never changes after create: no lock needed */
	return (size_t)l.tracking_entries == tracker_capacity(p->t) ? 0 : 1;
}

/* ------------------------------------------------------------- bans */

static uint64_t
ban_duration_ms(const struct pol_limits *l, int level)
{
	uint64_t	d = l->ban_ms << level;
	uint64_t	cap = l->ban_ms > POL_BAN_CAP_MS ? l->ban_ms : POL_BAN_CAP_MS;

	return d > cap ? cap : d;
}

static void
start_ban(struct policy *p, struct pol_entry *e, enum pol_reason why,
    uint64_t now_ms, struct ban_note *note)
{
	uint64_t	dur;
	int		level = 0;

	/* escalate when the previous ban ended less than a day ago */
	if (e->ban_until_ms != 0 &&
	    now_ms < e->ban_until_ms + POL_LEVEL_FORGET_MS)
		level = e->ban_level < POL_LEVEL_MAX ? e->ban_level + 1 :
		    POL_LEVEL_MAX;
	dur = ban_duration_ms(&p->lim, level);
	e->ban_level = (uint8_t)level;
	e->ban_reason = (uint8_t)why;
	e->ban_until_ms = now_ms + dur;
	pol_window_reset(&e->violations, now_ms);
	pol_window_reset(&e->auth_fails, now_ms);
	tracker_update_ban(p->t, e, now_ms);
	p->bans_total++;
	note->seconds = (int)(dur / 1000);
	note->reason = why;
}

static void
notify(const struct policy *p, const struct sockaddr *sa,
    const struct ban_note *note)
{
	if (note->seconds > 0 && p->on_ban != NULL)
		p->on_ban(p->arg, sa, note->seconds, pol_reason_name(note->reason));
}

/* Count a violation; 1 when it started a ban. */
static int
violation(struct policy *p, struct pol_entry *e, enum pol_reason why,
    uint64_t now_ms, struct ban_note *note)
{
	p->counters[why]++;
	if (p->lim.ban_threshold == 0)
		return 0;
	if (pol_window_add(&e->violations, p->lim.window_ms, now_ms) <
	    p->lim.ban_threshold)
		return 0;
	start_ban(p, e, why, now_ms, note);
	return 1;
}

/* An event over a limit: DROP if it banned the source, else per conf. */
static enum pol_verdict
refuse(struct policy *p, struct pol_entry *e, enum pol_reason why,
    uint64_t now_ms, struct ban_note *note)
{
	if (violation(p, e, why, now_ms, note))
		return POL_DROP;
	return p->lim.over_limit == SBC_LIMIT_REJECT ? POL_REJECT : POL_DROP;
}

/* ----------------------------------------------------------- events */

static enum pol_verdict
check_rate(struct policy *p, struct pol_entry *e, enum pol_class c,
    enum pol_reason why, uint64_t now_ms, struct ban_note *note)
{
	if (pol_bucket_take(&e->bucket[c], &p->lim.rate[c], now_ms))
		return POL_ALLOW;
	return refuse(p, e, why, now_ms, note);
}

static enum pol_verdict
check_connect(struct policy *p, struct pol_entry *e, uint64_t now_ms,
    struct ban_note *note)
{
	enum pol_verdict	v;

	v = check_rate(p, e, POL_C_CONNECTION, POL_R_RATE_CONNECTION, now_ms,
	    note);
	if (v != POL_ALLOW)
		return v;
	if (p->lim.max_conns > 0 && e->conns >= (uint32_t)p->lim.max_conns)
		return refuse(p, e, POL_R_MAX_CONNECTIONS, now_ms, note);
	e->conns++;
	return POL_ALLOW;
}

static enum pol_verdict
check_auth_fail(struct policy *p, struct pol_entry *e, uint64_t now_ms,
    struct ban_note *note)
{
	p->counters[POL_R_AUTH_FAILURE]++;
	if (p->lim.auth_failures == 0 ||
	    pol_window_add(&e->auth_fails, p->lim.window_ms, now_ms) <
	    p->lim.auth_failures)
		return POL_ALLOW;
	start_ban(p, e, POL_R_AUTH_FAILURE, now_ms, note);
	return POL_DROP;
}

static enum pol_verdict
check_event(struct policy *p, struct pol_entry *e, enum pol_event ev,
    uint64_t now_ms, struct ban_note *note)
{
	switch (ev) {
	case PE_CONNECT:
		return check_connect(p, e, now_ms, note);
	case PE_REGISTER:
		return check_rate(p, e, POL_C_REGISTER, POL_R_RATE_REGISTER,
		    now_ms, note);
	case PE_INVITE:
		return check_rate(p, e, POL_C_INVITE, POL_R_RATE_INVITE,
		    now_ms, note);
	case PE_OTHER:
		return check_rate(p, e, POL_C_OTHER, POL_R_RATE_OTHER,
		    now_ms, note);
	case PE_MALFORMED:
		return violation(p, e, POL_R_MALFORMED, now_ms, note) ?
		    POL_DROP : POL_ALLOW;
	case PE_AUTH_FAIL:
		return check_auth_fail(p, e, now_ms, note);
	case PE_SCANNER:
		p->counters[POL_R_SCANNER]++;
		start_ban(p, e, POL_R_SCANNER, now_ms, note);
		return POL_DROP;
	case PE_DISCONNECT:	/* handled by the caller */
	default:
		return POL_ALLOW;
	}
}

/* Find or create (full buckets), counting evictions.  Under p->mu. */
static struct pol_entry *
get_entry(struct policy *p, const struct pol_key *k, uint64_t now_ms)
{
	struct pol_entry	*e;
	int			 created, evicted, c;

	e = tracker_get(p->t, k, now_ms, &created, &evicted);
	if (evicted == 1)
		p->counters[POL_R_EVICTED]++;
	else if (evicted == 2)
		p->counters[POL_R_EVICTED_BANNED]++;
	if (created)
		for (c = 0; c < POL_C_MAX; c++)
			pol_bucket_init(&e->bucket[c], p->lim.rate[c].rate,
			    p->lim.rate[c].burst, now_ms);
	return e;
}

enum pol_verdict
policy_check(struct policy *p, const struct sockaddr *sa, enum pol_event ev,
    uint64_t now_ms)
{
	struct pol_key		 k;
	struct pol_entry	*e;
	struct ban_note		 note = { 0, POL_R_BANNED };
	enum pol_verdict	 v = POL_ALLOW;

	if (pol_key_from_sa(sa, &k) == -1)
		return POL_ALLOW;
	pthread_mutex_lock(&p->mu);
	if (ev == PE_DISCONNECT) {
		e = tracker_find(p->t, &k);	/* evicted: nothing to release */
		if (e != NULL && e->conns > 0)
			e->conns--;
		goto out;
	}
	e = get_entry(p, &k, now_ms);
	if (e->ban_until_ms > now_ms) {
		p->counters[POL_R_BANNED]++;
		v = POL_DROP;
		goto out;
	}
	v = check_event(p, e, ev, now_ms, &note);
out:
	pthread_mutex_unlock(&p->mu);
	notify(p, sa, &note);
	return v;
}

int
policy_is_banned(struct policy *p, const struct sockaddr *sa,
    uint64_t now_ms)
{
	struct pol_key		 k;
	struct pol_entry	*e;
	int			 banned;

	if (pol_key_from_sa(sa, &k) == -1)
		return 0;
	pthread_mutex_lock(&p->mu);
	e = tracker_find(p->t, &k);
	banned = e != NULL && e->ban_until_ms > now_ms;
	pthread_mutex_unlock(&p->mu);
	return banned;
}

/* ---------------------------------------------------------- scanners */

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
contains_nocase(const char *hay, const char *pat)
{
	size_t	i, n = strlen(pat);

	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n && hay[i] != '\0' &&
		    ascii_lower((unsigned char)hay[i]) ==
		    ascii_lower((unsigned char)pat[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

int
policy_scanner_match(const struct sbc_policy *conf, const char *ua)
{
	const char	*pat;
	size_t		 i;

	if (conf == NULL || ua == NULL)
		return 0;
	for (i = 0; i < conf->scanner_user_agents.n; i++) {
		pat = conf->scanner_user_agents.v[i];
		/* an empty pattern would match every User-Agent: skipped */
		if (pat != NULL && pat[0] != '\0' && contains_nocase(ua, pat))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------- manual bans */

int
policy_ban_add(struct policy *p, const struct sockaddr *sa, int seconds,
    uint64_t now_ms)
{
	struct pol_key		 k;
	struct pol_entry	*e;
	struct ban_note		 note = { seconds, POL_R_MANUAL };

	if (seconds < 1 || pol_key_from_sa(sa, &k) == -1)
		return -1;
	pthread_mutex_lock(&p->mu);
	e = get_entry(p, &k, now_ms);
	/* replaces any ban in force; the escalation level is kept */
	e->ban_until_ms = now_ms + (uint64_t)seconds * 1000;
	e->ban_reason = POL_R_MANUAL;
	tracker_update_ban(p->t, e, now_ms);
	p->counters[POL_R_MANUAL]++;
	p->bans_total++;
	pthread_mutex_unlock(&p->mu);
	notify(p, sa, &note);
	return 0;
}

int
policy_ban_del(struct policy *p, const struct sockaddr *sa)
{
	struct pol_key		 k;
	struct pol_entry	*e;
	int			 rc = -1;

	if (pol_key_from_sa(sa, &k) == -1)
		return -1;
	pthread_mutex_lock(&p->mu);
	e = tracker_find(p->t, &k);
	if (e == NULL || e->ban_until_ms == 0)
		goto out;
	e->ban_until_ms = 0;
	e->ban_level = 0;
	memset(&e->violations, 0, sizeof(e->violations));
	memset(&e->auth_fails, 0, sizeof(e->auth_fails));
	tracker_update_ban(p->t, e, 0);
	rc = 0;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

size_t
policy_ban_list(struct policy *p, struct pol_ban *out, size_t max,
    uint64_t now_ms)
{
	struct pol_entry	*e = NULL;
	struct pol_ban		*b;
	size_t			 n = 0;

	pthread_mutex_lock(&p->mu);
	(void)tracker_sweep(p->t, now_ms);	/* the list is now all active */
	while ((e = tracker_banned_next(p->t, e)) != NULL) {
		if (n < max) {
			b = &out[n];
			(void)pol_key_format(&e->key, b->addr, sizeof(b->addr));
			b->seconds_left = (e->ban_until_ms - now_ms + 999) / 1000;
			b->level = e->ban_level;
			b->reason = pol_reason_name((enum pol_reason)e->ban_reason);
		}
		n++;
	}
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* ------------------------------------------------------------ counters */

void
policy_counters(struct policy *p, uint64_t out[POL_REASON_MAX])
{
	pthread_mutex_lock(&p->mu);
	memcpy(out, p->counters, sizeof(p->counters));
	pthread_mutex_unlock(&p->mu);
}

void
policy_gauges(struct policy *p, uint64_t now_ms, struct pol_gauges *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_lock(&p->mu);
	g->bans_active = tracker_sweep(p->t, now_ms);
	g->bans_total = p->bans_total;
	g->entries = tracker_count(p->t);
	g->capacity = tracker_capacity(p->t);
	g->memory = tracker_memory(p->t);
	pthread_mutex_unlock(&p->mu);
}
