/*
 * snmp_agent.c: the AgentX sub-agent for SBC-MIB (see snmp_agent.h and
 * docs/SBC-MIB.txt).
 *
 * Owns: struct snmp_agent and the "snmp" thread.  net-snmp keeps global
 * state (sessions, registrations, alarms, callbacks, its logger): every
 * net-snmp call of the process is made in that thread, from init_agent()
 * to snmp_shutdown(), and nowhere else.  Other threads only touch the
 * notification ring (under its mutex) and the wake pipe.
 * Thread: snmp_agent_start/stop in main; snmp_agent_notify in any thread;
 * everything else in the "snmp" thread.
 *
 * Loop: agent_check_and_process(1) waits on the AgentX socket, the wake
 * pipe (registered with register_readfd) and net-snmp's alarms (ours: the
 * one-second CPS sample; net-snmp's: the AgentX ping and reconnection
 * every snmp.reconnect seconds), so it returns at least once a second.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/snmp_agent.h"
#include "sbc/stats.h"

#define SBC_ENTERPRISE	99999	/* placeholder PEN: see docs/SBC-MIB.txt */
#define APP_NAME	"sbc"	/* net-snmp application type */
#define NOTE_MAX	32
#define NOTE_ARG	256	/* sbcCertificateInfo: SIZE (0..255) */
#define TRUNK_MAX	256
#define CPS_WINDOW	10	/* seconds averaged by sbcCps */

/* sbc = enterprises.99999; sbcNotifications = sbc.0, sbcObjects = sbc.1 */
static const oid sbc_oid[] = { 1, 3, 6, 1, 4, 1, SBC_ENTERPRISE };
#define SBC_OID_LEN	OID_LENGTH(sbc_oid)
static const oid snmptrapoid_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
#define OBJ_TRUNKS	5	/* sbcObjects.5.1.1: sbcTrunkEntry */
#define OBJ_NOTIFY	6	/* sbcObjects.6: sbcNotifyObjects */

struct note {
	enum snmp_notification	type;
	char			arg[NOTE_ARG];
};

struct snmp_agent {
	char			 socket[256];
	int			 reconnect;
	struct sbc_stats	*stats;
	snmp_trunk_fn		 trunks;
	void			*trunks_arg;
	struct sbc_log		*log;
	pthread_t		 tid;
	atomic_int		 stop;
	int			 wake[2];	/* pipe: notify/stop -> thread */

	pthread_mutex_t		 lock;		/* guards the ring below */
	struct note		 ring[NOTE_MAX];
	unsigned		 head, count, dropped;

	/* The SNMP thread's own. */
	int			 connected;
	uint64_t		 cps_hist[CPS_WINDOW + 1];
	unsigned		 cps_n;
	struct snmp_trunk_row	 rows[TRUNK_MAX];
	int			 nrows;
};

/* ------------------------------------------------------------ values */

enum vkind { V_STRING, V_INTEGER, V_TICKS, V_GAUGE, V_COUNTER64 };

static const u_char vkind_asn[] = {
	[V_STRING] = ASN_OCTET_STR, [V_INTEGER] = ASN_INTEGER,
	[V_TICKS] = ASN_TIMETICKS, [V_GAUGE] = ASN_GAUGE,
	[V_COUNTER64] = ASN_COUNTER64,
};

struct value {
	enum vkind	 kind;
	uint64_t	 n;
	const char	*s;
};

static void
set_value(netsnmp_variable_list *vb, const struct value *v)
{
	struct counter64	c64;
	long			l;

	if (v->kind == V_STRING) {
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->s, strlen(v->s));
	} else if (v->kind == V_COUNTER64) {
		c64.high = (u_long)(v->n >> 32);
		c64.low = (u_long)(v->n & 0xffffffffu);
		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c64, sizeof(c64));
	} else {
		l = (long)(v->kind == V_GAUGE && v->n > UINT32_MAX ?
		    UINT32_MAX : v->n & 0xffffffffu);
		snmp_set_var_typed_integer(vb, vkind_asn[v->kind], l);
	}
}

/* ------------------------------------------------------------ scalars */

