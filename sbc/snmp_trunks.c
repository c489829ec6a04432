/*
 * snmp_trunks.c: the SNMP trunk table rows (see snmp_trunks.h): the ones
 * signaling/trunk.c publishes, else the configured trunks.
 *
 * Owns: a configuration reference, swapped under the mutex on reload; the
 * copy of the published rows.
 * Thread: main (init, set, destroy); signaling (publish); SNMP (rows).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/conf.h"
#include "sbc/snmp_trunks.h"

int
snmp_cfg_trunks_init(struct snmp_cfg_trunks *t, struct sbc_config *cfg)
{
	if (pthread_mutex_init(&t->lock, NULL) != 0)
		return -1;
	t->cfg = sbc_config_ref(cfg);
	t->live = NULL;
	t->nlive = 0;
	return 0;
}

void
snmp_cfg_trunks_set(struct snmp_cfg_trunks *t, struct sbc_config *cfg)
{
	struct sbc_config	*old;

	pthread_mutex_lock(&t->lock);
	old = t->cfg;
	t->cfg = sbc_config_ref(cfg);
	pthread_mutex_unlock(&t->lock);
	sbc_config_unref(old);
}

void
snmp_cfg_trunks_destroy(struct snmp_cfg_trunks *t)
{
	sbc_config_unref(t->cfg);
	t->cfg = NULL;
	free(t->live);		/* trunk.c */
	t->live = NULL;
	pthread_mutex_destroy(&t->lock);
}

/* trunk.c's rows, from the signaling thread (sbc_ctx.trunk_rows). */
void
snmp_cfg_trunks_publish(struct snmp_cfg_trunks *t,
    const struct snmp_trunk_row *rows, int n)
{
	struct snmp_trunk_row	*copy, *old;

	if (n < 0 || (copy = calloc(n ? (size_t)n : 1, sizeof(*copy))) == NULL)
		return;
	if (n > 0)
		memcpy(copy, rows, (size_t)n * sizeof(*copy));
	pthread_mutex_lock(&t->lock);
	old = t->live;
	t->live = copy;
	t->nlive = n;
	pthread_mutex_unlock(&t->lock);
	free(old);
}

int
snmp_cfg_trunks_rows(void *arg, struct snmp_trunk_row *rows, int max)
{
	struct snmp_cfg_trunks	*t = arg;
	int			 i, n;

	pthread_mutex_lock(&t->lock);
	if (t->live != NULL) {		/* trunk.c's */
		n = t->nlive < max ? t->nlive : max;
		memcpy(rows, t->live, (size_t)n * sizeof(*rows));
		pthread_mutex_unlock(&t->lock);
		return n;
	}
	n = t->cfg->ntrunks < (size_t)max ? (int)t->cfg->ntrunks : max;
	for (i = 0; i < n; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		snprintf(rows[i].name, sizeof(rows[i].name), "%s",
		    t->cfg->trunks[i].name);
		rows[i].state = SNMP_TRUNK_UNMONITORED;
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}
