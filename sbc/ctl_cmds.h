/*
 * ctl_cmds.h: the control commands: one table row per command (its words,
 * how many arguments follow, the handler, a one-line help).  The daemon's
 * own state (stats, log level, reload) is answered here in the ctl thread;
 * what signaling owns is forwarded to it (ctl_query.h).
 *
 * Owns: nothing (the table is constant).  Thread: the ctl service.
 */
#ifndef SBC_CTL_CMDS_H
#define SBC_CTL_CMDS_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct sbc_ctx;
struct sbc_service;

#define CTL_MAX_WORDS	3

/* What a handler may reach. */
struct ctl_ctx {
	const struct sbc_ctx	*sbc;
	int			 forward_ms;	/* wait for other threads */

	/* Streaming commands (sip trace); set by ctl_server.c per request. */
	struct sbc_service	*self;		/* the ctl service, or NULL */
	uint64_t		 client;	/* the connection's id */
	long			 uid;		/* its peer's uid; -1: TCP */
	int			 stream;	/* a handler sets it: keep the
						   connection for events */
	/* End the streams `sip trace off [FILTER]` names; how many. */
	int			(*stream_stop)(struct ctl_ctx *,
				    const char *filter);
	void			*server;
};

/*
 * argv: the whole command (its words first); the argument count is checked
 * against the row before the call.  0: *data is the answer (NULL: JSON
 * null); -1: err says why (status 1).
 */
typedef int (*ctl_cmd_fn)(struct ctl_ctx *, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen);

struct ctl_cmd {
	const char	*words[CTL_MAX_WORDS + 1];	/* NULL-terminated */
	int		 min_args, max_args;	/* after the words */
	ctl_cmd_fn	 fn;
	const char	*args;		/* usage of the arguments, "" none */
	const char	*help;
};

const struct ctl_cmd *ctl_cmds_table(size_t *n);

/* The row argv names (longest match), NULL when none. */
const struct ctl_cmd *ctl_cmds_find(int argc, char *const *argv);

/*
 * Look argv up and run it.  Returns the reply's status (ctl_proto.h):
 * 0 with *data set (owned by the caller), else err filled.
 */
int	ctl_cmds_run(struct ctl_ctx *, int argc, char **argv,
	    struct json_object **data, char *err, size_t errlen);

#endif
