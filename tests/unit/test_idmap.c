/*
 * test_idmap.c: cmocka unit tests for sbc/idmap.c, the id -> pointer map
 * (open addressing, linear probing, backward-shift deletion): put/get/del,
 * the reserved id 0, growth to 100k entries, deletion inside probe clusters
 * (checked against a plain reference array after seeded random put/del
 * sequences) and the count on overwrite.
 *
 * Thread: pure; single-threaded test binary (one test forks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "sbc/idmap.h"

/* A non-NULL value that depends on the id and a generation. */
static void *
val(uint64_t id, uint64_t gen)
{
	return (void *)(uintptr_t)((id * 0x9e3779b97f4a7c15ULL + gen * 2) | 1);
}

/* splitmix64's finalizer: a bijection, so distinct non-zero inputs give
 * distinct non-zero ids spread over the whole 64-bit space. */
static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state += 0x9e3779b97f4a7c15ULL;
	return mix(rng_state);
}

static int
is_pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Occupied slots must equal n, and the load must stay at or under 50%. */
static void
check_shape(const struct idmap *m)
{
	size_t	i, used = 0;

	assert_true(is_pow2(m->cap));
	assert_true(m->n * 2 <= m->cap);
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].id != 0)
			used++;
	assert_int_equal(used, m->n);
}

static void
test_basic(void **state)
{
	struct idmap	m;

	(void)state;
	assert_int_equal(idmap_init(&m, 0), 0);
	assert_int_equal(m.n, 0);
	assert_null(idmap_get(&m, 42));
	assert_null(idmap_del(&m, 42));

	assert_int_equal(idmap_put(&m, 42, val(42, 0)), 0);
	assert_int_equal(idmap_put(&m, 7, val(7, 0)), 0);
	assert_int_equal(idmap_put(&m, UINT64_MAX, val(UINT64_MAX, 0)), 0);
	assert_int_equal(m.n, 3);
	assert_ptr_equal(idmap_get(&m, 42), val(42, 0));
	assert_ptr_equal(idmap_get(&m, 7), val(7, 0));
	assert_ptr_equal(idmap_get(&m, UINT64_MAX), val(UINT64_MAX, 0));
	assert_null(idmap_get(&m, 43));

	assert_ptr_equal(idmap_del(&m, 42), val(42, 0));
	assert_int_equal(m.n, 2);
	assert_null(idmap_get(&m, 42));
	assert_null(idmap_del(&m, 42));
	assert_int_equal(m.n, 2);
	assert_ptr_equal(idmap_get(&m, 7), val(7, 0));
	check_shape(&m);

	idmap_free(&m);
	assert_null(m.slots);
	assert_int_equal(m.n, 0);
	/* a freed map is empty, not dangling */
	assert_null(idmap_get(&m, 7));
	assert_null(idmap_del(&m, 7));
}

static void
test_init_hint(void **state)
{
	struct idmap	m;

	(void)state;
	assert_int_equal(idmap_init(&m, 0), 0);
	assert_true(is_pow2(m.cap));
	assert_true(m.cap >= 16);
	idmap_free(&m);

	/* room for the hint without growing */
	assert_int_equal(idmap_init(&m, 1000), 0);
	assert_true(is_pow2(m.cap));
	assert_true(m.cap >= 2000);
	idmap_free(&m);
}

static void
test_zero_id(void **state)
{
	struct idmap	m;

	(void)state;
	assert_int_equal(idmap_init(&m, 0), 0);
	assert_int_equal(idmap_put(&m, 0, val(0, 0)), -1);
	assert_int_equal(m.n, 0);
	assert_null(idmap_get(&m, 0));
	assert_null(idmap_del(&m, 0));

	assert_int_equal(idmap_put(&m, 1, val(1, 0)), 0);
	assert_int_equal(idmap_put(&m, 0, val(0, 0)), -1);
	assert_int_equal(m.n, 1);
	assert_null(idmap_get(&m, 0));
	assert_null(idmap_del(&m, 0));
	assert_ptr_equal(idmap_get(&m, 1), val(1, 0));
	idmap_free(&m);
}

static void
test_overwrite(void **state)
{
	struct idmap	m;
	uint64_t	id;

	(void)state;
	assert_int_equal(idmap_init(&m, 0), 0);
	for (id = 1; id <= 5; id++)
		assert_int_equal(idmap_put(&m, id, val(id, 0)), 0);
	assert_int_equal(m.n, 5);
	assert_int_equal(idmap_put(&m, 3, val(3, 1)), 0);
	assert_int_equal(m.n, 5);
	assert_ptr_equal(idmap_get(&m, 3), val(3, 1));
	assert_int_equal(idmap_put(&m, 3, val(3, 2)), 0);
	assert_int_equal(idmap_put(&m, 3, val(3, 3)), 0);
	assert_int_equal(m.n, 5);
	assert_ptr_equal(idmap_get(&m, 3), val(3, 3));
	check_shape(&m);
	/* one delete removes it: no stale second copy */
	assert_ptr_equal(idmap_del(&m, 3), val(3, 3));
	assert_null(idmap_get(&m, 3));
	assert_int_equal(m.n, 4);
	idmap_free(&m);
}

