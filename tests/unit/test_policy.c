/*
 * test_policy.c: cmocka unit tests for policy/ratelimit.c (token buckets,
 * sliding windows), policy/tracker.c (keys, SipHash, the bounded LRU table)
 * and policy/policy.c (verdicts, bans, escalation, scanners, auth
 * failures, connection counts, manual bans, reconfigure, counters, the
 * on_ban callback, two threads at once).
 *
 * Time is injected (milliseconds); nothing sleeps.
 * Thread: single-threaded test binary, but for test_threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "policy/ratelimit.h"
#include "policy/tracker.h"

#define SEC	1000ULL
#define T0	(1000000 * SEC)		/* an arbitrary monotonic origin */

static struct sockaddr_storage
peer(const char *ip)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5060);
	} else {
		assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5061);
	}
	return ss;
}

#define SA(ss)	((const struct sockaddr *)&(ss))

/* The schema's defaults, with no rate limits and a small table. */
static struct sbc_policy
conf_default(void)
{
	struct sbc_policy	c;

	memset(&c, 0, sizeof(c));
	c.over_limit = SBC_LIMIT_DROP;
	c.ban_time = 600;
	c.ban_threshold = 20;
	c.ban_window = 60;
	c.auth_failures = 5;
	c.tracking_entries = 64;
	return c;
}

/* Everything on_ban saw. */
struct ban_log {
	struct policy	*p;
	int		 calls;
	int		 seconds;
	char		 reason[32];
	char		 addr[INET6_ADDRSTRLEN];
	int		 banned_inside;	/* policy_is_banned() from the callback */
	uint64_t	 now;
};

static void
on_ban(void *arg, const struct sockaddr *sa, int seconds, const char *reason)
{
	struct ban_log	*l = arg;
	struct pol_key	 k;

	l->calls++;
	l->seconds = seconds;
	snprintf(l->reason, sizeof(l->reason), "%s", reason);
	assert_int_equal(pol_key_from_sa(sa, &k), 0);
	assert_int_equal(pol_key_format(&k, l->addr, sizeof(l->addr)), 0);
	/* would deadlock if the callback ran under the policy mutex */
	if (l->p != NULL)
		l->banned_inside = policy_is_banned(l->p, sa, l->now);
}

/* ------------------------------------------------------------ buckets */

static void
test_bucket_basic(void **state)
{
	struct pol_bucket	b;
	struct sbc_rate		r = { 10, 5 };
	int			i;

	(void)state;
	pol_bucket_init(&b, r.rate, r.burst, 0);
	for (i = 0; i < 5; i++)
		assert_true(pol_bucket_take(&b, &r, 0));
	assert_false(pol_bucket_take(&b, &r, 0));
	/* 10/s: one token per 100 ms, not before */
	assert_false(pol_bucket_take(&b, &r, 99));
	assert_true(pol_bucket_take(&b, &r, 100));
	assert_false(pol_bucket_take(&b, &r, 100));
	/* a long pause refills to the burst, no more */
	for (i = 0; i < 5; i++)
		assert_true(pol_bucket_take(&b, &r, 10000));
	assert_false(pol_bucket_take(&b, &r, 10000));
	/* peek does not take */
	assert_true(pol_bucket_peek(&b, &r, 10100));
	assert_true(pol_bucket_peek(&b, &r, 10100));
	assert_true(pol_bucket_take(&b, &r, 10100));
	assert_false(pol_bucket_peek(&b, &r, 10100));
}

static void
test_bucket_edges(void **state)
{
	struct pol_bucket	b;
	struct sbc_rate		r = { 3, 0 }, off = { 0, 0 };
	struct sbc_rate		big = { 1000000, 1000000 }, two = { 2, 2 };
	int			i;

	(void)state;
	/* burst 0: one second's worth */
	pol_bucket_init(&b, r.rate, r.burst, T0);
	for (i = 0; i < 3; i++)
		assert_true(pol_bucket_take(&b, &r, T0));
	assert_false(pol_bucket_take(&b, &r, T0));

	/* rate 0: unlimited */
	for (i = 0; i < 10000; i++)
		assert_true(pol_bucket_take(&b, &off, T0));

	/* the clock going back does not refill; it resumes from last */
	pol_bucket_init(&b, two.rate, two.burst, 10 * SEC);
	assert_true(pol_bucket_take(&b, &two, 10 * SEC));
	assert_true(pol_bucket_take(&b, &two, 10 * SEC));
	assert_false(pol_bucket_take(&b, &two, 10 * SEC));
	assert_false(pol_bucket_take(&b, &two, 5 * SEC));
	assert_false(pol_bucket_take(&b, &two, 10 * SEC + 499));
	assert_true(pol_bucket_take(&b, &two, 10 * SEC + 500));

	/* huge rates and elapsed times do not overflow */
	pol_bucket_init(&b, big.rate, big.burst, 0);
	b.milli = 0;
	assert_true(pol_bucket_take(&b, &big, UINT64_MAX / 2));
	assert_int_equal(b.milli, 1000000ULL * 1000 - 1000);

	/* initialised with rate 0, a bucket is full for later limits */
	pol_bucket_init(&b, 0, 0, 0);
	assert_true(pol_bucket_take(&b, &two, 0));
	assert_true(pol_bucket_take(&b, &two, 0));
	assert_false(pol_bucket_take(&b, &two, 0));
}

