/*
 * idmap.c: id → pointer hash map (see idmap.h).
 *
 * Owns: the slot array.  Thread: the owner of the map.
 */
#include "config.h"

#include <stdlib.h>

#include "sbc/idmap.h"

static size_t
slot_of(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

int
idmap_init(struct idmap *m, size_t hint)
{
	size_t	cap = 16;

	while (cap < hint * 2)
		cap <<= 1;
	m->n = 0;
	m->cap = cap;
	m->slots = calloc(cap, sizeof(*m->slots));
	return m->slots == NULL ? -1 : 0;
}

void
idmap_free(struct idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static void
insert(struct idmap_slot *slots, size_t cap, uint64_t id, void *val)
{
	size_t	i = slot_of(id, cap);

	while (slots[i].id != 0 && slots[i].id != id)
		i = (i + 1) & (cap - 1);
	slots[i].id = id;
	slots[i].val = val;
}

static int
grow(struct idmap *m)
{
	struct idmap_slot	*ns;
	size_t			 i, cap = m->cap * 2;

	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].id != 0)
			insert(ns, cap, m->slots[i].id, m->slots[i].val);
	free(m->slots);
	m->slots = ns;
	m->cap = cap;
	return 0;
}

int
idmap_put(struct idmap *m, uint64_t id, void *val)
{
	if (id == 0 || val == NULL)
		return -1;
	if (m->cap == 0 && idmap_init(m, 8) == -1)
		return -1;
	if (idmap_get(m, id) != NULL) {	/* replace: never grows, never fails */
		insert(m->slots, m->cap, id, val);
		return 0;
	}
	if ((m->n + 1) * 2 > m->cap && grow(m) == -1)
		return -1;
	m->n++;
	insert(m->slots, m->cap, id, val);
	return 0;
}

void *
idmap_get(const struct idmap *m, uint64_t id)
{
	size_t	i;

	if (id == 0 || m->cap == 0)
		return NULL;
	for (i = slot_of(id, m->cap); m->slots[i].id != 0;
	    i = (i + 1) & (m->cap - 1))
		if (m->slots[i].id == id)
			return m->slots[i].val;
	return NULL;
}

void *
idmap_del(struct idmap *m, uint64_t id)
{
	size_t	 i, j, k, mask = m->cap - 1;
	void	*val;

	if (id == 0 || m->cap == 0)
		return NULL;
	for (i = slot_of(id, m->cap); m->slots[i].id != id; i = (i + 1) & mask)
		if (m->slots[i].id == 0)
			return NULL;
	val = m->slots[i].val;
	m->n--;
	/* backward shift: pull later members of the cluster into the hole */
	for (j = (i + 1) & mask; m->slots[j].id != 0; j = (j + 1) & mask) {
		k = slot_of(m->slots[j].id, m->cap);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].id = 0;
	m->slots[i].val = NULL;
	return val;
}
