/*
 * test_cac.c: cmocka unit tests for policy/cac.c: global concurrent calls
 * and calls per second, per-user concurrent calls in a bounded table
 * (removal, long names, table full), per-trunk limits, reconfiguration,
 * counters.  Time is injected (milliseconds); nothing sleeps.
 *
 * Thread: single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/cac.h"

#define SEC	1000ULL
#define T0	(5000 * SEC)

static struct sbc_policy
conf(int max_calls, int max_cps, int per_user)
{
	struct sbc_policy	c;

	memset(&c, 0, sizeof(c));
	c.max_calls = max_calls;
	c.max_cps = max_cps;
	c.max_calls_per_user = per_user;
	c.tracking_entries = 64;
	return c;
}

static struct cac *
make(size_t max_users, struct sbc_policy c, const struct sbc_trunk *t,
    size_t nt)
{
	struct cac	*cac = cac_create(max_users);

	assert_non_null(cac);
	assert_int_equal(cac_configure(cac, &c, t, nt), 0);
	return cac;
}

/* Admit and return the reason (CAC_OK when admitted). */
static enum cac_reason
admit(struct cac *c, const char *user, int trunk, uint64_t now)
{
	enum cac_reason	why = CAC_REASON_MAX;
	int		rc = cac_admit(c, user, trunk, now, &why);

	assert_int_equal(rc, why == CAC_OK ? 0 : -1);
	return why;
}

static void
test_unlimited(void **state)
{
	struct cac	*c = make(4, conf(0, 0, 0), NULL, 0);
	uint64_t	 cnt[CAC_REASON_MAX];
	int		 i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(admit(c, "alice", -1, T0), CAC_OK);
	assert_int_equal(cac_active(c), 1000);
	/* per-user counting is off when unlimited */
	assert_int_equal(cac_user_calls(c, "alice"), 0);
	for (i = 0; i < 1000; i++)
		cac_release(c, "alice", -1);
	assert_int_equal(cac_active(c), 0);
	cac_release(c, "alice", -1);	/* extra release: no underflow */
	assert_int_equal(cac_active(c), 0);
	cac_counters(c, cnt);
	assert_int_equal(cnt[CAC_OK], 1000);
	cac_destroy(c);
	cac_destroy(NULL);
	assert_null(cac_create(0));
}

static void
test_max_calls(void **state)
{
	struct cac	*c = make(4, conf(2, 0, 0), NULL, 0);
	uint64_t	 cnt[CAC_REASON_MAX];

	(void)state;
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	assert_int_equal(admit(c, "", -1, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_MAX_CALLS);
	assert_int_equal(cac_admit(c, NULL, -1, T0, NULL), -1);
	cac_release(c, NULL, -1);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	cac_counters(c, cnt);
	assert_int_equal(cnt[CAC_OK], 3);
	assert_int_equal(cnt[CAC_MAX_CALLS], 2);
	cac_destroy(c);
}

static void
test_max_cps(void **state)
{
	struct cac	*c = make(4, conf(1, 2, 0), NULL, 0);

	(void)state;
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	/* refused by max_calls: takes no cps token */
	assert_int_equal(admit(c, NULL, -1, T0), CAC_MAX_CALLS);
	cac_release(c, NULL, -1);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	cac_release(c, NULL, -1);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_MAX_CPS);
	/* 2/s: a token every 500 ms */
	assert_int_equal(admit(c, NULL, -1, T0 + 499), CAC_MAX_CPS);
	assert_int_equal(admit(c, NULL, -1, T0 + 500), CAC_OK);
	cac_release(c, NULL, -1);
	assert_int_equal(admit(c, NULL, -1, T0 + 500), CAC_MAX_CPS);
	/* idle: back to a full second's worth, no more */
	assert_int_equal(admit(c, NULL, -1, T0 + 60 * SEC), CAC_OK);
	cac_release(c, NULL, -1);
	assert_int_equal(admit(c, NULL, -1, T0 + 60 * SEC), CAC_OK);
	cac_release(c, NULL, -1);
	assert_int_equal(admit(c, NULL, -1, T0 + 60 * SEC), CAC_MAX_CPS);
	cac_destroy(c);
}