#define BIG	100000

static void
test_grow_sequential(void **state)
{
	struct idmap	m;
	uint64_t	id;

	(void)state;
	assert_int_equal(idmap_init(&m, 0), 0);
	for (id = 1; id <= BIG; id++)
		assert_int_equal(idmap_put(&m, id, val(id, 0)), 0);
	assert_int_equal(m.n, BIG);
	check_shape(&m);
	for (id = 1; id <= BIG; id++)
		assert_ptr_equal(idmap_get(&m, id), val(id, 0));
	assert_null(idmap_get(&m, BIG + 1));

	/* delete the odd ids: the even ones stay reachable */
	for (id = 1; id <= BIG; id += 2)
		assert_ptr_equal(idmap_del(&m, id), val(id, 0));
	assert_int_equal(m.n, BIG / 2);
	check_shape(&m);
	for (id = 1; id <= BIG; id++) {
		if (id & 1)
			assert_null(idmap_get(&m, id));
		else
			assert_ptr_equal(idmap_get(&m, id), val(id, 0));
	}
	idmap_free(&m);
}

static void
test_grow_random(void **state)
{
	struct idmap	m;
	uint64_t	i;

	(void)state;
	assert_int_equal(idmap_init(&m, 0), 0);
	for (i = 1; i <= BIG; i++)
		assert_int_equal(idmap_put(&m, mix(i), val(i, 0)), 0);
	assert_int_equal(m.n, BIG);
	check_shape(&m);
	for (i = 1; i <= BIG; i++)
		assert_ptr_equal(idmap_get(&m, mix(i)), val(i, 0));
	for (i = BIG + 1; i <= BIG + 1000; i++)
		assert_null(idmap_get(&m, mix(i)));
	/* delete every third, then all of them */
	for (i = 1; i <= BIG; i += 3)
		assert_ptr_equal(idmap_del(&m, mix(i)), val(i, 0));
	for (i = 1; i <= BIG; i++) {
		if (i % 3 == 1)
			assert_null(idmap_get(&m, mix(i)));
		else
			assert_ptr_equal(idmap_get(&m, mix(i)), val(i, 0));
	}
	for (i = 1; i <= BIG; i++)
		if (i % 3 != 1)
			assert_ptr_equal(idmap_del(&m, mix(i)), val(i, 0));
	assert_int_equal(m.n, 0);
	check_shape(&m);
	idmap_free(&m);
}

/*
 * Random put/del/get over a small key universe, compared after every step
 * with a reference array.  `keep` caps the live entries so that a small map
 * stays small (long clusters, wrap-around at the end of the slot array).
 */
static void
differential(uint64_t seed, uint64_t universe, size_t keep, size_t steps,
    int mixed_ids)
{
	struct idmap	 m;
	void		**ref;
	size_t		 live = 0, s;
	uint64_t	 k, id, gen = 0;
	int		 op;

	rng_state = seed;
	ref = calloc(universe, sizeof(*ref));
	assert_non_null(ref);
	assert_int_equal(idmap_init(&m, 0), 0);
	for (s = 0; s < steps; s++) {
		k = rng() % universe;
		id = mixed_ids ? mix(k + 1) : k + 1;
		op = (int)(rng() % 3);
		if (op == 0 && (ref[k] != NULL || live < keep)) {
			gen++;
			assert_int_equal(idmap_put(&m, id, val(id, gen)), 0);
			if (ref[k] == NULL)
				live++;
			ref[k] = val(id, gen);
		} else if (op == 1) {
			assert_ptr_equal(idmap_del(&m, id), ref[k]);
			if (ref[k] != NULL)
				live--;
			ref[k] = NULL;
		} else
			assert_ptr_equal(idmap_get(&m, id), ref[k]);
		assert_int_equal(m.n, live);
		if (s % 64 == 0 || s == steps - 1) {
			for (k = 0; k < universe; k++) {
				id = mixed_ids ? mix(k + 1) : k + 1;
				assert_ptr_equal(idmap_get(&m, id), ref[k]);
			}
			check_shape(&m);
		}
	}
	idmap_free(&m);
	free(ref);
}

