/*
 * registrar.c: the bindings store of the local registrar (see
 * registrar.h): AORs hashed into an idmap with collision chains, each
 * AOR's bindings in a list, a per-flow doubly linked index, and a
 * min-heap on expiry times.
 *
 * Owns: every struct reg_aor and struct reg_binding with their strings,
 * and the heap array.  Not the opaque pointers.
 * Thread: pure; the "signaling" thread and tests.
 */
#include <stdlib.h>
#include <string.h>

#include "signaling/registrar.h"

/* RFC 3261 allows 2^32 - 1 seconds; keep now + e far from overflow. */
#define REG_EXPIRES_CAP	0x7fffffffL

struct reg_aor {
	struct reg_aor		*hnext;		/* same hash */
	uint64_t		 hash;
	struct reg_binding	*bindings;
	size_t			 n;
	char			 key[];
};

/* ---------------------------------------------------------------- keys */

/* The AOR with its domain (after the last '@') in lower case. */
static int
aor_key(const char *aor, char key[REG_MAX_AOR])
{
	size_t	 len, i;
	char	*at;

	if (aor == NULL || (len = strlen(aor)) == 0 || len >= REG_MAX_AOR)
		return -1;
	memcpy(key, aor, len + 1);
	if ((at = strrchr(key, '@')) == NULL)
		return 0;
	for (i = (size_t)(at - key); i < len; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
	return 0;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static char *
dup_str(const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*p;

	if ((p = malloc(len)) != NULL)
		memcpy(p, s, len);
	return p;
}

/* Replace *dst by a copy of s unless equal; -1 leaves *dst as it was. */
static int
set_str(char **dst, const char *s)
{
	char	*p;

	if (*dst != NULL && strcmp(*dst, s) == 0)
		return 0;
	if ((p = dup_str(s)) == NULL)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

/* ---------------------------------------------------------------- heap */

static int
before(const struct registrar *reg, size_t i, size_t j)
{
	return reg->heap[i]->expires < reg->heap[j]->expires;
}

static void
heap_swap(struct registrar *reg, size_t i, size_t j)
{
	struct reg_binding	*t = reg->heap[i];

	reg->heap[i] = reg->heap[j];
	reg->heap[j] = t;
	reg->heap[i]->heap = i;
	reg->heap[j]->heap = j;
}

static void
sift_up(struct registrar *reg, size_t i)
{
	while (i > 0 && before(reg, i, (i - 1) / 2)) {
		heap_swap(reg, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
sift_down(struct registrar *reg, size_t i)
{
	size_t	l, m;

	for (;;) {
		m = i;
		l = 2 * i + 1;
		if (l < reg->nheap && before(reg, l, m))
			m = l;
		if (l + 1 < reg->nheap && before(reg, l + 1, m))
			m = l + 1;
		if (m == i)
			return;
		heap_swap(reg, i, m);
		i = m;
	}
}

static int
heap_reserve(struct registrar *reg)
{
	struct reg_binding	**h;
	size_t			  cap;

	if (reg->nheap < reg->capheap)
		return 0;
	cap = reg->capheap ? reg->capheap * 2 : 64;
	if ((h = reallocarray(reg->heap, cap, sizeof(*h))) == NULL)
		return -1;
	reg->heap = h;
	reg->capheap = cap;
	return 0;
}

/* After heap_reserve(). */
static void
heap_push(struct registrar *reg, struct reg_binding *b)
{
	b->heap = reg->nheap++;
	reg->heap[b->heap] = b;
	sift_up(reg, b->heap);
}

static void
heap_remove(struct registrar *reg, struct reg_binding *b)
{
	struct reg_binding	*moved;
	size_t			 i = b->heap, last = --reg->nheap;

	if (i == last)
		return;
	moved = reg->heap[last];
	reg->heap[i] = moved;
	moved->heap = i;
	sift_up(reg, i);
	sift_down(reg, moved->heap);
}

static void
heap_fix(struct registrar *reg, struct reg_binding *b)
{
	sift_up(reg, b->heap);
	sift_down(reg, b->heap);
}

/* ---------------------------------------------------------------- indexes */

/* Make head the first of an idmap chain (NULL: none) without growing. */
static void
map_set_head(struct idmap *m, uint64_t id, void *head)
{
	idmap_del(m, id);
	if (head != NULL)
		idmap_put(m, id, head);	/* cannot grow after a delete */
}

static int
flow_link(struct registrar *reg, struct reg_binding *b)
{
	struct reg_binding	*head;

	if (b->flow == 0)
		return 0;
	head = idmap_get(&reg->flows, b->flow);
	if (idmap_put(&reg->flows, b->flow, b) == -1)
		return -1;
	b->fprev = NULL;
	b->fnext = head;
	if (head != NULL)
		head->fprev = b;
	return 0;
}

static void
flow_unlink(struct registrar *reg, struct reg_binding *b)
{
	if (b->flow == 0)
		return;
	if (b->fnext != NULL)
		b->fnext->fprev = b->fprev;
	if (b->fprev != NULL)
		b->fprev->fnext = b->fnext;
	else
		map_set_head(&reg->flows, b->flow, b->fnext);
	b->fnext = b->fprev = NULL;
}

static struct reg_aor *
aor_find(const struct registrar *reg, const char *key)
{
	struct reg_aor	*a;

	for (a = idmap_get(&reg->aors, fnv1a(key)); a != NULL; a = a->hnext)
		if (strcmp(a->key, key) == 0)
			return a;
	return NULL;
}

static struct reg_aor *
aor_new(struct registrar *reg, const char *key)
{
	struct reg_aor	*a;
	size_t		 len = strlen(key) + 1;

	if ((a = calloc(1, sizeof(*a) + len)) == NULL)
		return NULL;
	memcpy(a->key, key, len);
	a->hash = fnv1a(key);
	a->hnext = idmap_get(&reg->aors, a->hash);
	if (idmap_put(&reg->aors, a->hash, a) == -1) {
		free(a);
		return NULL;
	}
	reg->naors++;
	return a;
}

/* Free the AOR once it has no binding left. */
static void
aor_gc(struct registrar *reg, struct reg_aor *a)
{
	struct reg_aor	*head, **pp;

	if (a->n > 0)
		return;
	head = idmap_get(&reg->aors, a->hash);
	for (pp = &head; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == a) {
			*pp = a->hnext;
			break;
		}
	}
	map_set_head(&reg->aors, a->hash, head);
	reg->naors--;
	free(a);
}

/* ---------------------------------------------------------------- bindings */

static void
binding_free(struct reg_binding *b)
{
	free(b->contact);
	free(b->instance);
	free(b->call_id);
	free(b);
}

/* Unlink and free b; its AOR stays (see aor_gc()). */
static void
binding_remove(struct registrar *reg, struct reg_binding *b,
    enum reg_drop why)
{
	struct reg_binding	**pp;

	if (reg->drop != NULL)
		reg->drop(reg->arg, b, why);
	for (pp = &b->owner->bindings; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	}
	b->owner->n--;
	reg->nbindings--;
	flow_unlink(reg, b);
	heap_remove(reg, b);
	binding_free(b);
}

static struct reg_binding *
binding_new(const struct reg_request *req, const struct reg_contact *c,
    time_t expires)
{
	struct reg_binding	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->contact = dup_str(c->uri);
	b->call_id = dup_str(req->call_id);
	if (c->instance != NULL && c->instance[0] != '\0')
		b->instance = dup_str(c->instance);
	if (b->contact == NULL || b->call_id == NULL ||
	    (c->instance != NULL && c->instance[0] != '\0' &&
	    b->instance == NULL)) {
		binding_free(b);
		return NULL;
	}
	b->reg_id = c->reg_id;
	b->flow = req->flow;
	b->expires = expires;
	b->cseq = req->cseq;
	b->opaque = c->opaque;
	return b;
}

static int
binding_add(struct registrar *reg, struct reg_aor *a,
    const struct reg_request *req, const struct reg_contact *c,
    time_t expires)
{
	struct reg_binding	*b;

	if (heap_reserve(reg) == -1 ||
	    (b = binding_new(req, c, expires)) == NULL)
		return -1;
	if (flow_link(reg, b) == -1) {
		binding_free(b);
		return -1;
	}
	heap_push(reg, b);
	b->owner = a;
	b->aor = a->key;
	b->next = a->bindings;
	a->bindings = b;
	a->n++;
	reg->nbindings++;
	return 0;
}

/* A refresh: new URI, Call-ID, CSeq, flow, expiry, opaque. */
static int
binding_update(struct registrar *reg, struct reg_binding *b,
    const struct reg_request *req, const struct reg_contact *c,
    time_t expires)
{
	if (set_str(&b->contact, c->uri) == -1 ||
	    set_str(&b->call_id, req->call_id) == -1)
		return -1;
	if (b->flow != req->flow) {
		flow_unlink(reg, b);
		b->flow = req->flow;
		if (flow_link(reg, b) == -1) {
			b->flow = 0;
			return -1;
		}
	}
	if (reg->drop != NULL)
		reg->drop(reg->arg, b, REG_DROP_UPDATED);
	b->opaque = c->opaque;
	b->cseq = req->cseq;
	b->expires = expires;
	heap_fix(reg, b);
	return 0;
}

/* ---------------------------------------------------------------- REGISTER */

static int
is_outbound(const struct reg_contact *c)
{
	return c->instance != NULL && c->instance[0] != '\0' && c->reg_id != 0;
}

/* RFC 5626: instance and reg-id when both are there, else the URI. */
static struct reg_binding *
binding_match(const struct reg_aor *a, const struct reg_contact *c)
{
	struct reg_binding	*b;

	for (b = a != NULL ? a->bindings : NULL; b != NULL; b = b->next) {
		if (is_outbound(c)) {
			if (b->instance != NULL && b->reg_id == c->reg_id &&
			    strcmp(b->instance, c->instance) == 0)
				return b;
		} else if (strcmp(b->contact, c->uri) == 0)
			return b;
	}
	return NULL;
}

/* Seconds, 0 to remove, -1 below min_expires. */
static long
contact_expires(const struct registrar *reg, const struct reg_request *req,
    const struct reg_contact *c)
{
	long	e = c->expires;

	if (e < 0)
		e = req->expires >= 0 ? req->expires :
		    (long)reg->lim.default_expires;
	if (e == 0)
		return 0;
	if (e < (long)reg->lim.min_expires)
		return -1;
	if (reg->lim.max_expires != 0 && e > (long)reg->lim.max_expires)
		e = reg->lim.max_expires;
	return e > REG_EXPIRES_CAP ? REG_EXPIRES_CAP : e;
}

static int
contact_valid(const struct reg_contact *c)
{
	size_t	len;

	if (c->uri == NULL || (len = strlen(c->uri)) == 0 ||
	    len >= REG_MAX_URI || strcmp(c->uri, "*") == 0)
		return 0;
	return c->instance == NULL || strlen(c->instance) < REG_MAX_INSTANCE;
}

static int
request_valid(const struct reg_request *req)
{
	size_t	i, j, len;

	if (req->call_id == NULL || (len = strlen(req->call_id)) == 0 ||
	    len >= REG_MAX_CALL_ID || req->ncontacts > REG_MAX_CONTACTS ||
	    (req->ncontacts > 0 && req->contacts == NULL))
		return 0;
	if (req->wildcard)
		return req->ncontacts == 0 && req->expires == 0;
	for (i = 0; i < req->ncontacts; i++) {
		if (!contact_valid(&req->contacts[i]))
			return 0;
		/* RFC 5626: one Contact only when it has a reg-id */
		if (req->ncontacts > 1 && is_outbound(&req->contacts[i]))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(req->contacts[i].uri,
			    req->contacts[j].uri) == 0)
				return 0;
	}
	return 1;
}

static int
out_of_order(const struct reg_binding *b, const struct reg_request *req)
{
	return strcmp(b->call_id, req->call_id) == 0 && req->cseq <= b->cseq;
}

/* Drop the AOR's expired bindings; NULL when none is left. */
static struct reg_aor *
aor_purge(struct registrar *reg, struct reg_aor *a, time_t now)
{
	struct reg_binding	*b, *next;

	if (a == NULL)
		return NULL;
	for (b = a->bindings; b != NULL; b = next) {
		next = b->next;
		if (b->expires <= now)
			binding_remove(reg, b, REG_DROP_EXPIRED);
	}
	if (a->n > 0)
		return a;
	aor_gc(reg, a);
	return NULL;
}

static int
apply_wildcard(struct registrar *reg, struct reg_aor *a,
    const struct reg_request *req)
{
	struct reg_binding	*b;

	if (a == NULL)
		return REG_OK;
	for (b = a->bindings; b != NULL; b = b->next)
		if (out_of_order(b, req))
			return REG_ERR_ORDER;
	while (a->bindings != NULL)
		binding_remove(reg, a->bindings, REG_DROP_REMOVED);
	aor_gc(reg, a);
	return REG_OK;
}

/* Everything that can refuse the request, before anything changes. */
static int
precheck(const struct registrar *reg, const struct reg_aor *a,
    const struct reg_request *req)
{
	const struct reg_contact	*c;
	const struct reg_binding	*b;
	size_t				 i, cur = a != NULL ? a->n : 0, after;
	long				 e;

	after = cur;
	for (i = 0; i < req->ncontacts; i++) {
		c = &req->contacts[i];
		if ((e = contact_expires(reg, req, c)) == -1)
			return REG_ERR_BRIEF;
		b = binding_match(a, c);
		if (b != NULL && out_of_order(b, req))
			return REG_ERR_ORDER;
		if (b != NULL && e == 0)
			after--;
		else if (b == NULL && e > 0)
			after++;
	}
	if (req->max_bindings != 0 && after > cur &&
	    after > req->max_bindings)
		return REG_ERR_FULL;
	return REG_OK;
}

static int
apply_contacts(struct registrar *reg, struct reg_aor *a,
    const struct reg_request *req)
{
	const struct reg_contact	*c;
	struct reg_binding		*b;
	size_t				 i;
	long				 e;
	int				 rc = 0;

	for (i = 0; i < req->ncontacts && rc == 0; i++) {
		c = &req->contacts[i];
		e = contact_expires(reg, req, c);
		if ((b = binding_match(a, c)) != NULL && e == 0)
			binding_remove(reg, b, REG_DROP_REMOVED);
		else if (b != NULL)
			rc = binding_update(reg, b, req, c, req->now + e);
		else if (e > 0)
			rc = binding_add(reg, a, req, c, req->now + e);
	}
	aor_gc(reg, a);
	return rc == 0 ? REG_OK : REG_ERR;
}

int
reg_apply(struct registrar *reg, const struct reg_request *req)
{
	struct reg_aor	*a;
	char		 key[REG_MAX_AOR];
	int		 rc;

	if (aor_key(req->aor, key) == -1 || !request_valid(req))
		return REG_ERR_INVALID;
	a = aor_purge(reg, aor_find(reg, key), req->now);
	if (req->wildcard)
		return apply_wildcard(reg, a, req);
	if ((rc = precheck(reg, a, req)) != REG_OK || req->ncontacts == 0)
		return rc;
	if (a == NULL && (a = aor_new(reg, key)) == NULL)
		return REG_ERR;
	return apply_contacts(reg, a, req);
}

/* ---------------------------------------------------------------- queries */

size_t
reg_lookup(const struct registrar *reg, const char *aor, time_t now,
    const struct reg_binding **out, size_t max)
{
	const struct reg_aor		*a;
	const struct reg_binding	*b;
	char				 key[REG_MAX_AOR];
	size_t				 n = 0;

	if (aor_key(aor, key) == -1 || (a = aor_find(reg, key)) == NULL)
		return 0;
	for (b = a->bindings; b != NULL; b = b->next) {
		if (b->expires <= now)
			continue;
		if (n < max)
			out[n] = b;
		n++;
	}
	return n;
}

size_t
reg_remove_flow(struct registrar *reg, uint64_t flow)
{
	struct reg_binding	*b;
	struct reg_aor		*a;
	size_t			 n = 0;

	if (flow == 0)
		return 0;
	while ((b = idmap_get(&reg->flows, flow)) != NULL) {
		a = b->owner;
		binding_remove(reg, b, REG_DROP_FLOW);
		aor_gc(reg, a);
		n++;
	}
	return n;
}

size_t
reg_expire(struct registrar *reg, time_t now)
{
	struct reg_binding	*b;
	struct reg_aor		*a;
	size_t			 n = 0;

	while (reg->nheap > 0 && (b = reg->heap[0])->expires <= now) {
		a = b->owner;
		binding_remove(reg, b, REG_DROP_EXPIRED);
		aor_gc(reg, a);
		n++;
	}
	return n;
}

int
reg_next_expiry(const struct registrar *reg, time_t *when)
{
	if (reg->nheap == 0)
		return -1;
	*when = reg->heap[0]->expires;
	return 0;
}

void
reg_counts(const struct registrar *reg, size_t *aors, size_t *bindings)
{
	if (aors != NULL)
		*aors = reg->naors;
	if (bindings != NULL)
		*bindings = reg->nbindings;
}

/* ---------------------------------------------------------------- life */

int
reg_init(struct registrar *reg, const struct reg_limits *lim,
    reg_drop_fn *drop, void *arg)
{
	memset(reg, 0, sizeof(*reg));
	if (lim != NULL)
		reg->lim = *lim;
	if (reg->lim.default_expires == 0)
		reg->lim.default_expires = 3600;
	reg->drop = drop;
	reg->arg = arg;
	if (idmap_init(&reg->aors, 64) == -1)
		return -1;
	if (idmap_init(&reg->flows, 64) == -1) {
		idmap_free(&reg->aors);
		return -1;
	}
	return 0;
}

void
reg_free(struct registrar *reg)
{
	struct reg_binding	*b;
	struct reg_aor		*a;

	while (reg->nheap > 0) {
		b = reg->heap[0];
		a = b->owner;
		binding_remove(reg, b, REG_DROP_FREED);
		aor_gc(reg, a);
	}
	free(reg->heap);
	idmap_free(&reg->aors);
	idmap_free(&reg->flows);
	memset(reg, 0, sizeof(*reg));
}
