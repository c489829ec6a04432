/*
 * ctl_query.h: a control command forwarded to another service's thread
 * (signaling owns calls, registrations, trunks, bans, SIP trace), and the
 * wait for its answer.
 *
 * The ctl thread calls ctl_forward(): it posts a struct ctl_query
 * (CTL_MSG_QUERY) to the target's inbox and blocks up to timeout_ms on a
 * condition variable.  The target thread answers with ctl_query_done().
 *
 * What a target implements (e.g. signaling/sig_service.c):
 *
 *	static void
 *	on_ctl_query(struct sbc_service *s, struct sbc_qmsg *m)
 *	{
 *		struct ctl_query *q = (struct ctl_query *)m;
 *
 *		// q->argc, q->argv: the whole command as typed, checked
 *		// against the command table (words and argument count), e.g.
 *		// {"show", "call", "42"}; read-only, valid while q lives.
 *		if (lookup fails)
 *			ctl_query_done(q, CTL_FAILED, NULL, "no call 42");
 *		else
 *			ctl_query_done(q, CTL_OK, data, NULL);
 *	}
 *	... { CTL_MSG_QUERY, on_ctl_query }, in its sbc_msg_handler table.
 *
 * ctl_query_done() takes the caller's reference on data (a json_object
 * built in the target thread; NULL is JSON null) whether or not anyone
 * still waits; the target must keep no other reference to it (json-c's
 * reference counts are not atomic: ownership moves under the query's
 * mutex, the objects are never shared).  Call it at most once.  sbc_service_drain() frees the message after the handler
 * (dropping the message's reference): an answer given later (after a
 * round trip to a media worker, say) needs ctl_query_hold(q) in the
 * handler, then ctl_query_done() and ctl_query_release(q) when ready.
 * A query whose last holder other than the waiter lets go unanswered (no
 * handler: drain logs "type ignored" and frees it; or a queue destroyed at
 * stop) wakes the waiter at once with status 1 "no answer from NAME"; a
 * target that never lets go is left after timeout_ms with the same error.
 * Either side may be last: the query is reference-counted under its mutex,
 * so a timed-out waiter and a late replier never use freed memory.
 *
 * Owns: the query (argv copy, result) until the last reference goes.
 * Thread: ctl_forward in the ctl thread; done/hold/release in the target.
 */
#ifndef SBC_CTL_QUERY_H
#define SBC_CTL_QUERY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc/queue.h"

struct json_object;
struct sbc_service;

enum {
	/* media/media.h uses FIRST_PRIVATE+0.., signaling/edge.h +16.. */
	CTL_MSG_QUERY = SBC_MSG_FIRST_PRIVATE + 100,	/* ctl → target */
};

struct ctl_query {
	struct sbc_qmsg		 hdr;		/* CTL_MSG_QUERY; first */
	int			 argc;
	char			**argv;		/* argc words + NULL */
	char			 target[16];	/* service name, for errors */
	struct sbc_service	*origin;	/* ctl_forward_from: the ctl
						   service (sip trace), or NULL */
	uint64_t		 client;	/* its connection's id */

	/* Private to ctl_query.c: under lock. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 refs;
	int			 waiting;	/* the ctl thread still waits */
	int			 done;
	int			 status;	/* enum ctl_status */
	struct json_object	*data;
	char			 error[256];
};

/*
 * In the ctl thread: forward argv to target and wait.  Returns the status
 * (0: *data set, the caller owns it; else err filled: the target's error,
 * or "no answer from NAME" after timeout_ms or when the query was dropped).
 */
int	ctl_forward(struct sbc_service *target, int argc, char **argv,
	    struct json_object **data, char *err, size_t errlen, int timeout_ms);

/* The same, telling the target who asks: origin (the ctl service) and the
 * id of the connection (`sip trace on` streams events back to it). */
int	ctl_forward_from(struct sbc_service *target,
	    struct sbc_service *origin, uint64_t client, int argc, char **argv,
	    struct json_object **data, char *err, size_t errlen, int timeout_ms);

/* In the target thread. */
void	ctl_query_done(struct ctl_query *, int status,
	    struct json_object *data, const char *error);
struct ctl_query *ctl_query_hold(struct ctl_query *);
void	ctl_query_release(struct ctl_query *);

#endif
