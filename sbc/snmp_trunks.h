/*
 * snmp_trunks.h: the SNMP trunk table provider: the rows the signaling
 * thread publishes (signaling/trunk.c: state, last error, registration,
 * calls) once it has; until then the trunks of the running
 * configuration, each unmonitored(5), not registered, no call counts.
 *
 * Owns: one reference to the current configuration snapshot and a copy
 * of the published rows, behind a mutex.  Thread: init/set/destroy in
 * main (set on each reload); snmp_cfg_trunks_publish in signaling
 * (through sbc_ctx.trunk_rows); snmp_cfg_trunks_rows (a snmp_trunk_fn)
 * in the SNMP thread.
 */
#ifndef SBC_SNMP_TRUNKS_H
#define SBC_SNMP_TRUNKS_H

#include <pthread.h>

#include "sbc/snmp_agent.h"

struct sbc_config;

struct snmp_cfg_trunks {
	pthread_mutex_t		 lock;
	struct sbc_config	*cfg;	/* a reference of ours */
	struct snmp_trunk_row	*live;	/* published rows; NULL: none yet */
	int			 nlive;
};

int	snmp_cfg_trunks_init(struct snmp_cfg_trunks *, struct sbc_config *);
void	snmp_cfg_trunks_set(struct snmp_cfg_trunks *, struct sbc_config *);
void	snmp_cfg_trunks_destroy(struct snmp_cfg_trunks *);
int	snmp_cfg_trunks_rows(void *arg, struct snmp_trunk_row *, int max);
/* The signaling thread's rows (copied); they replace the configured ones. */
void	snmp_cfg_trunks_publish(struct snmp_cfg_trunks *,
	    const struct snmp_trunk_row *, int n);

#endif
