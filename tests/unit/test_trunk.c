/*
 * test_trunk.c: cmocka unit tests for the pure rules of trunk monitoring
 * (signaling/trunk_fsm.c): the state table (health, registration, a
 * binding outliving a failed refresh), which OPTIONS answers mean alive,
 * the retry backoff (5 s doubling to 300 s, ±20 %), the start-up spread
 * and the Contact user naming a trunk.
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/trunk_int.h"

static void
test_state(void **state)
{
	(void)state;
	/* no registration: the health decides, or nobody looks */
	assert_int_equal(tk_state(TKR_OFF, 0, 1, 0), TK_UNMONITORED);
	assert_int_equal(tk_state(TKR_OFF, 1, 1, 0), TK_UP);
	assert_int_equal(tk_state(TKR_OFF, 1, 0, 0), TK_DOWN);
	/* registration */
	assert_int_equal(tk_state(TKR_WAIT, 0, 1, 0), TK_REGISTERING);
	assert_int_equal(tk_state(TKR_SENDING, 1, 2, 0), TK_REGISTERING);
	assert_int_equal(tk_state(TKR_REGISTERED, 0, 1, 1), TK_UP);
	assert_int_equal(tk_state(TKR_FAILED, 0, 1, 0), TK_FAILED);
	assert_int_equal(tk_state(TKR_FAILED, 0, 1, 1), TK_UP);
	assert_int_equal(tk_state(TKR_UNREGISTERED, 0, 1, 0), TK_DOWN);
	/* every host down wins over everything */
	assert_int_equal(tk_state(TKR_REGISTERED, 1, 0, 1), TK_DOWN);
	assert_int_equal(tk_state(TKR_N, 0, 1, 0), TK_UNMONITORED);
	assert_string_equal(tk_state_name(TK_FAILED), "failed");
	assert_string_equal(tk_state_name(TK_UNMONITORED), "unmonitored");
	assert_string_equal(tk_state_name(42), "?");
	assert_string_equal(tk_reg_name(TKR_REGISTERED), "registered");
	assert_string_equal(tk_reg_name(TKR_N), "?");
}

static void
test_options_alive(void **state)
{
	static const struct {
		int	status, alive;
	} v[] = {
		{ 0, 0 }, { 100, 0 }, { 180, 0 }, { 200, 1 }, { 202, 1 },
		{ 302, 1 }, { 401, 1 }, { 403, 1 }, { 404, 1 }, { 405, 1 },
		{ 407, 1 }, { 408, 0 }, { 483, 1 }, { 500, 0 }, { 503, 0 },
		{ 504, 0 }, { 600, 1 }, { 603, 1 }, { 700, 0 }, { -1, 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(tk_options_alive(v[i].status), v[i].alive);
}

static void
test_backoff(void **state)
{
	static const unsigned	base[] = { 5000, 10000, 20000, 40000, 80000,
				    160000, 300000, 300000, 300000 };
	unsigned		i;

	(void)state;
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		assert_int_equal(tk_backoff_ms(i, 2000), base[i]);
		assert_int_equal(tk_backoff_ms(i, 0), base[i] * 8 / 10);
		assert_int_equal(tk_backoff_ms(i, 4000), base[i] * 12 / 10);
	}
	assert_int_equal(tk_backoff_ms(1000, 2000), 300000);
	assert_int_equal(tk_backoff_ms(~0u, 2000), 300000);
	for (i = 0; i < 10000; i += 7) {
		assert_true(tk_backoff_ms(0, i * 2654435761u) >= 4000);
		assert_true(tk_backoff_ms(0, i * 2654435761u) <= 6000);
	}
}

static void
test_spread(void **state)
{
	(void)state;
	assert_int_equal(tk_spread_ms(1, 999), 999);
	assert_int_equal(tk_spread_ms(1, 1000), 0);	/* 1 s window */
	assert_int_equal(tk_spread_ms(200, 9999), 9999);
	assert_int_equal(tk_spread_ms(200, 10000), 0);	/* 10 s window */
	assert_int_equal(tk_spread_ms(100, 4999), 4999);
	assert_int_equal(tk_spread_ms(100, 5000), 0);
	assert_int_equal(tk_spread_ms(100000, 12345), 2345);
}

static void
test_contact_user(void **state)
{
	char	out[80], small[10];

	(void)state;
	assert_int_equal(tk_contact_user("carrier-b", out, sizeof(out)), 0);
	assert_string_equal(out, "trunk-carrier-b");
	assert_int_equal(tk_contact_user("a b@c;d", out, sizeof(out)), 0);
	assert_string_equal(out, "trunk-a%20b%40c%3Bd");
	assert_int_equal(tk_contact_user("x.y_z~", out, sizeof(out)), 0);
	assert_string_equal(out, "trunk-x.y_z~");
	assert_int_equal(tk_contact_user("abcdefgh", small, sizeof(small)), -1);
	assert_int_equal(tk_contact_user("", small, sizeof(small)), 0);
	assert_string_equal(small, "trunk-");
	assert_int_equal(tk_contact_user("a", small, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_options_alive),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_contact_user),
	};

	return cmocka_run_group_tests_name("trunk", tests, NULL, NULL);
}