static void
test_window(void **state)
{
	struct pol_window	w;

	(void)state;
	memset(&w, 0, sizeof(w));	/* a zeroed window is valid */
	assert_int_equal(pol_window_add(&w, 1000, 100), 1);
	assert_int_equal(pol_window_add(&w, 1000, 200), 2);
	/* next window: prev 2 weighs 900/1000 -> 1 */
	assert_int_equal(pol_window_add(&w, 1000, 1100), 2);
	/* half way: 2 + 2 * 500 / 1000 */
	assert_int_equal(pol_window_add(&w, 1000, 1500), 3);
	/* two windows later: forgotten */
	assert_int_equal(pol_window_add(&w, 1000, 3500), 1);
	/* the clock going back restarts */
	assert_int_equal(pol_window_add(&w, 1000, 10), 1);
	pol_window_reset(&w, 0);
	assert_int_equal(pol_window_add(&w, 0, 0), 1);	/* window 0: 1 ms */
}

/* ------------------------------------------------------- keys, hash */

static void
test_siphash_vectors(void **state)
{
	/* SipHash-2-4 reference vectors: key 00..0f, message 00..(n-1) */
	const uint64_t	key[2] = { 0x0706050403020100ULL,
	    0x0f0e0d0c0b0a0908ULL };
	uint8_t		msg[16];
	int		i;

	(void)state;
	for (i = 0; i < 16; i++)
		msg[i] = (uint8_t)i;
	assert_true(pol_hash(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(pol_hash(key, msg, 1) == 0x74f839c593dc67fdULL);
	assert_true(pol_hash(key, msg, 8) == 0x93f5f5799a932462ULL);
	assert_true(pol_hash(key, msg, 15) == 0xa129ca6149be45e5ULL);
}

static void
test_keys(void **state)
{
	struct sockaddr_storage	v4 = peer("192.0.2.1");
	struct sockaddr_storage	mapped = peer("::ffff:192.0.2.1");
	struct sockaddr_storage	v6 = peer("2001:db8::1");
	struct sockaddr_storage	compat = peer("::192.0.2.1");
	struct sockaddr_un	un;
	struct pol_key		a, b;
	char			buf[INET6_ADDRSTRLEN], tiny[4];

	(void)state;
	assert_int_equal(pol_key_from_sa(SA(v4), &a), 0);
	assert_int_equal(pol_key_from_sa(SA(mapped), &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(pol_key_format(&b, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.0.2.1");

	assert_int_equal(pol_key_from_sa(SA(v6), &b), 0);
	assert_int_equal(b.family, AF_INET6);
	assert_memory_not_equal(&a, &b, sizeof(a));
	assert_int_equal(pol_key_format(&b, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(pol_key_format(&b, tiny, sizeof(tiny)), -1);

	/* IPv4-compatible (::a.b.c.d) is not mapped */
	assert_int_equal(pol_key_from_sa(SA(compat), &b), 0);
	assert_int_equal(b.family, AF_INET6);

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_int_equal(pol_key_from_sa((struct sockaddr *)&un, &b), -1);
	assert_int_equal(pol_key_from_sa(NULL, &b), -1);
}

/* ------------------------------------------------------------ tracker */

static void
tkey(int i, struct pol_key *k)
{
	char			 ip[32];
	struct sockaddr_storage	 ss;

	snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255,
	    (i >> 8) & 255, i & 255);
	ss = peer(ip);
	assert_int_equal(pol_key_from_sa(SA(ss), k), 0);
}

static void
test_tracker_table(void **state)
{
	const uint64_t		 seed[2] = { 1, 2 };
	struct tracker		*t = tracker_create(8, seed);
	struct pol_entry	*e, *e0;
	struct pol_key		 k;
	int			 i, created, evicted;
	size_t			 mem;

	(void)state;
	assert_non_null(t);
	assert_null(tracker_create(0, seed));
	mem = tracker_memory(t);
	for (i = 0; i < 8; i++) {
		tkey(i, &k);
		e = tracker_get(t, &k, (uint64_t)i, &created, &evicted);
		assert_true(created);
		assert_int_equal(evicted, 0);
		assert_int_equal(e->last_seen_ms, (uint64_t)i);
	}
	assert_int_equal(tracker_count(t), 8);
	/* touch key 0: now 1 is the least recently seen */
	tkey(0, &k);
	e0 = tracker_get(t, &k, 100, &created, &evicted);
	assert_false(created);
	tkey(100, &k);
	(void)tracker_get(t, &k, 101, &created, &evicted);
	assert_int_equal(evicted, 1);
	tkey(1, &k);
	assert_null(tracker_find(t, &k));
	tkey(0, &k);
	assert_ptr_equal(tracker_find(t, &k), e0);
	/* remove frees a slot: no eviction for the next one */
	tracker_remove(t, e0);
	tracker_remove(t, e0);		/* twice: harmless */
	assert_null(tracker_find(t, &k));
	assert_int_equal(tracker_count(t), 7);
	tkey(200, &k);
	(void)tracker_get(t, &k, 102, &created, &evicted);
	assert_int_equal(evicted, 0);
	assert_int_equal(tracker_count(t), 8);
	assert_int_equal(tracker_capacity(t), 8);
	assert_int_equal(tracker_memory(t), mem);
	tracker_destroy(t);
	tracker_destroy(NULL);
}

static void
test_tracker_banned_last(void **state)
{
	const uint64_t		 seed[2] = { 3, 4 };
	struct tracker		*t = tracker_create(4, seed);
	struct pol_entry	*e;
	struct pol_key		 k;
	int			 i, created, evicted;

	(void)state;
	/* four entries, all banned until 1000; the oldest is key 0 */
	for (i = 0; i < 4; i++) {
		tkey(i, &k);
		e = tracker_get(t, &k, (uint64_t)i, &created, &evicted);
		e->ban_until_ms = 1000;
		tracker_update_ban(t, e, (uint64_t)i);
	}
	assert_int_equal(tracker_sweep(t, 10), 4);
	i = 0;
	for (e = tracker_banned_next(t, NULL); e != NULL;
	    e = tracker_banned_next(t, e))
		i++;
	assert_int_equal(i, 4);
	/* all banned: the least recently seen ban goes */
	tkey(10, &k);
	(void)tracker_get(t, &k, 20, &created, &evicted);
	assert_int_equal(evicted, 2);
	tkey(0, &k);
	assert_null(tracker_find(t, &k));
	/* now one unbanned entry (10): it goes before any ban */
	tkey(11, &k);
	(void)tracker_get(t, &k, 21, &created, &evicted);
	assert_int_equal(evicted, 1);
	tkey(10, &k);
	assert_null(tracker_find(t, &k));
	/* bans expired: the sweep moves them to the unbanned list */
	assert_int_equal(tracker_sweep(t, 1000), 0);
	assert_null(tracker_banned_next(t, NULL));
	tracker_destroy(t);
}

/* -------------------------------------------------------------- policy */

static void
test_ban_threshold(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.10");
	struct sockaddr_storage	 other = peer("192.0.2.11");
	uint64_t		 cnt[POL_REASON_MAX];
	struct pol_gauges	 g;

	(void)state;
	memset(&log, 0, sizeof(log));
	c.invite_rate.rate = 1;
	c.invite_rate.burst = 2;
	c.ban_threshold = 3;
	assert_non_null(p = policy_create(&c, on_ban, &log));
	log.p = p;
	log.now = T0;
	assert_int_equal(policy_check(p, SA(a), PE_INVITE, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_INVITE, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_INVITE, T0), POL_DROP);
	assert_int_equal(policy_check(p, SA(a), PE_INVITE, T0), POL_DROP);
	assert_int_equal(log.calls, 0);
	assert_false(policy_is_banned(p, SA(a), T0));
	/* the third violation bans */
	assert_int_equal(policy_check(p, SA(a), PE_INVITE, T0), POL_DROP);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.seconds, 600);
	assert_string_equal(log.reason, "rate_invite");
	assert_string_equal(log.addr, "192.0.2.10");
	assert_true(log.banned_inside);
	assert_true(policy_is_banned(p, SA(a), T0));
	assert_false(policy_is_banned(p, SA(other), T0));
	/* banned: everything dropped, even what would pass */
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0 + 10 * SEC),
	    POL_DROP);
	assert_int_equal(policy_check(p, SA(other), PE_REGISTER, T0),
	    POL_ALLOW);

	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_RATE_INVITE], 3);
	assert_int_equal(cnt[POL_R_BANNED], 1);
	assert_int_equal(cnt[POL_R_RATE_REGISTER], 0);
	policy_gauges(p, T0, &g);
	assert_int_equal(g.bans_active, 1);
	assert_int_equal(g.bans_total, 1);
	assert_int_equal(g.entries, 2);
	assert_int_equal(g.capacity, 64);
	policy_destroy(p);
	policy_destroy(NULL);
}

static void
test_ban_expiry_window(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 a = peer("2001:db8::7");
	struct pol_gauges	 g;
	int			 i;

	(void)state;
	c.ban_threshold = 3;
	c.ban_window = 10;
	c.ban_time = 60;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	/* violations spread wider than two windows never add up */
	for (i = 0; i < 10; i++)
		assert_int_equal(policy_check(p, SA(a), PE_MALFORMED,
		    T0 + (uint64_t)i * 25 * SEC), POL_ALLOW);
	assert_false(policy_is_banned(p, SA(a), T0 + 250 * SEC));
	/* three within the window ban; the third gets DROP */
	assert_int_equal(policy_check(p, SA(a), PE_MALFORMED, T0 + 300 * SEC),
	    POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_MALFORMED, T0 + 301 * SEC),
	    POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_MALFORMED, T0 + 302 * SEC),
	    POL_DROP);
	assert_true(policy_is_banned(p, SA(a), T0 + 302 * SEC));
	assert_true(policy_is_banned(p, SA(a), T0 + 362 * SEC - 1));
	/* expiry: exactly ban_time later */
	assert_false(policy_is_banned(p, SA(a), T0 + 362 * SEC));
	policy_gauges(p, T0 + 362 * SEC, &g);
	assert_int_equal(g.bans_active, 0);
	assert_int_equal(g.bans_total, 1);
	/* and the window restarted with the ban: one more is not a ban */
	assert_int_equal(policy_check(p, SA(a), PE_MALFORMED, T0 + 362 * SEC),
	    POL_ALLOW);
	assert_false(policy_is_banned(p, SA(a), T0 + 362 * SEC));
	policy_destroy(p);
}

