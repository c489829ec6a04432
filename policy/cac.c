/*
 * cac.c: call admission control (see cac.h).
 *
 * The user table is open addressing with linear probing and backward-shift
 * deletion (no tombstones), at most half full; a slot is empty when its
 * call count is 0 (a user is removed when its last call ends).  Hashes are
 * SipHash with a random key.
 * Owns: the trunk array and the user table.  Thread: signaling only.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "policy/cac.h"
#include "policy/ratelimit.h"
#include "policy/tracker.h"	/* pol_hash(), pol_random_seed() */

#define CAC_NIL	((size_t)-1)

struct cac_trunk {
	int			max_calls;	/* 0: unlimited */
	int			cps;
	size_t			active;
	struct pol_bucket	bucket;
};

struct cac_user {
	uint64_t	hash;
	size_t		calls;		/* 0: empty slot */
	char		name[CAC_USER_MAX];
};

struct cac {
	int			 max_calls, max_cps, max_per_user;
	size_t			 active;
	struct pol_bucket	 cps;
	struct cac_trunk	*trunks;
	size_t			 ntrunks;	/* allocated; never shrinks */
	struct cac_user		*users;		/* [uslots], power of two */
	size_t			 uslots, nusers, max_users;
	uint64_t		 seed[2];
	uint64_t		 counters[CAC_REASON_MAX];
};

/* Per reason: its name in logs and counters, and the configuration key
 * of the limit (a trunk's own key for the trunk ones). */
static const struct {
	const char	*name, *key;
} reasons[CAC_REASON_MAX] = {
	[CAC_OK] = { "admitted", NULL },
	[CAC_MAX_CALLS] = { "max_calls", "policy.max_calls" },
	[CAC_MAX_CPS] = { "max_cps", "policy.max_cps" },
	[CAC_USER_CALLS] = { "max_calls_per_user", "policy.max_calls_per_user" },
	[CAC_USER_TABLE] = { "user_table_full", "policy.tracking_entries" },
	[CAC_TRUNK_CALLS] = { "trunk_max_calls", "max_calls" },
	[CAC_TRUNK_CPS] = { "trunk_cps", "cps" },
};

const char *
cac_reason_name(enum cac_reason r)
{
	if ((unsigned)r >= CAC_REASON_MAX)
		return "unknown";
	return reasons[r].name;
}

const char *
cac_reason_key(enum cac_reason r)
{
	if ((unsigned)r >= CAC_REASON_MAX)
		return NULL;
	return reasons[r].key;
}

struct cac *
cac_create(size_t max_users)
{
	struct cac	*c;

	if (max_users == 0 || max_users > SIZE_MAX / 4 / sizeof(*c->users))
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (c->uslots = 2; c->uslots < max_users * 2; c->uslots <<= 1)
		;
	if ((c->users = calloc(c->uslots, sizeof(*c->users))) == NULL)
		goto fail;
	c->max_users = max_users;
	pol_bucket_init(&c->cps, 0, 0, 0);	/* full for any limit */
	pol_random_seed(c->seed);
	return c;
fail:
	free(c);
	return NULL;
}

void
cac_destroy(struct cac *c)
{
	if (c == NULL)
		return;
	free(c->trunks);
	free(c->users);
	free(c);
}

static int
grow_trunks(struct cac *c, size_t n)
{
	struct cac_trunk	*nt;
	size_t			 i;

	if (n <= c->ntrunks)
		return 0;
	if (n > (size_t)INT_MAX || (nt = reallocarray(c->trunks, n,
	    sizeof(*nt))) == NULL)
		return -1;
	for (i = c->ntrunks; i < n; i++) {
		memset(&nt[i], 0, sizeof(nt[i]));
		pol_bucket_init(&nt[i].bucket, 0, 0, 0);
	}
	c->trunks = nt;
	c->ntrunks = n;
	return 0;
}

int
cac_configure(struct cac *c, const struct sbc_policy *conf,
    const struct sbc_trunk *trunks, size_t ntrunks)
{
	size_t	i;

	if (c == NULL || conf == NULL || (ntrunks > 0 && trunks == NULL))
		return -1;
	if (grow_trunks(c, ntrunks) == -1)
		return -1;
	for (i = 0; i < c->ntrunks; i++) {
		c->trunks[i].max_calls = i < ntrunks ? trunks[i].max_calls : 0;
		c->trunks[i].cps = i < ntrunks ? trunks[i].cps : 0;
	}
	c->max_calls = conf->max_calls;
	c->max_cps = conf->max_cps;
	c->max_per_user = conf->max_calls_per_user;
	return 0;
}

/* ---------------------------------------------------------------- users */

static size_t
user_len(const char *user)
{
	return strnlen(user, CAC_USER_MAX - 1);
}

static uint64_t
user_hash(const struct cac *c, const char *user)
{
	return pol_hash(c->seed, user, user_len(user));
}

static size_t
user_find(const struct cac *c, const char *user, uint64_t h)
{
	size_t	i, mask = c->uslots - 1, len = user_len(user);

	for (i = (size_t)h & mask; c->users[i].calls != 0; i = (i + 1) & mask)
		if (c->users[i].hash == h &&
		    strlen(c->users[i].name) == len &&
		    memcmp(c->users[i].name, user, len) == 0)
			return i;
	return CAC_NIL;
}

