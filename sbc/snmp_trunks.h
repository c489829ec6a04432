/*
 * snmp_trunks.h: the SNMP trunk table provider until trunk monitoring
 * exists: the trunks of the running configuration, each unmonitored(5),
 * not registered, no call counts.
 *
 * Owns: one reference to the current configuration snapshot, behind a
 * mutex.  Thread: init/set/destroy in main (set on each reload);
 * snmp_cfg_trunks_rows (a snmp_trunk_fn) in the SNMP thread.
 */
#ifndef SBC_SNMP_TRUNKS_H
#define SBC_SNMP_TRUNKS_H

#include <pthread.h>

#include "sbc/snmp_agent.h"

struct sbc_config;

struct snmp_cfg_trunks {
	pthread_mutex_t		 lock;
	struct sbc_config	*cfg;	/* a reference of ours */
};

int	snmp_cfg_trunks_init(struct snmp_cfg_trunks *, struct sbc_config *);
void	snmp_cfg_trunks_set(struct snmp_cfg_trunks *, struct sbc_config *);
void	snmp_cfg_trunks_destroy(struct snmp_cfg_trunks *);
int	snmp_cfg_trunks_rows(void *arg, struct snmp_trunk_row *, int max);

#endif