static void
test_per_user(void **state)
{
	struct cac	*c = make(8, conf(0, 0, 2), NULL, 0);
	uint64_t	 cnt[CAC_REASON_MAX];

	(void)state;
	assert_int_equal(admit(c, "alice", -1, T0), CAC_OK);
	assert_int_equal(admit(c, "alice", -1, T0), CAC_OK);
	assert_int_equal(admit(c, "alice", -1, T0), CAC_USER_CALLS);
	/* exact strings: case matters, other users are independent */
	assert_int_equal(admit(c, "Alice", -1, T0), CAC_OK);
	assert_int_equal(admit(c, "bob", -1, T0), CAC_OK);
	assert_int_equal(cac_user_calls(c, "alice"), 2);
	assert_int_equal(cac_user_calls(c, "Alice"), 1);
	assert_int_equal(cac_user_calls(c, "carol"), 0);
	assert_int_equal(cac_user_calls(c, NULL), 0);
	cac_release(c, "alice", -1);
	assert_int_equal(admit(c, "alice", -1, T0), CAC_OK);
	/* anonymous calls are not counted per user */
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_OK);
	assert_int_equal(cac_active(c), 7);
	cac_counters(c, cnt);
	assert_int_equal(cnt[CAC_USER_CALLS], 1);
	cac_destroy(c);
}

static void
test_user_table_full(void **state)
{
	struct cac	*c = make(2, conf(0, 0, 5), NULL, 0);

	(void)state;
	assert_int_equal(admit(c, "alice", -1, T0), CAC_OK);
	assert_int_equal(admit(c, "bob", -1, T0), CAC_OK);
	assert_int_equal(admit(c, "bob", -1, T0), CAC_OK);
	assert_int_equal(admit(c, "carol", -1, T0), CAC_USER_TABLE);
	/* a known user still gets in */
	assert_int_equal(admit(c, "alice", -1, T0), CAC_OK);
	cac_release(c, "bob", -1);
	assert_int_equal(admit(c, "carol", -1, T0), CAC_USER_TABLE);
	cac_release(c, "bob", -1);	/* bob's last call: his slot is free */
	assert_int_equal(cac_user_calls(c, "bob"), 0);
	assert_int_equal(admit(c, "carol", -1, T0), CAC_OK);
	cac_destroy(c);
}

/* Many users in and out: backward-shift deletion keeps every count. */
static void
test_user_churn(void **state)
{
	struct cac	*c = make(64, conf(0, 0, 100), NULL, 0);
	char		 name[32];
	int		 i, j, k;

	(void)state;
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "user%d@example.com", i);
		for (j = 0; j <= i % 5; j++)
			assert_int_equal(admit(c, name, -1, T0), CAC_OK);
	}
	/* release users in a scattered order, checking the others each time */
	for (k = 0; k < 64; k++) {
		i = (k * 37) % 64;
		snprintf(name, sizeof(name), "user%d@example.com", i);
		for (j = 0; j <= i % 5; j++)
			cac_release(c, name, -1);
		assert_int_equal(cac_user_calls(c, name), 0);
		for (j = 0; j < 64; j++) {
			int	gone = 0, m;

			for (m = 0; m <= k; m++)
				gone |= (m * 37) % 64 == j;
			snprintf(name, sizeof(name), "user%d@example.com", j);
			assert_int_equal(cac_user_calls(c, name),
			    gone ? 0 : (size_t)(j % 5 + 1));
		}
	}
	assert_int_equal(cac_active(c), 0);
	cac_destroy(c);
}

static void
test_long_users(void **state)
{
	struct cac	*c = make(4, conf(0, 0, 1), NULL, 0);
	char		 a[300], b[300];

	(void)state;
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[200] = 'y';
	/* same first CAC_USER_MAX - 1 bytes: the same user */
	assert_int_equal(admit(c, a, -1, T0), CAC_OK);
	assert_int_equal(admit(c, b, -1, T0), CAC_USER_CALLS);
	b[10] = 'y';
	assert_int_equal(admit(c, b, -1, T0), CAC_OK);
	cac_release(c, a, -1);
	cac_release(c, b, -1);
	assert_int_equal(cac_user_calls(c, a), 0);
	assert_int_equal(cac_user_calls(c, b), 0);
	cac_destroy(c);
}

