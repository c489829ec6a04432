/*
 * ports.c: round-robin pool of even/odd port pairs (see ports.h).
 * Owns: the busy map.  Thread: "signaling".
 */
#include "config.h"

#include <stdlib.h>

#include "media/ports.h"

int
port_pool_init(struct port_pool *pp, int min, int max)
{
	pp->min = min + (min & 1);
	pp->npairs = (max - pp->min + 1) / 2;
	pp->next = 0;
	pp->used = 0;
	if (pp->npairs <= 0)
		return -1;
	pp->busy = calloc((size_t)pp->npairs, 1);
	return pp->busy == NULL ? -1 : 0;
}

void
port_pool_free(struct port_pool *pp)
{
	free(pp->busy);
	pp->busy = NULL;
}

int
port_pool_get(struct port_pool *pp)
{
	int	i, k;

	if (pp->used >= pp->npairs)
		return -1;
	for (i = 0; i < pp->npairs; i++) {
		k = (pp->next + i) % pp->npairs;
		if (pp->busy[k])
			continue;
		pp->busy[k] = 1;
		pp->used++;
		pp->next = (k + 1) % pp->npairs;
		return pp->min + 2 * k;
	}
	return -1;
}

void
port_pool_put(struct port_pool *pp, int port)
{
	int	k = (port - pp->min) / 2;

	if (port < pp->min || k >= pp->npairs || !pp->busy[k])
		return;
	pp->busy[k] = 0;
	pp->used--;
}
