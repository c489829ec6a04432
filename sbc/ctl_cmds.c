/*
 * ctl_cmds.c: the control command table and the handlers answered in the
 * ctl thread itself (help, status, show stats, log level, reload); the
 * rows for what signaling owns forward the command to it (ctl_query.h).
 *
 * Owns: nothing (constant table; answers are handed to the caller).
 * Thread: the ctl service ("ctl").
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "policy/policy.h"
#include "sbc/ctl_cmds.h"
#include "sbc/ctl_proto.h"
#include "sbc/ctl_query.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/stats.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
add_u64(struct json_object *o, const char *key, uint64_t v)
{
	struct json_object	*n;

	if ((n = json_object_new_uint64(v)) == NULL)
		return -1;
	if (json_object_object_add(o, key, n) != 0) {
		json_object_put(n);
		return -1;
	}
	return 0;
}

static int
add_str(struct json_object *o, const char *key, const char *v)
{
	struct json_object	*s;

	if ((s = json_object_new_string(v)) == NULL)
		return -1;
	if (json_object_object_add(o, key, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

/* *data = o when ok; else o is freed and err says so. */
static int
hand_over(struct json_object *o, int ok, struct json_object **data,
    char *err, size_t errlen)
{
	if (o == NULL || !ok) {
		json_object_put(o);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*data = o;
	return 0;
}

static int
cmd_help(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	const struct ctl_cmd	*tab, *c;
	struct json_object	*a, *row;
	char			 words[64];
	size_t			 n, i, w;
	int			 ok = 1;

	tab = ctl_cmds_table(&n);
	if ((a = json_object_new_array_ext((int)n)) == NULL)
		return hand_over(NULL, 0, data, err, errlen);
	for (i = 0; i < n && ok; i++) {
		c = &tab[i];
		words[0] = '\0';
		for (w = 0; c->words[w] != NULL; w++)
			snprintf(words + strlen(words), sizeof(words) -
			    strlen(words), "%s%s", w ? " " : "", c->words[w]);
		ok = (row = json_object_new_object()) != NULL &&
		    json_object_array_add(a, row) == 0;
		if (!ok) {
			json_object_put(row);
			break;
		}
		ok = add_str(row, "command", words) == 0 &&
		    add_str(row, "args", c->args) == 0 &&
		    add_str(row, "help", c->help) == 0;
	}
	return hand_over(a, ok, data, err, errlen);
}

static int
cmd_status(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	const struct sbc_stats	*st = ctx->sbc->stats;
	struct sbc_media_totals	 mt;
	struct json_object	*o;
	struct tm		 tm;
	char			 started[32] = "-";
	int			 ok;

	if (st == NULL) {
		snprintf(err, errlen, "no statistics in this process");
		return -1;
	}
	sbc_stats_media_sum(st, &mt);
	if (gmtime_r(&st->started, &tm) != NULL)
		strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_object_new_object();
	ok = o != NULL && add_str(o, "version", PACKAGE_VERSION) == 0 &&
	    add_str(o, "started", started) == 0 &&
	    add_u64(o, "uptime", (uint64_t)(time(NULL) - st->started)) == 0 &&
	    add_u64(o, "threads", 2 + (uint64_t)ctx->sbc->nmedia) == 0 &&
	    add_u64(o, "media_workers", (uint64_t)ctx->sbc->nmedia) == 0 &&
	    add_u64(o, "calls_active", SBC_STAT_GET(&st->calls_active)) == 0 &&
	    add_u64(o, "registrations",
	    SBC_STAT_GET(&st->registrations)) == 0 &&
	    add_u64(o, "ws_connections",
	    SBC_STAT_GET(&st->ws_connections)) == 0 &&
	    add_u64(o, "media_sessions", mt.sessions) == 0;
	return hand_over(o, ok, data, err, errlen);
}

struct counter {
	const char	*name;
	size_t		 off;
};

#define STAT(f)		{ #f, offsetof(struct sbc_stats, f) }
static const struct counter stat_counters[] = {
	STAT(calls_active), STAT(calls_total), STAT(calls_failed),
	STAT(registrations), STAT(ws_connections), STAT(ws_total),
	STAT(policy_drops), STAT(bans_active), STAT(bans_total),
	STAT(cac_rejects), STAT(web_served), STAT(web_refused),
};
#undef STAT

#define MEDIA(f)	{ "media_" #f, offsetof(struct sbc_media_totals, f) }
static const struct counter media_counters[] = {
	MEDIA(sessions), MEDIA(packets_in), MEDIA(packets_out),
	MEDIA(packets_dropped), MEDIA(srtp_auth_failures),
	MEDIA(dtls_failures),
};
#undef MEDIA

/* Every policy decision by reason: "policy_rate_invite", ... */
static int
add_policy(struct json_object *o, struct policy *p)
{
	uint64_t	v[POL_REASON_MAX];
	char		key[64];
	int		i;

	policy_counters(p, v);
	for (i = 0; i < POL_REASON_MAX; i++) {
		snprintf(key, sizeof(key), "policy_%s",
		    pol_reason_name((enum pol_reason)i));
		if (add_u64(o, key, v[i]) == -1)
			return -1;
	}
	return 0;
}

static int
cmd_show_stats(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	const struct sbc_stats	*st = ctx->sbc->stats;
	struct sbc_media_totals	 mt;
	struct json_object	*o;
	const _Atomic uint64_t	*a;
	size_t			 i;
	int			 ok;

	if (st == NULL) {
		snprintf(err, errlen, "no statistics in this process");
		return -1;
	}
	sbc_stats_media_sum(st, &mt);
	ok = (o = json_object_new_object()) != NULL;
	for (i = 0; ok && i < NELEM(stat_counters); i++) {
		a = (const _Atomic uint64_t *)(const void *)
		    ((const char *)st + stat_counters[i].off);
		ok = add_u64(o, stat_counters[i].name, SBC_STAT_GET(a)) == 0;
	}
	for (i = 0; ok && i < NELEM(media_counters); i++)
		ok = add_u64(o, media_counters[i].name, *(const uint64_t *)
		    (const void *)((const char *)&mt +
		    media_counters[i].off)) == 0;
	if (ok && ctx->sbc->policy != NULL)
		ok = add_policy(o, ctx->sbc->policy) == 0;
	return hand_over(o, ok, data, err, errlen);
}

static int
cmd_log_level(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	struct sbc_log		*lg = ctx->sbc->log;
	struct json_object	*o;
	int			 level, ok;

	if (argc == 3) {
		if ((level = sbc_log_level_parse(argv[2])) == -1) {
			snprintf(err, errlen, "unknown level '%s': error, "
			    "warning, notice, info or debug", argv[2]);
			return -1;
		}
		sbc_log_set_level(lg, level);
		log_notice(lg, "log level set to %s by sbcctl",
		    sbc_log_level_name(level));
	}
	level = atomic_load(&lg->level);
	o = json_object_new_object();
	ok = o != NULL && add_str(o, "level", sbc_log_level_name(level)) == 0;
	return hand_over(o, ok, data, err, errlen);
}

static int
cmd_reload(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	if (ctx->sbc->reload == NULL) {
		snprintf(err, errlen, "reload is not available here");
		return -1;
	}
	if (ctx->sbc->reload(ctx->sbc->reload_arg, err, errlen) == -1)
		return -1;
	return hand_over(json_object_new_string("configuration reloaded"),
	    1, data, err, errlen);
}

/* What signaling owns: its own handler answers (ctl_query.h). */
static int
cmd_signaling(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	if (ctx->sbc->signaling == NULL) {
		snprintf(err, errlen, "signaling is not running");
		return -1;
	}
	return ctl_forward(ctx->sbc->signaling, argc, argv, data, err,
	    errlen, ctx->forward_ms) == CTL_OK ? 0 : -1;
}

/* sip trace off [FILTER|all]: the streams end here, in the ctl thread. */
static int
trace_off(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	struct json_object	*o;
	int			 n, ok;

	if (ctx->stream_stop == NULL) {
		snprintf(err, errlen, "no traces here");
		return -1;
	}
	n = ctx->stream_stop(ctx, argc > 3 ? argv[3] : NULL);
	o = json_object_new_object();
	ok = o != NULL && add_u64(o, "stopped", (uint64_t)n) == 0;
	return hand_over(o, ok, data, err, errlen);
}

/*
 * sip trace on [FILTER]: signaling keeps the subscriber (b2b_trace.c);
 * the connection stays open for the events (ctl_trace.h).
 */
static int
cmd_sip_trace(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	if (strcmp(argv[2], "off") == 0)
		return trace_off(ctx, argc, argv, data, err, errlen);
	if (strcmp(argv[2], "on") != 0) {
		snprintf(err, errlen, "sip trace: 'on' or 'off', not '%s'",
		    argv[2]);
		return -1;
	}
	if (ctx->sbc->signaling == NULL || ctx->self == NULL) {
		snprintf(err, errlen, "signaling is not running");
		return -1;
	}
	if (ctl_forward_from(ctx->sbc->signaling, ctx->self, ctx->client,
	    argc, argv, data, err, errlen, ctx->forward_ms) != CTL_OK)
		return -1;
	ctx->stream = 1;
	return 0;
}

#define LEVELS	"[error|warning|notice|info|debug]"
static const struct ctl_cmd cmds[] = {
	{ { "help" }, 0, 0, cmd_help, "", "list the commands" },
	{ { "status" }, 0, 0, cmd_status, "",
	    "version, uptime, threads, calls, registrations, connections" },
	{ { "show", "stats" }, 0, 0, cmd_show_stats, "",
	    "every counter, media totals summed over the workers" },
	{ { "show", "calls" }, 0, 0, cmd_signaling, "", "active calls" },
	{ { "show", "call" }, 1, 1, cmd_signaling, "ID",
	    "one call in detail" },
	{ { "show", "registrations" }, 0, 0, cmd_signaling, "",
	    "registered browser bindings" },
	{ { "show", "trunks" }, 0, 0, cmd_signaling, "",
	    "trunks: registration and OPTIONS state" },
	{ { "show", "bans" }, 0, 0, cmd_signaling, "", "banned addresses" },
	{ { "call", "kill" }, 1, 1, cmd_signaling, "ID",
	    "end a call (BYE toward both sides)" },
	{ { "trunk", "register" }, 1, 1, cmd_signaling, "NAME",
	    "register the trunk now" },
	{ { "trunk", "unregister" }, 1, 1, cmd_signaling, "NAME",
	    "unregister the trunk" },
	{ { "ban", "add" }, 1, 1, cmd_signaling, "ADDR", "ban an address" },
	{ { "ban", "del" }, 1, 1, cmd_signaling, "ADDR", "lift a ban" },
	{ { "sip", "trace" }, 1, 2, cmd_sip_trace, "on|off [FILTER]",
	    "on: stream SIP messages (matching FILTER) until closed; "
	    "off: end traces (yours, FILTER's, or all)" },
	{ { "log", "level" }, 0, 1, cmd_log_level, LEVELS,
	    "show or set the log level" },
	{ { "reload" }, 0, 0, cmd_reload, "",
	    "reload the configuration file (refused on errors)" },
};
#undef LEVELS

const struct ctl_cmd *
ctl_cmds_table(size_t *n)
{
	*n = NELEM(cmds);
	return cmds;
}

/* How many leading words of argv the row's words match (0: not all). */
static int
row_match(const struct ctl_cmd *c, int argc, char *const *argv,
    int *prefix)
{
	int	w;

	for (w = 0; c->words[w] != NULL; w++) {
		if (w >= argc) {
			*prefix = 1;	/* argv is the start of this row */
			return 0;
		}
		if (strcmp(c->words[w], argv[w]) != 0)
			return 0;
	}
	return w;
}

static const struct ctl_cmd *
find(int argc, char *const *argv, int *prefix)
{
	const struct ctl_cmd	*best = NULL;
	size_t			 i;
	int			 n, bestn = 0;

	*prefix = 0;
	for (i = 0; i < NELEM(cmds); i++) {
		n = row_match(&cmds[i], argc, argv, prefix);
		if (n > bestn) {
			best = &cmds[i];
			bestn = n;
		}
	}
	return best;
}

const struct ctl_cmd *
ctl_cmds_find(int argc, char *const *argv)
{
	int	prefix;

	return find(argc, argv, &prefix);
}

static int
nwords(const struct ctl_cmd *c)
{
	int	n = 0;

	while (c->words[n] != NULL)
		n++;
	return n;
}

static void
usage(const struct ctl_cmd *c, char *err, size_t errlen)
{
	size_t	w, len;

	snprintf(err, errlen, "usage:");
	for (w = 0; c->words[w] != NULL; w++) {
		len = strlen(err);
		snprintf(err + len, errlen - len, " %s", c->words[w]);
	}
	len = strlen(err);
	if (*c->args != '\0')
		snprintf(err + len, errlen - len, " %s", c->args);
}

int
ctl_cmds_run(struct ctl_ctx *ctx, int argc, char **argv,
    struct json_object **data, char *err, size_t errlen)
{
	const struct ctl_cmd	*c;
	int			 prefix, nargs;

	*data = NULL;
	if ((c = find(argc, argv, &prefix)) == NULL) {
		snprintf(err, errlen, "%s command '%s%s%s' (try 'help')",
		    prefix ? "incomplete" : "unknown", argv[0],
		    argc > 1 && !prefix ? " " : "",
		    argc > 1 && !prefix ? argv[1] : "");
		return CTL_BAD_REQUEST;
	}
	nargs = argc - nwords(c);
	if (nargs < c->min_args || nargs > c->max_args) {
		usage(c, err, errlen);
		return CTL_BAD_REQUEST;
	}
	if (c->fn(ctx, argc, argv, data, err, errlen) == -1) {
		json_object_put(*data);
		*data = NULL;
		return CTL_FAILED;
	}
	return CTL_OK;
}