static void
test_trunks(void **state)
{
	struct sbc_trunk	t[3];
	struct cac		*c;
	uint64_t		 cnt[CAC_REASON_MAX];

	(void)state;
	memset(t, 0, sizeof(t));
	t[0].max_calls = 1;
	t[1].cps = 1;
	c = make(4, conf(0, 3, 0), t, 2);
	assert_int_equal(admit(c, NULL, 0, T0), CAC_OK);	/* global: 2 */
	assert_int_equal(admit(c, NULL, 0, T0), CAC_TRUNK_CALLS);
	assert_int_equal(cac_trunk_calls(c, 0), 1);
	assert_int_equal(admit(c, NULL, 1, T0), CAC_OK);	/* global: 1 */
	/* trunk cps refusals take no global token */
	assert_int_equal(admit(c, NULL, 1, T0), CAC_TRUNK_CPS);
	assert_int_equal(admit(c, NULL, 1, T0 + SEC / 2), CAC_TRUNK_CPS);
	/* global: 1 + 1.5 tokens refilled in 500 ms */
	assert_int_equal(admit(c, NULL, -1, T0 + SEC / 2), CAC_OK);
	assert_int_equal(admit(c, NULL, -1, T0 + SEC / 2), CAC_OK);
	assert_int_equal(admit(c, NULL, -1, T0 + SEC / 2), CAC_MAX_CPS);
	assert_int_equal(admit(c, NULL, 1, T0 + SEC / 2), CAC_MAX_CPS);
	/* unknown trunk indexes: no per-trunk limits */
	assert_int_equal(admit(c, NULL, 7, T0 + 10 * SEC), CAC_OK);
	assert_int_equal(cac_trunk_calls(c, 7), 0);
	assert_int_equal(cac_trunk_calls(c, -1), 0);
	cac_release(c, NULL, 7);
	cac_release(c, NULL, 0);
	assert_int_equal(cac_trunk_calls(c, 0), 0);
	assert_int_equal(admit(c, NULL, 0, T0 + 10 * SEC), CAC_OK);
	cac_counters(c, cnt);
	assert_int_equal(cnt[CAC_TRUNK_CALLS], 1);
	assert_int_equal(cnt[CAC_TRUNK_CPS], 2);
	assert_int_equal(cnt[CAC_MAX_CPS], 2);
	cac_destroy(c);
}

static void
test_reconfigure(void **state)
{
	struct sbc_trunk	t[3];
	struct sbc_policy	p = conf(0, 0, 0);
	struct cac		*c;

	(void)state;
	memset(t, 0, sizeof(t));
	t[0].max_calls = 2;
	c = make(4, p, t, 1);
	assert_int_equal(admit(c, NULL, 0, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, 0, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, 0, T0), CAC_TRUNK_CALLS);
	/* more trunks: counts stay with their index */
	t[0].max_calls = 3;
	t[2].max_calls = 1;
	assert_int_equal(cac_configure(c, &p, t, 3), 0);
	assert_int_equal(cac_trunk_calls(c, 0), 2);
	assert_int_equal(admit(c, NULL, 0, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, 0, T0), CAC_TRUNK_CALLS);
	assert_int_equal(admit(c, NULL, 2, T0), CAC_OK);
	assert_int_equal(admit(c, NULL, 2, T0), CAC_TRUNK_CALLS);
	/* fewer trunks: index 2 unlimited, its call still released */
	assert_int_equal(cac_configure(c, &p, t, 1), 0);
	assert_int_equal(admit(c, NULL, 2, T0), CAC_OK);
	assert_int_equal(cac_trunk_calls(c, 2), 2);
	cac_release(c, NULL, 2);
	cac_release(c, NULL, 2);
	assert_int_equal(cac_trunk_calls(c, 2), 0);
	/* a global limit set on reload applies to calls already up */
	p.max_calls = 3;
	assert_int_equal(cac_configure(c, &p, t, 1), 0);
	assert_int_equal(cac_active(c), 3);
	assert_int_equal(admit(c, NULL, -1, T0), CAC_MAX_CALLS);
	assert_int_equal(cac_configure(c, NULL, t, 1), -1);
	assert_int_equal(cac_configure(c, &p, NULL, 1), -1);
	assert_int_equal(cac_configure(NULL, &p, t, 1), -1);
	cac_destroy(c);
}

static void
test_reason_names(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < CAC_REASON_MAX; i++)
		assert_string_not_equal(cac_reason_name((enum cac_reason)i),
		    "unknown");
	assert_string_equal(cac_reason_name(CAC_MAX_CPS), "max_cps");
	assert_string_equal(cac_reason_name(CAC_REASON_MAX), "unknown");
	assert_string_equal(cac_reason_key(CAC_MAX_CPS), "policy.max_cps");
	assert_string_equal(cac_reason_key(CAC_TRUNK_CALLS), "max_calls");
	assert_null(cac_reason_key(CAC_OK));
	assert_null(cac_reason_key(CAC_REASON_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_max_calls),
		cmocka_unit_test(test_max_cps),
		cmocka_unit_test(test_per_user),
		cmocka_unit_test(test_user_table_full),
		cmocka_unit_test(test_user_churn),
		cmocka_unit_test(test_long_users),
		cmocka_unit_test(test_trunks),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("cac", tests, NULL, NULL);
}
