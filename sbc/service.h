/*
 * service.h: a long-lived thread with its own event loop and inbox queue.
 *
 * The daemon runs one signaling service (Sofia su_root), one WebSocket edge
 * service (libevent), N media workers (libevent) and the control socket
 * service "ctl" (libevent, sbc/ctl_server.h).  Each follows the same
 * life: setup (bind sockets, build the loop) in its own thread; report to
 * the start latch; wait until main has dropped privileges; run until a
 * SBC_MSG_STOP arrives; teardown.  Nothing is shared between services but
 * their queues and the read-only struct sbc_ctx.
 * Owns: the thread and its queue.  Thread: main creates and joins; the
 * callbacks run in the service's own thread.
 */
#ifndef SBC_SERVICE_H
#define SBC_SERVICE_H

#include <pthread.h>

#include "sbc/queue.h"

struct sbc_log;
struct sbc_config;
struct sbc_service;

/* Start-up rendezvous between main and the services. */
struct sbc_latch {
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	int		pending;	/* services still in setup */
	int		failed;
	int		go;		/* 1: run, -1: abort */
};

/*
 * Read-only after start: what every service may look at.  Queues of the
 * other services are reachable here so messages can be addressed.
 */
struct sbc_tls_files;
struct dtls_identity;
struct sbc_stats;
struct policy;
struct snmp_trunk_row;

struct sbc_ctx {
	struct sbc_log		*log;
	const struct sbc_tls_files *tls;	/* WSS/TLS certificate files */
	struct dtls_identity	*dtls;		/* read-only after start */
	struct sbc_latch	*latch;
	struct sbc_stats	*stats;		/* atomics: see stats.h */
	struct policy		*policy;	/* locked inside: policy.h */
	struct sbc_service	*signaling;
	struct sbc_service	*edge;
	struct sbc_service	**media;
	int			 nmedia;
	/*
	 * Reload the configuration file (any thread; serialized with
	 * SIGHUP's): 0, or -1 with the FILE:LINE errors in err (the running
	 * snapshot stays).  NULL in tests.
	 */
	int			(*reload)(void *arg, char *err, size_t errlen);
	void			*reload_arg;
	/*
	 * Trunk monitoring (signaling/trunk.c) to the daemon, from the
	 * signaling thread: the SNMP trunk table rows when they change, and
	 * a trunk going down (up 0) or up again (up 1) for the SNMP
	 * notifications.  NULL in tests.
	 */
	void			(*trunk_rows)(void *arg,
				    const struct snmp_trunk_row *, int n);
	void			(*trunk_event)(void *arg, int up,
				    const char *trunk);
	void			*trunk_arg;
	/*
	 * Call admission (signaling/b2b_policy.c) to the daemon, from the
	 * signaling thread: a call was refused by the limit named as its
	 * configuration key ("policy.max_calls", "trunk pbx max_calls"), at
	 * most once a minute per limit, for sbcCallLimitReached.  NULL in
	 * tests.
	 */
	void			(*call_limit)(void *arg, const char *limit);
	void			*call_limit_arg;
};

struct sbc_service_ops {
	int	(*setup)(struct sbc_service *, struct sbc_config *);
	void	(*run)(struct sbc_service *);
	void	(*teardown)(struct sbc_service *);
};

struct sbc_service {
	char				 name[16];
	int				 index;
	pthread_t			 tid;
	int				 started;
	struct sbc_queue		 inbox;
	const struct sbc_service_ops	*ops;
	const struct sbc_ctx		*ctx;
	void				*priv;		/* the service's state */
	struct sbc_config		*cfg;		/* initial snapshot */
};

void	sbc_latch_init(struct sbc_latch *, int pending);
void	sbc_latch_destroy(struct sbc_latch *);
int	sbc_latch_wait_ready(struct sbc_latch *);	/* main: 0 / -1 */
void	sbc_latch_release(struct sbc_latch *, int go);	/* main */

int	sbc_service_init(struct sbc_service *, const char *name, int index,
	    const struct sbc_service_ops *, const struct sbc_ctx *,
	    struct sbc_config *);
int	sbc_service_start(struct sbc_service *);
int	sbc_service_post(struct sbc_service *, struct sbc_qmsg *);
void	sbc_service_join(struct sbc_service *);
void	sbc_service_destroy(struct sbc_service *);


/* Inbox dispatch: a table per service, looked up by message type. */
typedef void (*sbc_msg_fn)(struct sbc_service *, struct sbc_qmsg *);

struct sbc_msg_handler {
	unsigned	type;
	sbc_msg_fn	fn;
};

/*
 * Take every pending message and hand it to its handler, then free it.
 * SBC_MSG_CONFIG swaps s->cfg before its handler (if any) runs, so a
 * handler sees the new snapshot in s->cfg.
 */
void	sbc_service_drain(struct sbc_service *, const struct sbc_msg_handler *,
	    size_t);

#endif
