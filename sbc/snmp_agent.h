/*
 * snmp_agent.h: the SNMP AgentX sub-agent (docs/SBC-MIB.txt).
 *
 * The sub-agent connects to a master agent (snmpd) over its AgentX socket
 * and answers for SBC-MIB: counters read from struct sbc_stats when a
 * request arrives, calls per second sampled each second, the trunk table
 * from a provider callback, and notifications queued by snmp_agent_notify.
 * If the master is away (at start, or snmpd restarts) it logs a warning
 * and retries every `snmp.reconnect` seconds.
 *
 * Owns: its thread, and every net-snmp call of the process: net-snmp keeps
 * global state, so it is initialised, run (agent_check_and_process) and
 * shut down in that one thread and nowhere else.  One agent per process.
 * Thread: snmp_agent_start/stop from main (after privileges are dropped:
 * the AgentX socket is a client connection, it needs no root);
 * snmp_agent_notify from any thread; the trunk provider is called in the
 * SNMP thread.
 */
#ifndef SBC_SNMP_AGENT_H
#define SBC_SNMP_AGENT_H

#include <stdint.h>

struct sbc_log;
struct sbc_snmp_conf;
struct sbc_stats;
struct snmp_agent;

/* sbcTrunkState values (SBC-MIB). */
enum snmp_trunk_state {
	SNMP_TRUNK_UP = 1,
	SNMP_TRUNK_DOWN = 2,
	SNMP_TRUNK_REGISTERING = 3,
	SNMP_TRUNK_FAILED = 4,
	SNMP_TRUNK_UNMONITORED = 5,
};

/* One row of sbcTrunkTable; the index is the position in rows[], from 1. */
struct snmp_trunk_row {
	char		name[64];
	int		state;		/* enum snmp_trunk_state */
	char		last_error[128];
	int		registered;	/* 0/1 */
	uint64_t	calls_active, calls_total, calls_failed;
};

/*
 * Fill up to max rows; return how many (-1: none to show).  Called in the
 * SNMP thread for each request on the table and for trunk notifications:
 * it must be quick and take only its own locks.
 */
typedef int (*snmp_trunk_fn)(void *arg, struct snmp_trunk_row *rows, int max);

/* The notifications of SBC-MIB; arg is the text each one carries. */
enum snmp_notification {
	SNMP_NOTIFY_TRUNK_DOWN,		/* arg: trunk name */
	SNMP_NOTIFY_TRUNK_UP,		/* arg: trunk name */
	SNMP_NOTIFY_BAN_ADDED,		/* arg: the banned address */
	SNMP_NOTIFY_CALL_LIMIT,		/* arg: the limit, e.g. policy.max_calls */
	SNMP_NOTIFY_CERT_EXPIRING,	/* arg: file, notAfter, days left */
};

/*
 * Start the sub-agent thread.  cfg is copied; stats, the provider's arg
 * and log must outlive the agent.  Returns NULL when the thread cannot be
 * made; a master agent that is not there yet is not an error.
 */
struct snmp_agent *snmp_agent_start(const struct sbc_snmp_conf *cfg,
	    struct sbc_stats *stats, snmp_trunk_fn trunks, void *arg,
	    struct sbc_log *log);

/* Stop the thread (closing the AgentX session), join it, free.  NULL: no-op. */
void	snmp_agent_stop(struct snmp_agent *);

/*
 * Queue a notification (arg is copied, truncated to 255 bytes) and wake
 * the SNMP thread, which sends it with send_v2trap() as soon as it is
 * connected to the master: queued ones wait for a (re)connection.  The
 * queue holds 32; when full the oldest is dropped (and counted in a log
 * line).  Any thread; never blocks on the network.  A NULL agent (SNMP
 * disabled) is a no-op returning 0; -1 on a bad type.
 */
int	snmp_agent_notify(struct snmp_agent *, enum snmp_notification,
	    const char *arg);

#endif
