/*
 * tracker.c: fixed-capacity per-source table with two LRU lists (see
 * tracker.h for the eviction rule).
 *
 * Layout: one array of entries; a free list, an "unbanned" and a "banned"
 * list are doubly linked through prev/next indexes (head = most recently
 * seen, tail = least); hash chains are singly linked through hnext.
 * Owns: the arrays.  Thread: one caller at a time (policy.c's mutex).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "policy/tracker.h"

#define TR_NIL		UINT32_MAX
#define TR_EVICT_SCAN	16	/* unbanned victims looked at for conns 0 */
#define TR_SWEEP_MS	1000	/* implicit sweeps at most once a second */

enum { TR_FREE, TR_UNBANNED, TR_BANNED, TR_NLISTS };

struct tr_list {
	uint32_t	head, tail;
	size_t		n;
};

struct tracker {
	struct pol_entry	*e;		/* [cap] */
	uint32_t		*heads;		/* [nheads], power of two */
	size_t			 cap, nheads;
	struct tr_list		 lists[TR_NLISTS];
	uint64_t		 seed[2];
	uint64_t		 next_sweep_ms;
};

/* ---------------------------------------------------------------- keys */

int
pol_key_from_sa(const struct sockaddr *sa, struct pol_key *k)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const uint8_t		*p = (const uint8_t *)sa;
	const uint8_t		*a;

	memset(k, 0, sizeof(*k));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		k->family = AF_INET;
		memcpy(k->addr, p + offsetof(struct sockaddr_in, sin_addr), 4);
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	a = p + offsetof(struct sockaddr_in6, sin6_addr);
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		k->family = AF_INET;
		memcpy(k->addr, a + 12, 4);
		return 0;
	}
	k->family = AF_INET6;
	memcpy(k->addr, a, 16);
	return 0;
}

