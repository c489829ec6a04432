/*
 * snmp_trunks.c: the configured trunks as SNMP trunk table rows (see
 * snmp_trunks.h).
 *
 * Owns: a configuration reference, swapped under the mutex on reload.
 * Thread: main (init, set, destroy); SNMP thread (rows).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sbc/conf.h"
#include "sbc/snmp_trunks.h"

int
snmp_cfg_trunks_init(struct snmp_cfg_trunks *t, struct sbc_config *cfg)
{
	if (pthread_mutex_init(&t->lock, NULL) != 0)
		return -1;
	t->cfg = sbc_config_ref(cfg);
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
	pthread_mutex_destroy(&t->lock);
}

int
snmp_cfg_trunks_rows(void *arg, struct snmp_trunk_row *rows, int max)
{
	struct snmp_cfg_trunks	*t = arg;
	int			 i, n;

	pthread_mutex_lock(&t->lock);
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