/* Ban `a` by scanner at `now`; returns the seconds on_ban reported. */
static int
scanner_ban(struct policy *p, struct ban_log *log,
    const struct sockaddr_storage *a, uint64_t now)
{
	int	calls = log->calls;

	log->now = now;
	assert_int_equal(policy_check(p, SA(*a), PE_SCANNER, now), POL_DROP);
	assert_int_equal(log->calls, calls + 1);
	assert_string_equal(log->reason, "scanner");
	return log->seconds;
}

static void
test_escalation(void **state)
{
	static const int	 expect[] = { 3600, 7200, 14400, 28800, 57600,
	    86400, 86400, 86400 };
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("198.51.100.1");
	struct pol_ban		 b;
	uint64_t		 now = T0;
	size_t			 i;
	int			 s;

	(void)state;
	memset(&log, 0, sizeof(log));
	c.ban_time = 3600;
	assert_non_null(p = policy_create(&c, on_ban, &log));
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		s = scanner_ban(p, &log, &a, now);
		assert_int_equal(s, expect[i]);
		assert_int_equal(policy_ban_list(p, &b, 1, now), 1);
		assert_int_equal(b.level, i < 6 ? (int)i : 6);
		assert_int_equal(b.seconds_left, (uint64_t)s);
		/* the next offence an hour after this ban ends */
		now += (uint64_t)s * SEC + 3600 * SEC;
	}
	/* more than a day after the last ban ended: back to ban_time */
	now += 86400 * SEC;
	assert_int_equal(scanner_ban(p, &log, &a, now), 3600);
	policy_destroy(p);

	/* a ban_time longer than a day is not cut by the cap, nor doubled */
	c.ban_time = 200000;
	memset(&log, 0, sizeof(log));
	assert_non_null(p = policy_create(&c, on_ban, &log));
	now = T0;
	assert_int_equal(scanner_ban(p, &log, &a, now), 200000);
	now += 200001 * SEC;
	assert_int_equal(scanner_ban(p, &log, &a, now), 200000);
	policy_destroy(p);
}