int
pol_key_format(const struct pol_key *k, char *buf, size_t len)
{
	if (len == 0 || len > (size_t)INT32_MAX)
		return -1;
	if (inet_ntop(k->family, k->addr, buf, (socklen_t)len) == NULL) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- siphash */

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t
pol_hash(const uint64_t key[2], const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint64_t	 v[4], m, last = (uint64_t)len << 56;
	size_t		 i, full = len & ~(size_t)7;

	v[0] = key[0] ^ 0x736f6d6570736575ULL;
	v[1] = key[1] ^ 0x646f72616e646f6dULL;
	v[2] = key[0] ^ 0x6c7967656e657261ULL;
	v[3] = key[1] ^ 0x7465646279746573ULL;
	for (i = 0; i < full; i += 8) {
		m = load_le64(p + i);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}
	for (i = 0; i < (len & 7); i++)
		last |= (uint64_t)p[full + i] << (8 * i);
	v[3] ^= last;
	sipround(v);
	sipround(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Without getrandom(2) entropy, ASLR is the fallback: weak but not fixed. */
void
pol_random_seed(uint64_t key[2])
{
	if (getrandom(key, 2 * sizeof(key[0]), GRND_NONBLOCK) ==
	    (ssize_t)(2 * sizeof(key[0])))
		return;
	key[0] = (uint64_t)(uintptr_t)key ^ 0x9e3779b97f4a7c15ULL;
	key[1] = (uint64_t)(uintptr_t)&pol_random_seed ^ 0xbf58476d1ce4e5b9ULL;
}

/* --------------------------------------------------------------- lists */

static void
list_unlink(struct tracker *t, uint32_t i)
{
	struct pol_entry	*e = &t->e[i];
	struct tr_list		*l = &t->lists[e->list];

	if (e->prev != TR_NIL)
		t->e[e->prev].next = e->next;
	else
		l->head = e->next;
	if (e->next != TR_NIL)
		t->e[e->next].prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = TR_NIL;
	l->n--;
}

static void
list_push(struct tracker *t, uint32_t i, uint8_t which, int front)
{
	struct pol_entry	*e = &t->e[i];
	struct tr_list		*l = &t->lists[which];

	e->list = which;
	if (front) {
		e->prev = TR_NIL;
		e->next = l->head;
		if (l->head != TR_NIL)
			t->e[l->head].prev = i;
		else
			l->tail = i;
		l->head = i;
	} else {
		e->next = TR_NIL;
		e->prev = l->tail;
		if (l->tail != TR_NIL)
			t->e[l->tail].next = i;
		else
			l->head = i;
		l->tail = i;
	}
	l->n++;
}

static uint8_t
list_for(const struct pol_entry *e, uint64_t now_ms)
{
	return e->ban_until_ms > now_ms ? TR_BANNED : TR_UNBANNED;
}

/* ---------------------------------------------------------------- table */

struct tracker *
tracker_create(size_t capacity, const uint64_t seed[2])
{
	struct tracker	*t;
	size_t		 i;

	if (capacity == 0 || capacity >= TR_NIL)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cap = capacity;
	for (t->nheads = 1; t->nheads < capacity; t->nheads <<= 1)
		;
	t->e = calloc(t->cap, sizeof(*t->e));
	t->heads = calloc(t->nheads, sizeof(*t->heads));
	if (t->e == NULL || t->heads == NULL)
		goto fail;
	memset(t->heads, 0xff, t->nheads * sizeof(*t->heads));	/* TR_NIL */
	for (i = 0; i < TR_NLISTS; i++)
		t->lists[i].head = t->lists[i].tail = TR_NIL;
	for (i = 0; i < t->cap; i++)
		list_push(t, (uint32_t)i, TR_FREE, 0);
	t->seed[0] = seed[0];
	t->seed[1] = seed[1];
	return t;
fail:
	tracker_destroy(t);
	return NULL;
}

void
tracker_destroy(struct tracker *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t->heads);
	free(t);
}

static size_t
bucket_of(const struct tracker *t, const struct pol_key *k)
{
	return (size_t)pol_hash(t->seed, k, sizeof(*k)) & (t->nheads - 1);
}

struct pol_entry *
tracker_find(struct tracker *t, const struct pol_key *k)
{
	uint32_t	i;

	for (i = t->heads[bucket_of(t, k)]; i != TR_NIL; i = t->e[i].hnext)
		if (memcmp(&t->e[i].key, k, sizeof(*k)) == 0)
			return &t->e[i];
	return NULL;
}

static void
hash_unlink(struct tracker *t, uint32_t i)
{
	uint32_t	*pp = &t->heads[bucket_of(t, &t->e[i].key)];

	while (*pp != i && *pp != TR_NIL)
		pp = &t->e[*pp].hnext;
	if (*pp == i)
		*pp = t->e[i].hnext;
	t->e[i].hnext = TR_NIL;
}

/* Among the oldest unbanned entries, prefer one without connections. */
static uint32_t
pick_unbanned(const struct tracker *t)
{
	uint32_t	i = t->lists[TR_UNBANNED].tail;
	int		n;

	for (n = 0; n < TR_EVICT_SCAN && i != TR_NIL; n++, i = t->e[i].prev)
		if (t->e[i].conns == 0)
			return i;
	return t->lists[TR_UNBANNED].tail;
}

static uint32_t
alloc_slot(struct tracker *t, uint64_t now_ms, int *evicted)
{
	uint32_t	i;

	if (t->lists[TR_FREE].n > 0) {
		i = t->lists[TR_FREE].head;
		list_unlink(t, i);
		return i;
	}
	if (t->lists[TR_UNBANNED].n == 0 && now_ms >= t->next_sweep_ms)
		(void)tracker_sweep(t, now_ms);
	if (t->lists[TR_UNBANNED].n > 0) {
		i = pick_unbanned(t);
		*evicted = 1;
	} else {
		i = t->lists[TR_BANNED].tail;
		*evicted = 2;
	}
	hash_unlink(t, i);
	list_unlink(t, i);
	return i;
}

struct pol_entry *
tracker_get(struct tracker *t, const struct pol_key *k, uint64_t now_ms,
    int *created, int *evicted)
{
	struct pol_entry	*e;
	uint32_t		 i;
	size_t			 b;

	*created = 0;
	*evicted = 0;
	if ((e = tracker_find(t, k)) != NULL) {
		i = (uint32_t)(e - t->e);
		e->last_seen_ms = now_ms;
		list_unlink(t, i);
		list_push(t, i, list_for(e, now_ms), 1);
		return e;
	}
	i = alloc_slot(t, now_ms, evicted);
	e = &t->e[i];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->last_seen_ms = now_ms;
	b = bucket_of(t, k);
	e->hnext = t->heads[b];
	t->heads[b] = i;
	list_push(t, i, TR_UNBANNED, 1);
	*created = 1;
	return e;
}

void
tracker_update_ban(struct tracker *t, struct pol_entry *e, uint64_t now_ms)
{
	uint32_t	i = (uint32_t)(e - t->e);
	uint8_t		want = list_for(e, now_ms);

	if (e->list == want)
		return;
	list_unlink(t, i);
	list_push(t, i, want, 1);
}

void
tracker_remove(struct tracker *t, struct pol_entry *e)
{
	uint32_t	i = (uint32_t)(e - t->e);

	if (e->list == TR_FREE)
		return;
	hash_unlink(t, i);
	list_unlink(t, i);
	list_push(t, i, TR_FREE, 1);
}

size_t
tracker_sweep(struct tracker *t, uint64_t now_ms)
{
	uint32_t	i, next;

	for (i = t->lists[TR_BANNED].head; i != TR_NIL; i = next) {
		next = t->e[i].next;
		if (t->e[i].ban_until_ms > now_ms)
			continue;
		list_unlink(t, i);
		list_push(t, i, TR_UNBANNED, 0);	/* the old end */
	}
	t->next_sweep_ms = now_ms + TR_SWEEP_MS;
	return t->lists[TR_BANNED].n;
}

struct pol_entry *
tracker_banned_next(struct tracker *t, const struct pol_entry *prev)
{
	uint32_t	i;

	i = prev == NULL ? t->lists[TR_BANNED].head : prev->next;
	return i == TR_NIL ? NULL : &t->e[i];
}

size_t
tracker_count(const struct tracker *t)
{
	return t->cap - t->lists[TR_FREE].n;
}

size_t
tracker_capacity(const struct tracker *t)
{
	return t->cap;
}

size_t
tracker_memory(const struct tracker *t)
{
	return sizeof(*t) + t->cap * sizeof(*t->e) +
	    t->nheads * sizeof(*t->heads);
}