/* Getters: off is where the value is in struct sbc_stats (val_stat) or in
 * struct sbc_media_totals (val_media); the others ignore it. */
static uint64_t
val_stat(const struct snmp_agent *a, size_t off)
{
	return SBC_STAT_GET((const _Atomic uint64_t *)
	    ((const char *)a->stats + off));
}

static uint64_t
val_media(const struct snmp_agent *a, size_t off)
{
	struct sbc_media_totals	t;

	sbc_stats_media_sum(a->stats, &t);
	return *(const uint64_t *)((const char *)&t + off);
}

static uint64_t
val_uptime(const struct snmp_agent *a, size_t off)
{
	struct timespec	now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec < a->stats->started)
		return 0;
	return (uint64_t)(now.tv_sec - a->stats->started) * 100 +
	    (uint64_t)now.tv_nsec / 10000000;
}

/* Calls per second over the last CPS_WINDOW one-second samples, rounded. */
static uint64_t
val_cps(const struct snmp_agent *a, size_t off)
{
	unsigned	n = a->cps_n < CPS_WINDOW + 1 ? a->cps_n : CPS_WINDOW + 1;
	uint64_t	newest, oldest;

	if (n < 2)
		return 0;
	newest = a->cps_hist[(a->cps_n - 1) % (CPS_WINDOW + 1)];
	oldest = a->cps_hist[(a->cps_n - n) % (CPS_WINDOW + 1)];
	return (newest - oldest + (n - 1) / 2) / (n - 1);
}

/* sbcObjects.group.item; get NULL: sbcVersion. */
struct scalar {
	const char	*name;
	oid		 group, item;
	enum vkind	 kind;
	uint64_t	(*get)(const struct snmp_agent *, size_t off);
	size_t		 off;
};

#define STAT(f)		val_stat, offsetof(struct sbc_stats, f)
#define MEDIA(f)	val_media, offsetof(struct sbc_media_totals, f)

static const struct scalar scalars[] = {
	{ "sbcVersion", 1, 1, V_STRING, NULL, 0 },
	{ "sbcUptime", 1, 2, V_TICKS, val_uptime, 0 },
	{ "sbcCallsActive", 2, 1, V_GAUGE, STAT(calls_active) },
	{ "sbcCallsTotal", 2, 2, V_COUNTER64, STAT(calls_total) },
	{ "sbcCallsFailed", 2, 3, V_COUNTER64, STAT(calls_failed) },
	{ "sbcCps", 2, 4, V_GAUGE, val_cps, 0 },
	{ "sbcRegistrationsActive", 2, 5, V_GAUGE, STAT(registrations) },
	{ "sbcWsConnections", 2, 6, V_GAUGE, STAT(ws_connections) },
	{ "sbcMediaPacketsRelayed", 3, 1, V_COUNTER64, MEDIA(packets_out) },
	{ "sbcMediaPacketsDropped", 3, 2, V_COUNTER64, MEDIA(packets_dropped) },
	{ "sbcSrtpAuthFailures", 3, 3, V_COUNTER64, MEDIA(srtp_auth_failures) },
	{ "sbcDtlsFailures", 3, 4, V_COUNTER64, MEDIA(dtls_failures) },
	{ "sbcPolicyDrops", 4, 1, V_COUNTER64, STAT(policy_drops) },
	{ "sbcBansActive", 4, 2, V_GAUGE, STAT(bans_active) },
};

/* oid buffer: sbc + tail; returns the length. */
static size_t
sbc_oid_make(oid *buf, const oid *tail, size_t ntail)
{
	memcpy(buf, sbc_oid, sizeof(sbc_oid));
	memcpy(buf + SBC_OID_LEN, tail, ntail * sizeof(oid));
	return SBC_OID_LEN + ntail;
}

static int
scalar_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *req)
{
	const struct snmp_agent	*a = h->myvoid;
	const struct scalar	*s = &scalars[(uintptr_t)reg->my_reg_void];
	struct value		 v = { s->kind, 0, PACKAGE_VERSION };

	if (reqinfo->mode != MODE_GET)
		return SNMP_ERR_NOERROR;
	if (s->get != NULL)
		v.n = s->get(a, s->off);
	for (; req != NULL; req = req->next)
		set_value(req->requestvb, &v);
	return SNMP_ERR_NOERROR;
}