/* Count one more call for the user; the table has room (checked). */
static void
user_add(struct cac *c, const char *user, uint64_t h)
{
	size_t	i, mask = c->uslots - 1, len;

	if ((i = user_find(c, user, h)) != CAC_NIL) {
		c->users[i].calls++;
		return;
	}
	for (i = (size_t)h & mask; c->users[i].calls != 0; i = (i + 1) & mask)
		;
	len = user_len(user);
	memcpy(c->users[i].name, user, len);
	c->users[i].name[len] = '\0';
	c->users[i].hash = h;
	c->users[i].calls = 1;
	c->nusers++;
}

/* Empty slot i, pulling later members of its cluster back. */
static void
user_del(struct cac *c, size_t i)
{
	size_t	j, k, mask = c->uslots - 1;

	c->users[i].calls = 0;
	c->nusers--;
	for (j = (i + 1) & mask; c->users[j].calls != 0; j = (j + 1) & mask) {
		k = (size_t)c->users[j].hash & mask;
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			c->users[i] = c->users[j];
			c->users[j].calls = 0;
			i = j;
		}
	}
}

static int
user_tracked(const struct cac *c, const char *user)
{
	return c->max_per_user > 0 && user != NULL && user[0] != '\0';
}

/* ------------------------------------------------------------ admission */

static struct cac_trunk *
trunk_at(const struct cac *c, int idx)
{
	if (idx < 0 || (size_t)idx >= c->ntrunks)
		return NULL;
	return &c->trunks[idx];
}

/* Which limit refuses the call; CAC_OK when none.  No side effect but
 * bucket refills. */
static enum cac_reason
check(struct cac *c, struct cac_trunk *t, const char *user, uint64_t h,
    uint64_t now_ms)
{
	struct sbc_rate	 rate = { c->max_cps, 0 };
	size_t		 ui;

	if (c->max_calls > 0 && c->active >= (size_t)c->max_calls)
		return CAC_MAX_CALLS;
	if (t != NULL && t->max_calls > 0 && t->active >= (size_t)t->max_calls)
		return CAC_TRUNK_CALLS;
	if (user_tracked(c, user)) {
		ui = user_find(c, user, h);
		if (ui != CAC_NIL &&
		    c->users[ui].calls >= (size_t)c->max_per_user)
			return CAC_USER_CALLS;
		if (ui == CAC_NIL && c->nusers >= c->max_users)
			return CAC_USER_TABLE;
	}
	if (!pol_bucket_peek(&c->cps, &rate, now_ms))
		return CAC_MAX_CPS;
	rate.rate = t != NULL ? t->cps : 0;
	if (t != NULL && !pol_bucket_peek(&t->bucket, &rate, now_ms))
		return CAC_TRUNK_CPS;
	return CAC_OK;
}

int
cac_admit(struct cac *c, const char *user, int trunk_idx, uint64_t now_ms,
    enum cac_reason *why)
{
	struct cac_trunk	*t = trunk_at(c, trunk_idx);
	struct sbc_rate		 rate = { c->max_cps, 0 };
	enum cac_reason		 r;
	uint64_t		 h = 0;

	if (user_tracked(c, user))
		h = user_hash(c, user);
	r = check(c, t, user, h, now_ms);
	if (why != NULL)
		*why = r;
	c->counters[r]++;
	if (r != CAC_OK)
		return -1;
	(void)pol_bucket_take(&c->cps, &rate, now_ms);
	if (t != NULL) {
		rate.rate = t->cps;
		(void)pol_bucket_take(&t->bucket, &rate, now_ms);
		t->active++;
	}
	if (user_tracked(c, user))
		user_add(c, user, h);
	c->active++;
	return 0;
}

void
cac_release(struct cac *c, const char *user, int trunk_idx)
{
	struct cac_trunk	*t = trunk_at(c, trunk_idx);
	size_t			 ui;

	if (c->active > 0)
		c->active--;
	if (t != NULL && t->active > 0)
		t->active--;
	if (user == NULL || user[0] == '\0')
		return;
	/* looked up even when no longer limited: counted under a limit */
	ui = user_find(c, user, user_hash(c, user));
	if (ui != CAC_NIL && --c->users[ui].calls == 0)
		user_del(c, ui);
}

/* ------------------------------------------------------------- readers */

void
cac_counters(const struct cac *c, uint64_t out[CAC_REASON_MAX])
{
	memcpy(out, c->counters, sizeof(c->counters));
}

size_t
cac_active(const struct cac *c)
{
	return c->active;
}

size_t
cac_user_calls(const struct cac *c, const char *user)
{
	size_t	ui;

	if (user == NULL || user[0] == '\0')
		return 0;
	ui = user_find(c, user, user_hash(c, user));
	return ui == CAC_NIL ? 0 : c->users[ui].calls;
}

size_t
cac_trunk_calls(const struct cac *c, int trunk_idx)
{
	const struct cac_trunk	*t = trunk_at(c, trunk_idx);

	return t == NULL ? 0 : t->active;
}