static void
test_escalation_doubling(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("198.51.100.2");
	uint64_t		 now = T0;
	int			 i, s, prev = 0;

	(void)state;
	memset(&log, 0, sizeof(log));
	c.ban_threshold = 2;
	assert_non_null(p = policy_create(&c, on_ban, &log));
	/* threshold bans escalate too: 600, 1200, ... 38400 (64x), 38400 */
	for (i = 0; i < 8; i++) {
		assert_int_equal(policy_check(p, SA(a), PE_MALFORMED, now),
		    POL_ALLOW);
		assert_int_equal(policy_check(p, SA(a), PE_MALFORMED, now),
		    POL_DROP);
		s = log.seconds;
		assert_int_equal(log.calls, i + 1);
		assert_string_equal(log.reason, "malformed");
		if (i == 0)
			assert_int_equal(s, 600);
		else if (i <= 6)
			assert_int_equal(s, prev * 2);
		else
			assert_int_equal(s, 600 * 64);
		prev = s;
		now += (uint64_t)s * SEC + 10 * SEC;
	}
	policy_destroy(p);
}

static void
test_scanner(void **state)
{
	const char		*uas[] = { "friendly-scanner", "SIPVicious",
	    "" };
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("203.0.113.5");
	uint64_t		 cnt[POL_REASON_MAX];

	(void)state;
	memset(&log, 0, sizeof(log));
	c.scanner_user_agents.v = uas;
	c.scanner_user_agents.n = 3;
	assert_true(policy_scanner_match(&c, "friendly-scanner"));
	assert_true(policy_scanner_match(&c, "FRIENDLY-SCANNER 1.0"));
	assert_true(policy_scanner_match(&c, "x sipvicious-0.3"));
	assert_true(policy_scanner_match(&c, "sipViciouS"));
	assert_false(policy_scanner_match(&c, "sipviciou"));
	assert_false(policy_scanner_match(&c, "Mozilla/5.0 JsSIP 3.10"));
	/* the empty pattern matches nothing */
	assert_false(policy_scanner_match(&c, ""));
	assert_false(policy_scanner_match(&c, NULL));
	assert_false(policy_scanner_match(NULL, "sipvicious"));
	c.scanner_user_agents.n = 0;
	assert_false(policy_scanner_match(&c, "sipvicious"));

	assert_non_null(p = policy_create(&c, on_ban, &log));
	log.p = p;
	log.now = T0;
	assert_int_equal(scanner_ban(p, &log, &a, T0), 600);
	assert_true(log.banned_inside);
	assert_int_equal(policy_check(p, SA(a), PE_OTHER, T0),
	    POL_DROP);
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_SCANNER], 1);
	assert_int_equal(cnt[POL_R_BANNED], 1);
	policy_destroy(p);
}