static int
register_scalars(struct snmp_agent *a)
{
	netsnmp_handler_registration	*reg;
	oid				 name[MAX_OID_LEN];
	size_t				 i, len;

	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		len = sbc_oid_make(name, (const oid[]){ 1, scalars[i].group,
		    scalars[i].item }, 3);
		reg = netsnmp_create_handler_registration(scalars[i].name,
		    scalar_handler, name, len, HANDLER_CAN_RONLY);
		if (reg == NULL)
			return -1;
		reg->handler->myvoid = a;
		reg->my_reg_void = (void *)(uintptr_t)i;
		if (netsnmp_register_scalar(reg) != MIB_REGISTERED_OK)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ trunk table */

static void
load_rows(struct snmp_agent *a)
{
	a->nrows = a->trunks != NULL ?
	    a->trunks(a->trunks_arg, a->rows, TRUNK_MAX) : 0;
	if (a->nrows < 0)
		a->nrows = 0;
}

static netsnmp_variable_list *
row_next(void **loop, void **data, netsnmp_variable_list *index,
    netsnmp_iterator_info *ii)
{
	struct snmp_agent	*a = ii->myvoid;
	uintptr_t		 i = (uintptr_t)*loop;

	if (i >= (uintptr_t)a->nrows)
		return NULL;
	snmp_set_var_typed_integer(index, ASN_UNSIGNED, (long)i + 1);
	*data = &a->rows[i];
	*loop = (void *)(i + 1);
	return index;
}

static netsnmp_variable_list *
row_first(void **loop, void **data, netsnmp_variable_list *index,
    netsnmp_iterator_info *ii)
{
	load_rows(ii->myvoid);
	*loop = NULL;
	return row_next(loop, data, index, ii);
}

/* Columns 2..8 of sbcTrunkEntry (1 is the index): column_fns[col - 2]. */
typedef struct value (*column_fn)(const struct snmp_trunk_row *);

static struct value
c_name(const struct snmp_trunk_row *r)
{
	return (struct value){ V_STRING, 0, r->name };
}

static struct value
c_state(const struct snmp_trunk_row *r)
{
	return (struct value){ V_INTEGER, (uint64_t)r->state, NULL };
}

static struct value
c_error(const struct snmp_trunk_row *r)
{
	return (struct value){ V_STRING, 0, r->last_error };
}

static struct value
c_registered(const struct snmp_trunk_row *r)
{
	return (struct value){ V_INTEGER, r->registered ? 1 : 2, NULL };
}

static struct value
c_active(const struct snmp_trunk_row *r)
{
	return (struct value){ V_GAUGE, r->calls_active, NULL };
}

static struct value
c_total(const struct snmp_trunk_row *r)
{
	return (struct value){ V_COUNTER64, r->calls_total, NULL };
}

static struct value
c_failed(const struct snmp_trunk_row *r)
{
	return (struct value){ V_COUNTER64, r->calls_failed, NULL };
}

static const column_fn column_fns[] = {
	c_name, c_state, c_error, c_registered, c_active, c_total, c_failed,
};
#define COL_MIN	2
#define COL_MAX	(COL_MIN + sizeof(column_fns) / sizeof(column_fns[0]) - 1)

static struct value
column(const struct snmp_trunk_row *r, unsigned col)
{
	return column_fns[col - COL_MIN](r);
}

static int
table_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *req)
{
	const struct snmp_trunk_row		*r;
	netsnmp_table_request_info		*ti;
	struct value				 v;

	if (reqinfo->mode != MODE_GET)
		return SNMP_ERR_NOERROR;
	for (; req != NULL; req = req->next) {
		if (req->processed)
			continue;
		r = netsnmp_extract_iterator_context(req);
		ti = netsnmp_extract_table_info(req);
		if (r == NULL || ti == NULL || ti->colnum < COL_MIN ||
		    ti->colnum > COL_MAX) {
			netsnmp_set_request_error(reqinfo, req,
			    SNMP_NOSUCHINSTANCE);
			continue;
		}
		v = column(r, ti->colnum);
		set_value(req->requestvb, &v);
	}
	return SNMP_ERR_NOERROR;
}

