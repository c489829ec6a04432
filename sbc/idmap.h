/*
 * idmap.h: a map from 64-bit ids (flow ids, session ids) to pointers.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones); grows at 50% load.  Id 0 is reserved (never a key) and
 * values are never NULL (NULL means "absent").  A freed map may be reused.
 * Owns: its slot array, not the values.  Thread: one owner; not shared.
 */
#ifndef SBC_IDMAP_H
#define SBC_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint64_t	 id;
	void		*val;
};

struct idmap {
	struct idmap_slot	*slots;
	size_t			 cap;	/* power of two */
	size_t			 n;
};

int	idmap_init(struct idmap *, size_t hint);
void	idmap_free(struct idmap *);
int	idmap_put(struct idmap *, uint64_t id, void *val);	/* 0 / -1 */
void	*idmap_get(const struct idmap *, uint64_t id);
void	*idmap_del(struct idmap *, uint64_t id);

#endif