static void
test_auth_failures(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("203.0.113.6");
	struct sockaddr_storage	 b = peer("203.0.113.7");
	uint64_t		 cnt[POL_REASON_MAX];
	int			 i;

	(void)state;
	memset(&log, 0, sizeof(log));
	c.ban_threshold = 2;		/* auth failures are not violations */
	assert_non_null(p = policy_create(&c, on_ban, &log));
	for (i = 0; i < 4; i++)
		assert_int_equal(policy_check(p, SA(a), PE_AUTH_FAIL,
		    T0 + (uint64_t)i * SEC), POL_ALLOW);
	assert_false(policy_is_banned(p, SA(a), T0 + 4 * SEC));
	assert_int_equal(policy_check(p, SA(a), PE_AUTH_FAIL, T0 + 4 * SEC),
	    POL_DROP);
	assert_true(policy_is_banned(p, SA(a), T0 + 4 * SEC));
	assert_string_equal(log.reason, "auth_failure");
	assert_int_equal(log.seconds, 600);

	/* slow failures (one every 40 s, window 60 s) never reach 5 */
	for (i = 0; i < 20; i++)
		assert_int_equal(policy_check(p, SA(b), PE_AUTH_FAIL,
		    T0 + (uint64_t)i * 40 * SEC), POL_ALLOW);
	assert_false(policy_is_banned(p, SA(b), T0 + 800 * SEC));
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_AUTH_FAILURE], 25);
	policy_destroy(p);
}

static void
test_connections(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.20");
	struct sockaddr_storage	 a6 = peer("::ffff:192.0.2.20");
	uint64_t		 cnt[POL_REASON_MAX];

	(void)state;
	c.max_connections_per_ip = 2;
	c.over_limit = SBC_LIMIT_REJECT;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	/* a stray disconnect (unknown source) is harmless */
	assert_int_equal(policy_check(p, SA(a), PE_DISCONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_ALLOW);
	/* the same source through a dual-stack socket */
	assert_int_equal(policy_check(p, SA(a6), PE_CONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_REJECT);
	assert_int_equal(policy_check(p, SA(a), PE_DISCONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_REJECT);
	/* more disconnects than connects never go below zero */
	assert_int_equal(policy_check(p, SA(a), PE_DISCONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_DISCONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_DISCONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_REJECT);
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_MAX_CONNECTIONS], 3);
	policy_destroy(p);
}

static void
test_connection_rate(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.21");
	uint64_t		 cnt[POL_REASON_MAX];

	(void)state;
	c.connection_rate.rate = 1;
	c.connection_rate.burst = 1;
	c.max_connections_per_ip = 1;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_DISCONNECT, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0), POL_DROP);
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0 + SEC),
	    POL_ALLOW);
	/* a token, but the connection cap */
	assert_int_equal(policy_check(p, SA(a), PE_CONNECT, T0 + 2 * SEC),
	    POL_DROP);
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_RATE_CONNECTION], 1);
	assert_int_equal(cnt[POL_R_MAX_CONNECTIONS], 1);
	/* other classes are independent and unlimited here */
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0 + 2 * SEC),
	    POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_OTHER, T0 + 2 * SEC),
	    POL_ALLOW);
	policy_destroy(p);
}