static int
register_table(struct snmp_agent *a)
{
	netsnmp_handler_registration	*reg;
	netsnmp_table_registration_info	*ti;
	netsnmp_iterator_info		*ii;
	oid				 name[MAX_OID_LEN];
	size_t				 len;

	ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
	ii = SNMP_MALLOC_TYPEDEF(netsnmp_iterator_info);
	len = sbc_oid_make(name, (const oid[]){ 1, OBJ_TRUNKS, 1 }, 3);
	reg = netsnmp_create_handler_registration("sbcTrunkTable",
	    table_handler, name, len, HANDLER_CAN_RONLY);
	if (ti == NULL || ii == NULL || reg == NULL)
		goto fail;
	netsnmp_table_helper_add_indexes(ti, ASN_UNSIGNED, 0);
	ti->min_column = COL_MIN;
	ti->max_column = COL_MAX;
	ii->get_first_data_point = row_first;
	ii->get_next_data_point = row_next;
	ii->table_reginfo = ti;
	ii->myvoid = a;
	ii->flags |= NETSNMP_ITERATOR_FLAG_SORTED;
	/* registered: net-snmp owns reg, ti and ii (freed at shutdown) */
	return netsnmp_register_table_iterator2(reg, ii) == MIB_REGISTERED_OK ?
	    0 : -1;
fail:
	free(ti);
	free(ii);
	netsnmp_handler_registration_free(reg);
	return -1;
}

/* ------------------------------------------------------------ notifications */

/* Per type: sbcNotifications.trap, carrying sbcNotifyObjects.obj (0: the
 * trunk's name, state and last error from the table). */
static const struct {
	oid	trap, obj;
} note_kinds[] = {
	[SNMP_NOTIFY_TRUNK_DOWN] = { 1, 0 },
	[SNMP_NOTIFY_TRUNK_UP] = { 2, 0 },
	[SNMP_NOTIFY_BAN_ADDED] = { 3, 1 },
	[SNMP_NOTIFY_CALL_LIMIT] = { 4, 2 },
	[SNMP_NOTIFY_CERT_EXPIRING] = { 5, 3 },
};
#define NOTE_KINDS	(sizeof(note_kinds) / sizeof(note_kinds[0]))

static void
add_var(netsnmp_variable_list **vars, const oid *tail, size_t ntail,
    const struct value *v)
{
	netsnmp_variable_list	*vb;
	oid			 name[MAX_OID_LEN];
	size_t			 len = sbc_oid_make(name, tail, ntail);

	vb = snmp_varlist_add_variable(vars, name, len, ASN_NULL, NULL, 0);
	if (vb != NULL)
		set_value(vb, v);
}

/* sbcTrunkName, sbcTrunkState, sbcTrunkLastError of the named trunk. */
static int
add_trunk_vars(struct snmp_agent *a, netsnmp_variable_list **vars,
    const char *name)
{
	struct value	v;
	unsigned	col;
	int		i;

	load_rows(a);
	for (i = 0; i < a->nrows; i++)
		if (strcmp(a->rows[i].name, name) == 0)
			break;
	if (i == a->nrows)
		return -1;
	for (col = 2; col <= 4; col++) {
		v = column(&a->rows[i], col);
		add_var(vars, (const oid[]){ 1, OBJ_TRUNKS, 1, 1, col,
		    (oid)i + 1 }, 6, &v);
	}
	return 0;
}