static void
test_differential_small(void **state)
{
	(void)state;
	/* at most 7 live in 16 slots: the map never grows past 16 */
	differential(1, 64, 7, 200000, 0);
	differential(2, 64, 7, 200000, 1);
	differential(3, 24, 7, 200000, 1);
}

static void
test_differential_growing(void **state)
{
	(void)state;
	differential(4, 5000, 5000, 300000, 0);
	differential(5, 5000, 5000, 300000, 1);
}

/* Index of the first slot of a run of >= len occupied slots, or -1. */
static long
find_run(const struct idmap *m, size_t len)
{
	size_t	start, j;

	for (start = 0; start < m->cap; start++) {
		for (j = 0; j < len; j++)
			if (m->slots[(start + j) & (m->cap - 1)].id == 0)
				break;
		if (j == len)
			return (long)start;
	}
	return -1;
}

/*
 * Build 16-slot maps with 7 random ids until a run of 4 occupied slots
 * exists (wrapping or not), delete each member of the run in turn (one
 * fresh map per member), and check that every other id stays reachable.
 */
static void
test_cluster_delete(void **state)
{
	struct idmap	m;
	uint64_t	ids[7], victim;
	size_t		tries, i, j, wrapped = 0, plain = 0;
	long		run;

	(void)state;
	rng_state = 99;
	for (tries = 0; tries < 20000 && (wrapped < 20 || plain < 20);
	    tries++) {
		for (i = 0; i < 7; i++)
			ids[i] = mix(rng() | 1) | 1;
		assert_int_equal(idmap_init(&m, 0), 0);
		assert_int_equal(m.cap, 16);
		for (i = 0; i < 7; i++)
			assert_int_equal(idmap_put(&m, ids[i], val(ids[i], 0)),
			    0);
		run = find_run(&m, 4);
		if (run < 0 || m.n != 7) {
			idmap_free(&m);
			continue;
		}
		if ((size_t)run + 4 > m.cap)
			wrapped++;
		else
			plain++;
		idmap_free(&m);

		for (j = 0; j < 4; j++) {
			assert_int_equal(idmap_init(&m, 0), 0);
			for (i = 0; i < 7; i++)
				assert_int_equal(idmap_put(&m, ids[i],
				    val(ids[i], 0)), 0);
			victim = m.slots[((size_t)run + j) & 15].id;
			assert_ptr_equal(idmap_del(&m, victim), val(victim, 0));
			assert_int_equal(m.n, 6);
			for (i = 0; i < 7; i++) {
				if (ids[i] == victim)
					assert_null(idmap_get(&m, ids[i]));
				else
					assert_ptr_equal(idmap_get(&m, ids[i]),
					    val(ids[i], 0));
			}
			check_shape(&m);
			idmap_free(&m);
		}
	}
	/* the clusters we meant to test did occur */
	assert_true(wrapped >= 20);
	assert_true(plain >= 20);
}

/*
 * Regression test (bug fixed in sbc/idmap.c, idmap_put/grow): idmap_free() leaves cap 0 and
 * idmap_get/idmap_del accept that state, but idmap_put on it "grows" to
 * cap 0 * 2 = 0 and insert() then indexes slots[id & (0 - 1)], far out of
 * bounds.  Expected: put fails cleanly or works.  Run in a child so the
 * crash does not take the other tests down.
 */
static void
test_put_after_free(void **state)
{
	struct idmap	m;
	pid_t		pid;
	int		st, rc;

	(void)state;
	if ((pid = fork()) == 0) {
		struct rlimit	nocore = { 0, 0 };
		int		fd;

		/* no cmocka handler, no TAP lines, no core from the child */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		setrlimit(RLIMIT_CORE, &nocore);
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, STDOUT_FILENO);
		if (idmap_init(&m, 0) == -1)
			_exit(2);
		idmap_free(&m);
		rc = idmap_put(&m, 5, val(5, 0));
		if (rc == 0 && idmap_get(&m, 5) != val(5, 0))
			_exit(3);
		if (rc == -1 && m.n != 0)
			_exit(4);
		idmap_free(&m);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		fail_msg("idmap_put after idmap_free crashed (signal %d)",
		    WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_init_hint),
		cmocka_unit_test(test_zero_id),
		cmocka_unit_test(test_overwrite),
		cmocka_unit_test(test_grow_sequential),
		cmocka_unit_test(test_grow_random),
		cmocka_unit_test(test_differential_small),
		cmocka_unit_test(test_differential_growing),
		cmocka_unit_test(test_cluster_delete),
		cmocka_unit_test(test_put_after_free),
	};

	return cmocka_run_group_tests_name("idmap", tests, NULL, NULL);
}