static void
test_over_limit_reject(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.30");

	(void)state;
	c.register_rate.rate = 1;
	c.register_rate.burst = 1;
	c.other_rate.rate = 5;
	c.ban_threshold = 3;
	c.over_limit = SBC_LIMIT_REJECT;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0), POL_REJECT);
	assert_int_equal(policy_check(p, SA(a), PE_OTHER, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0), POL_REJECT);
	/* the ban-starting event and everything after: DROP */
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0), POL_DROP);
	assert_int_equal(policy_check(p, SA(a), PE_OTHER, T0), POL_DROP);
	policy_destroy(p);
}

static void
test_manual_bans(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.40");
	struct sockaddr_storage	 b = peer("2001:db8::40");
	struct sockaddr_un	 un;
	struct pol_ban		 list[4];
	uint64_t		 cnt[POL_REASON_MAX];

	(void)state;
	memset(&log, 0, sizeof(log));
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_non_null(p = policy_create(&c, on_ban, &log));
	log.p = p;
	log.now = T0;
	assert_int_equal(policy_ban_add(p, SA(a), 100, T0), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.seconds, 100);
	assert_string_equal(log.reason, "manual");
	assert_true(log.banned_inside);
	assert_int_equal(policy_ban_add(p, SA(b), 3600, T0 + SEC), 0);
	assert_int_equal(policy_ban_add(p, SA(a), 0, T0), -1);
	assert_int_equal(policy_ban_add(p, (struct sockaddr *)&un, 10, T0), -1);
	assert_true(policy_is_banned(p, SA(a), T0));
	assert_int_equal(policy_check(p, SA(a), PE_REGISTER, T0), POL_DROP);

	/* most recently seen first; seconds rounded up */
	assert_int_equal(policy_ban_list(p, list, 4, T0 + 50500), 2);
	assert_string_equal(list[0].addr, "192.0.2.40");
	assert_int_equal(list[0].seconds_left, 50);
	assert_int_equal(list[0].level, 0);
	assert_string_equal(list[0].reason, "manual");
	assert_string_equal(list[1].addr, "2001:db8::40");
	assert_int_equal(list[1].seconds_left, 3551);
	/* a short array: the total comes back anyway */
	assert_int_equal(policy_ban_list(p, list, 1, T0), 2);
	assert_int_equal(policy_ban_list(p, NULL, 0, T0), 2);
	/* expired bans are not listed */
	assert_int_equal(policy_ban_list(p, list, 4, T0 + 100 * SEC), 1);
	assert_string_equal(list[0].addr, "2001:db8::40");

	assert_int_equal(policy_ban_del(p, SA(b)), 0);
	assert_false(policy_is_banned(p, SA(b), T0 + 101 * SEC));
	assert_int_equal(policy_ban_del(p, SA(b)), -1);
	assert_int_equal(policy_ban_del(p, (struct sockaddr *)&un), -1);
	assert_int_equal(policy_check(p, SA(b), PE_INVITE, T0 + 101 * SEC),
	    POL_ALLOW);
	assert_int_equal(policy_ban_list(p, list, 4, T0 + 101 * SEC), 0);
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_MANUAL], 2);
	policy_destroy(p);
}

static void
test_ban_del_resets_level(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct ban_log		 log;
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.41");

	(void)state;
	memset(&log, 0, sizeof(log));
	assert_non_null(p = policy_create(&c, on_ban, &log));
	assert_int_equal(scanner_ban(p, &log, &a, T0), 600);
	assert_int_equal(scanner_ban(p, &log, &a, T0 + 601 * SEC), 1200);
	assert_int_equal(policy_ban_del(p, SA(a)), 0);
	assert_int_equal(scanner_ban(p, &log, &a, T0 + 700 * SEC), 600);
	policy_destroy(p);
}