static void
send_note(struct snmp_agent *a, const struct note *n)
{
	netsnmp_variable_list	*vars = NULL;
	oid			 trap[MAX_OID_LEN];
	size_t			 len;
	struct value		 v = { V_STRING, 0, n->arg };

	len = sbc_oid_make(trap, (const oid[]){ 0, note_kinds[n->type].trap },
	    2);
	snmp_varlist_add_variable(&vars, snmptrapoid_oid,
	    OID_LENGTH(snmptrapoid_oid), ASN_OBJECT_ID, trap,
	    len * sizeof(oid));
	if (note_kinds[n->type].obj != 0)
		add_var(&vars, (const oid[]){ 1, OBJ_NOTIFY,
		    note_kinds[n->type].obj, 0 }, 4, &v);
	else if (add_trunk_vars(a, &vars, n->arg) == -1)
		log_warn(a->log, "trunk '%s' is not in the trunk table; "
		    "its notification carries no trunk objects", n->arg);
	send_v2trap(vars);
	snmp_free_varbind(vars);
}

/* Send what is queued, oldest first; only while the master is there. */
static void
flush_notes(struct snmp_agent *a)
{
	struct note	n;
	unsigned	dropped;

	while (a->connected) {
		pthread_mutex_lock(&a->lock);
		if (a->count == 0) {
			pthread_mutex_unlock(&a->lock);
			return;
		}
		n = a->ring[a->head];
		a->head = (a->head + 1) % NOTE_MAX;
		a->count--;
		dropped = a->dropped;
		a->dropped = 0;
		pthread_mutex_unlock(&a->lock);
		if (dropped > 0)
			log_warn(a->log, "%u notification(s) dropped: "
			    "queue full", dropped);
		send_note(a, &n);
	}
}

int
snmp_agent_notify(struct snmp_agent *a, enum snmp_notification type,
    const char *arg)
{
	struct note	*n;

	if (a == NULL)
		return 0;
	if ((unsigned)type >= NOTE_KINDS)
		return -1;
	pthread_mutex_lock(&a->lock);
	if (a->count == NOTE_MAX) {	/* drop the oldest */
		a->head = (a->head + 1) % NOTE_MAX;
		a->count--;
		a->dropped++;
	}
	n = &a->ring[(a->head + a->count) % NOTE_MAX];
	n->type = type;
	snprintf(n->arg, sizeof(n->arg), "%s", arg != NULL ? arg : "");
	a->count++;
	pthread_mutex_unlock(&a->lock);
	if (write(a->wake[1], "n", 1) == -1 && errno != EAGAIN)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ net-snmp glue */

static void
on_wake(int fd, void *arg)
{
	char	buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void
cps_tick(unsigned int reg, void *arg)
{
	struct snmp_agent	*a = arg;

	a->cps_hist[a->cps_n % (CPS_WINDOW + 1)] =
	    SBC_STAT_GET(&a->stats->calls_total);
	a->cps_n++;
}

/* net-snmp's log lines (warning and worse) into ours. */
static int
on_log(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message	*m = server;
	struct sbc_log			*lg = client;
	size_t				 n = strlen(m->msg);
	int				 level;

	while (n > 0 && (m->msg[n - 1] == '\n' || m->msg[n - 1] == ' '))
		n--;
	level = m->priority < LOG_ERR ? LOG_ERR : m->priority;
	if (n > 0)
		sbc_logf(lg, level, "net-snmp: %.*s", (int)n, m->msg);
	return SNMP_ERR_NOERROR;
}

static int
on_connect(int major, int minor, void *server, void *client)
{
	struct snmp_agent	*a = client;

	a->connected = 1;
	log_notice(a->log, "connected to the AgentX master at %s",
	    a->socket);
	return SNMP_ERR_NOERROR;
}

static int
on_disconnect(int major, int minor, void *server, void *client)
{
	struct snmp_agent	*a = client;

	a->connected = 0;
	log_warn(a->log, "lost the AgentX master at %s; retrying "
	    "every %d s", a->socket, a->reconnect);
	return SNMP_ERR_NOERROR;
}

/*
 * Library settings: no config files, no persistent state, no MIB files (an
 * agent needs none: "mibs :" empties the list of modules to load, and the
 * directory is one that does not exist, so nothing is scanned either).
 */
static void
set_options(struct snmp_agent *a)
{
	char			no_mibs[] = "mibs :";
	static const int	lib_bools[] = {
		NETSNMP_DS_LIB_DONT_READ_CONFIGS,
		NETSNMP_DS_LIB_DONT_PERSIST_STATE,
		NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD,
		NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE,
		NETSNMP_DS_LIB_ALARM_DONT_USE_SIG,
	};
	size_t			i;

	for (i = 0; i < sizeof(lib_bools) / sizeof(lib_bools[0]); i++)
		netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, lib_bools[i], 1);
	netsnmp_set_mib_directory("/nonexistent");
	netsnmp_config_remember(no_mibs);	/* copied */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_ROLE, 1);	/* SUB_AGENT (snmpd.h, not installed) */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);	/* ours, once */
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_X_SOCKET, a->socket);
}