static void
test_mapped_equals_v4(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 v4 = peer("192.0.2.50");
	struct sockaddr_storage	 mapped = peer("::ffff:192.0.2.50");
	struct sockaddr_storage	 v6 = peer("2001:db8::c000:232");
	struct pol_ban		 b;
	struct pol_gauges	 g;

	(void)state;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	assert_int_equal(policy_check(p, SA(mapped), PE_SCANNER, T0),
	    POL_DROP);
	assert_true(policy_is_banned(p, SA(v4), T0));
	assert_true(policy_is_banned(p, SA(mapped), T0));
	assert_false(policy_is_banned(p, SA(v6), T0));
	assert_int_equal(policy_ban_list(p, &b, 1, T0), 1);
	assert_string_equal(b.addr, "192.0.2.50");
	assert_int_equal(policy_ban_del(p, SA(v4)), 0);
	assert_false(policy_is_banned(p, SA(mapped), T0));
	policy_gauges(p, T0, &g);
	assert_int_equal(g.entries, 1);
	policy_destroy(p);
}

static struct sockaddr_storage
nth_peer(int i)
{
	char	ip[64];

	if (i & 1)
		snprintf(ip, sizeof(ip), "2001:db8::%x:%x", (i >> 16) & 0xffff,
		    i & 0xffff);
	else
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
	return peer(ip);
}

static void
test_lru_bound(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 s, banned[4];
	struct pol_gauges	 g0, g;
	uint64_t		 cnt[POL_REASON_MAX];
	int			 i;

	(void)state;
	c.tracking_entries = 16;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	policy_gauges(p, T0, &g0);
	assert_int_equal(g0.capacity, 16);
	assert_int_equal(g0.entries, 0);
	for (i = 0; i < 4; i++) {
		banned[i] = nth_peer(1000000 + i);
		assert_int_equal(policy_check(p, SA(banned[i]), PE_SCANNER,
		    T0), POL_DROP);
	}
	/* 10000 new sources through a 16-entry table */
	for (i = 0; i < 10000; i++) {
		s = nth_peer(i);
		assert_int_equal(policy_check(p, SA(s), PE_REGISTER,
		    T0 + (uint64_t)i), POL_ALLOW);
	}
	policy_gauges(p, T0 + 10000, &g);
	assert_int_equal(g.entries, 16);
	assert_int_equal(g.memory, g0.memory);
	assert_int_equal(g.bans_active, 4);
	for (i = 0; i < 4; i++)
		assert_true(policy_is_banned(p, SA(banned[i]), T0 + 10000));
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_EVICTED], 10000 - 12);
	assert_int_equal(cnt[POL_R_EVICTED_BANNED], 0);

	/* a table full of bans: the least recently seen bans go */
	for (i = 0; i < 20; i++) {
		s = nth_peer(2000000 + i);
		assert_int_equal(policy_check(p, SA(s), PE_SCANNER,
		    T0 + 20000 + (uint64_t)i), POL_DROP);
	}
	policy_gauges(p, T0 + 30000, &g);
	assert_int_equal(g.entries, 16);
	assert_int_equal(g.bans_active, 16);
	policy_counters(p, cnt);
	assert_int_equal(cnt[POL_R_EVICTED_BANNED], 8);
	for (i = 0; i < 4; i++)
		assert_false(policy_is_banned(p, SA(banned[i]), T0 + 30000));
	s = nth_peer(2000000 + 19);
	assert_true(policy_is_banned(p, SA(s), T0 + 30000));
	s = nth_peer(2000000 + 4);
	assert_true(policy_is_banned(p, SA(s), T0 + 30000));
	s = nth_peer(2000000 + 3);
	assert_false(policy_is_banned(p, SA(s), T0 + 30000));
	policy_destroy(p);
}

static void
test_lru_keeps_connected(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 conn = peer("192.0.2.60"), s;
	int			 i;

	(void)state;
	c.tracking_entries = 16;
	c.max_connections_per_ip = 1;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	/* the oldest entry holds a connection */
	assert_int_equal(policy_check(p, SA(conn), PE_CONNECT, T0), POL_ALLOW);
	for (i = 0; i < 15 + 10; i++) {
		s = nth_peer(i);
		assert_int_equal(policy_check(p, SA(s), PE_REGISTER,
		    T0 + 1 + (uint64_t)i), POL_ALLOW);
	}
	/* still tracked: its count still refuses a second connection */
	assert_int_equal(policy_check(p, SA(conn), PE_CONNECT, T0 + 100),
	    POL_DROP);
	policy_destroy(p);
}