static int
agent_init(struct snmp_agent *a)
{
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_WARNING);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    on_log, a->log);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_START, on_connect, a);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_STOP, on_disconnect, a);
	set_options(a);
	if (init_agent(APP_NAME) != 0 || register_scalars(a) == -1 ||
	    register_table(a) == -1) {
		log_err(a->log, "cannot initialise the sub-agent");
		return -1;
	}
	/* after init_agent(), which sets its default (15 s): ping period of a
	 * connected master, retry period of an absent one */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, a->reconnect);
	init_snmp(APP_NAME);	/* connects (POST_READ_CONFIG callback) */
	register_readfd(a->wake[0], on_wake, a);
	snmp_alarm_register(1, SA_REPEAT, cps_tick, a);
	cps_tick(0, a);
	if (!a->connected)
		log_warn(a->log, "no AgentX master at %s yet; retrying "
		    "every %d s", a->socket, a->reconnect);
	return 0;
}

/*
 * clear_callback() (in snmp_shutdown and shutdown_agent) frees the client
 * argument of every callback still registered: take ours out first.
 */
static void
agent_fini(struct snmp_agent *a)
{
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    on_log, a->log, 1);
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_START, on_connect, a, 1);
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_STOP, on_disconnect, a, 1);
	snmp_shutdown(APP_NAME);	/* closes the AgentX session */
	shutdown_agent();
}

static void *
agent_main(void *arg)
{
	struct snmp_agent	*a = arg;

	if (agent_init(a) == 0) {
		while (!atomic_load(&a->stop)) {
			flush_notes(a);
			agent_check_and_process(1);
		}
		unregister_readfd(a->wake[0]);
	}
	agent_fini(a);
	return NULL;
}

/* ------------------------------------------------------------ life cycle */

struct snmp_agent *
snmp_agent_start(const struct sbc_snmp_conf *cfg, struct sbc_stats *stats,
    snmp_trunk_fn trunks, void *arg, struct sbc_log *log)
{
	struct snmp_agent	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->wake[0] = a->wake[1] = -1;
	snprintf(a->socket, sizeof(a->socket), "%s", cfg->agentx_socket);
	a->reconnect = cfg->reconnect > 0 ? cfg->reconnect : 1;
	a->stats = stats;
	a->trunks = trunks;
	a->trunks_arg = arg;
	a->log = log;
	if (pthread_mutex_init(&a->lock, NULL) != 0)
		goto fail_free;
	if (pipe2(a->wake, O_CLOEXEC | O_NONBLOCK) == -1)
		goto fail_lock;
	if (pthread_create(&a->tid, NULL, agent_main, a) != 0)
		goto fail_pipe;
	pthread_setname_np(a->tid, "snmp");
	return a;
fail_pipe:
	close(a->wake[0]);
	close(a->wake[1]);
fail_lock:
	pthread_mutex_destroy(&a->lock);
fail_free:
	log_err(log, "snmp: cannot start the sub-agent thread: %s",
	    strerror(errno));
	free(a);
	return NULL;
}

void
snmp_agent_stop(struct snmp_agent *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->stop, 1);
	if (write(a->wake[1], "s", 1) == -1 && errno != EAGAIN)
		log_warn(a->log, "snmp: cannot wake the sub-agent: %s",
		    strerror(errno));
	pthread_join(a->tid, NULL);
	close(a->wake[0]);
	close(a->wake[1]);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