static void
test_reconfigure(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_storage	 a = peer("192.0.2.70");
	struct sockaddr_storage	 b = peer("192.0.2.71");

	(void)state;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	assert_int_equal(policy_check(p, SA(a), PE_SCANNER, T0), POL_DROP);
	assert_int_equal(policy_check(p, SA(b), PE_REGISTER, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, SA(b), PE_REGISTER, T0), POL_ALLOW);

	c.register_rate.rate = 1;
	c.register_rate.burst = 1;
	c.ban_threshold = 1;
	assert_int_equal(policy_reconfigure(p, &c), 0);
	/* bans are kept */
	assert_true(policy_is_banned(p, SA(a), T0 + SEC));
	/* new limits apply to known sources: a full bucket, then over */
	assert_int_equal(policy_check(p, SA(b), PE_REGISTER, T0 + SEC),
	    POL_ALLOW);
	assert_int_equal(policy_check(p, SA(b), PE_REGISTER, T0 + SEC),
	    POL_DROP);
	assert_true(policy_is_banned(p, SA(b), T0 + SEC));

	/* the table size needs a restart */
	c.tracking_entries = 128;
	assert_int_equal(policy_reconfigure(p, &c), 1);
	assert_true(policy_is_banned(p, SA(a), T0 + SEC));
	assert_int_equal(policy_reconfigure(p, NULL), -1);
	assert_int_equal(policy_reconfigure(NULL, &c), -1);
	c.tracking_entries = 0;
	assert_int_equal(policy_reconfigure(p, &c), -1);
	assert_null(policy_create(&c, NULL, NULL));
	assert_null(policy_create(NULL, NULL, NULL));
	policy_destroy(p);
}

static void
test_untracked(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct sockaddr_un	 un;
	struct pol_gauges	 g;
	int			 i;

	(void)state;
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	c.ban_threshold = 1;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	for (i = 0; i < 3; i++)
		assert_int_equal(policy_check(p, (struct sockaddr *)&un,
		    PE_SCANNER, T0), POL_ALLOW);
	assert_int_equal(policy_check(p, NULL, PE_MALFORMED, T0), POL_ALLOW);
	assert_false(policy_is_banned(p, (struct sockaddr *)&un, T0));
	policy_gauges(p, T0, &g);
	assert_int_equal(g.entries, 0);
	policy_destroy(p);
}

static void
test_reason_names(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < POL_REASON_MAX; i++) {
		assert_non_null(pol_reason_name((enum pol_reason)i));
		assert_string_not_equal(pol_reason_name((enum pol_reason)i),
		    "unknown");
	}
	assert_string_equal(pol_reason_name(POL_R_RATE_REGISTER),
	    "rate_register");
	assert_string_equal(pol_reason_name(POL_R_EVICTED), "evicted");
	assert_string_equal(pol_reason_name(POL_REASON_MAX), "unknown");
}

/* --------------------------------------------------------- two threads */

struct hammer {
	struct policy	*p;
	int		 base;
};

static void *
hammer_run(void *arg)
{
	struct hammer		*h = arg;
	struct sockaddr_storage	 s;
	int			 i;

	for (i = 0; i < 20000; i++) {
		s = nth_peer(h->base + (i % 40));
		if (policy_check(h->p, SA(s), PE_CONNECT, T0 + (uint64_t)i) ==
		    POL_ALLOW)
			(void)policy_check(h->p, SA(s), PE_DISCONNECT,
			    T0 + (uint64_t)i);
		(void)policy_check(h->p, SA(s), PE_INVITE, T0 + (uint64_t)i);
		(void)policy_is_banned(h->p, SA(s), T0 + (uint64_t)i);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct sbc_policy	 c = conf_default();
	struct policy		*p;
	struct hammer		 h[2];
	pthread_t		 th[2];
	struct sockaddr_storage	 s;
	int			 i;

	(void)state;
	c.tracking_entries = 64;
	assert_non_null(p = policy_create(&c, NULL, NULL));
	for (i = 0; i < 2; i++) {
		h[i].p = p;
		h[i].base = i * 20;	/* half of the sources are shared */
		assert_int_equal(pthread_create(&th[i], NULL, hammer_run,
		    &h[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	/* every connection was released: one is allowed per source */
	c.max_connections_per_ip = 1;
	assert_int_equal(policy_reconfigure(p, &c), 0);
	for (i = 0; i < 60; i++) {
		s = nth_peer(i);
		assert_int_equal(policy_check(p, SA(s), PE_CONNECT, T0 + SEC),
		    POL_ALLOW);
	}
	policy_destroy(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_basic),
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_tracker_table),
		cmocka_unit_test(test_tracker_banned_last),
		cmocka_unit_test(test_ban_threshold),
		cmocka_unit_test(test_ban_expiry_window),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_escalation_doubling),
		cmocka_unit_test(test_scanner),
		cmocka_unit_test(test_auth_failures),
		cmocka_unit_test(test_connections),
		cmocka_unit_test(test_connection_rate),
		cmocka_unit_test(test_over_limit_reject),
		cmocka_unit_test(test_manual_bans),
		cmocka_unit_test(test_ban_del_resets_level),
		cmocka_unit_test(test_mapped_equals_v4),
		cmocka_unit_test(test_lru_bound),
		cmocka_unit_test(test_lru_keeps_connected),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_untracked),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
