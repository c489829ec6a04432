/*
 * test_ctl.c: cmocka unit tests for the control socket's pure parts and
 * its command layer: request parsing and its limits (ctl_proto.c), reply
 * lines, request building, rendering, word splitting and completion
 * (ctl_render.c), the command table (ctl_cmds.c) on a fake context, and
 * the forwarder (ctl_query.c) against a fake target thread that answers,
 * answers late, drops the query or never looks at it.
 *
 * Thread: the test's main thread plus one fake target thread per
 * forwarding test.
 */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "sbc/ctl_cmds.h"
#include "sbc/ctl_proto.h"
#include "sbc/ctl_query.h"
#include "sbc/ctl_render.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/stats.h"

/* ------------------------------------------------------------ parsing */

static int
parse(const char *line, struct ctl_request *req, char *err, size_t errlen)
{
	return ctl_proto_parse(line, strlen(line), req, err, errlen);
}

static void
test_parse_ok(void **state)
{
	struct ctl_request	req;
	char			err[256];

	assert_int_equal(parse("{\"argv\":[\"show\",\"calls\"]}", &req, err,
	    sizeof(err)), 0);
	assert_int_equal(req.argc, 2);
	assert_string_equal(req.argv[0], "show");
	assert_string_equal(req.argv[1], "calls");
	assert_null(req.argv[2]);
	ctl_request_free(&req);

	/* CRLF, blanks, other members, escapes, UTF-8. */
	assert_int_equal(parse(" {\"id\":7, \"argv\" : [\"ban\", \"add\", "
	    "\"10.0.0.\\u0031\", \"caf\xc3\xa9\"]} \r", &req, err,
	    sizeof(err)), 0);
	assert_int_equal(req.argc, 4);
	assert_string_equal(req.argv[2], "10.0.0.1");
	assert_string_equal(req.argv[3], "caf\xc3\xa9");
	ctl_request_free(&req);
}

static void
expect_refused(const char *line, const char *why)
{
	struct ctl_request	req;
	char			err[256] = "";

	if (ctl_proto_parse(line, strlen(line), &req, err, sizeof(err)) == 0)
		fail_msg("accepted: %s", line);
	assert_int_equal(req.argc, 0);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' lacks '%s'", line, err, why);
}

static void
test_parse_refused(void **state)
{
	expect_refused("", "empty line");
	expect_refused("   \r", "empty line");
	expect_refused("show calls", "bad request");
	expect_refused("[\"show\"]", "expected {\"argv\"");
	expect_refused("{\"args\":[\"show\"]}", "expected {\"argv\"");
	expect_refused("{\"argv\":\"show\"}", "expected {\"argv\"");
	expect_refused("{\"argv\":[]}", "1 to 16 words");
	expect_refused("{\"argv\":[\"show\",1]}", "strings");
	expect_refused("{\"argv\":[\"show\",null]}", "strings");
	expect_refused("{\"argv\":[\"\"]}", "empty command");
	expect_refused("{\"argv\":[\"show\"]} x", "bad request");
	expect_refused("{\"argv\":[\"a\"]}{\"argv\":[\"b\"]}", "bad request");
	expect_refused("{\"argv\":[\"show\"", "incomplete");
	expect_refused("{'argv':['show']}", "bad request");
	expect_refused("{\"argv\":[\"show\",],}", "bad request");
	expect_refused("{\"argv\":[\"a\\u0000b\"]}", "control character");
	expect_refused("{\"argv\":[\"a\\nb\"]}", "control character");
	expect_refused("{\"argv\":[\"a\x7f\"]}", "control character");
	expect_refused("{\"argv\":[\"\xc3\x28\"]}", "bad request");
	expect_refused("{\"x\":[[[[[[[[[[1]]]]]]]]]],\"argv\":[\"a\"]}",
	    "bad request");
}

static void
test_parse_nul_byte(void **state)
{
	static const char	line[] = "{\"argv\":[\"a\"]}\0{}";
	struct ctl_request	req;
	char			err[256];

	assert_int_equal(ctl_proto_parse(line, sizeof(line) - 1, &req, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
}

/* A request of n words of len bytes each, padded with blanks to pad. */
static char *
make_request(int n, size_t len, size_t pad)
{
	size_t	cap = 64 + (size_t)n * (len + 4) + pad, off;
	char	*s = malloc(cap);
	int	 i;

	assert_non_null(s);
	off = (size_t)snprintf(s, cap, "{\"argv\":[");
	for (i = 0; i < n; i++) {
		s[off++] = i ? ',' : ' ';
		s[off++] = '"';
		memset(s + off, 'a' + i % 26, len);
		off += len;
		s[off++] = '"';
	}
	while (off < pad)
		s[off++] = ' ';
	memcpy(s + off, "]}", 3);
	return s;
}

static void
test_parse_limits(void **state)
{
	struct ctl_request	req;
	char			err[256], *s;

	s = make_request(CTL_MAX_ARGS, CTL_MAX_ARG, 0);
	assert_int_equal(parse(s, &req, err, sizeof(err)), 0);
	assert_int_equal(req.argc, CTL_MAX_ARGS);
	assert_int_equal(strlen(req.argv[CTL_MAX_ARGS - 1]), CTL_MAX_ARG);
	ctl_request_free(&req);
	free(s);
	s = make_request(CTL_MAX_ARGS + 1, 1, 0);
	expect_refused(s, "1 to 16 words");
	free(s);
	s = make_request(1, CTL_MAX_ARG + 1, 0);
	expect_refused(s, "longer than 256");
	free(s);
	/* Exactly the limit passes; one byte more does not. */
	s = make_request(1, 4, CTL_MAX_REQUEST - 2);
	assert_int_equal(strlen(s), CTL_MAX_REQUEST);
	assert_int_equal(parse(s, &req, err, sizeof(err)), 0);
	ctl_request_free(&req);
	free(s);
	s = make_request(1, 4, CTL_MAX_REQUEST - 1);
	expect_refused(s, "longer than 8192");
	free(s);
}

/* ------------------------------------------------------------ replies */

static void
test_replies(void **state)
{
	struct json_object	*a = json_object_new_array();
	struct ctl_reply	 r;
	char			 err[256], *line;

	json_object_array_add(a, json_object_new_string("x\"/\\"));
	line = ctl_proto_reply_ok(a);
	assert_non_null(line);
	assert_string_equal(line, "{\"status\":0,\"data\":[\"x\\\"/\\\\\"]}\n");
	assert_int_equal(ctl_reply_parse(line, strlen(line) - 1, &r, err,
	    sizeof(err)), 0);
	assert_true(r.final);
	assert_int_equal(r.status, 0);
	assert_true(json_object_equal(r.data, a));
	ctl_reply_free(&r);
	free(line);

	line = ctl_proto_reply_error(CTL_FAILED, "a.conf:7: bad\nb.conf:1: x");
	assert_int_equal(ctl_reply_parse(line, strlen(line), &r, err,
	    sizeof(err)), 0);
	assert_true(r.final);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.error, "a.conf:7: bad\nb.conf:1: x");
	ctl_reply_free(&r);
	free(line);

	line = ctl_proto_reply_ok(NULL);
	assert_string_equal(line, "{\"status\":0,\"data\":null}\n");
	free(line);

	line = ctl_proto_event(a);
	assert_int_equal(ctl_reply_parse(line, strlen(line), &r, err,
	    sizeof(err)), 0);
	assert_false(r.final);
	assert_true(json_object_equal(r.data, a));
	ctl_reply_free(&r);
	free(line);
	json_object_put(a);

	assert_int_equal(ctl_reply_parse("[1]", 3, &r, err, sizeof(err)), -1);
	assert_int_equal(ctl_reply_parse("{\"x\":1}", 7, &r, err,
	    sizeof(err)), -1);
	assert_int_equal(ctl_reply_parse("{\"status\":\"0\"}", 14, &r, err,
	    sizeof(err)), -1);
}

static void
test_request_build(void **state)
{
	char			*argv[] = { "sip", "trace", "on", "a \"b\"\\c/\xc3\xa9",
				    NULL };
	struct ctl_request	 req;
	char			 err[256], *line;
	int			 i;

	line = ctl_request_build(4, argv);
	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_int_equal(parse(line, &req, err, sizeof(err)), 0);
	assert_int_equal(req.argc, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(req.argv[i], argv[i]);
	ctl_request_free(&req);
	free(line);
}

/* ---------------------------------------------------------- rendering */

static char *
render(const char *json)
{
	struct json_object	*o = json_tokener_parse(json);
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_true(o != NULL || strcmp(json, "null") == 0);
	assert_int_equal(ctl_render(f, o), 0);
	fclose(f);
	json_object_put(o);
	return buf;
}

static void
expect_render(const char *json, const char *want)
{
	char	*got = render(json);

	assert_string_equal(got, want);
	free(got);
}

static void
test_render(void **state)
{
	expect_render("[{\"id\":1,\"from\":\"alice\",\"state\":\"confirmed\"},"
	    "{\"id\":22,\"from\":\"bob\\u001b[31m\",\"state\":null}]",
	    "id  from      state\n"
	    "1   alice     confirmed\n"
	    "22  bob?[31m  -\n");
	/* Columns from the first object; a missing key is "-". */
	expect_render("[{\"a\":\"x\"},{\"b\":2},{\"a\":[1,2]}]",
	    "a\nx\n-\n[1,2]\n");
	expect_render("[{\"name\":\"caf\xc3\xa9\",\"n\":1},"
	    "{\"name\":\"ab\",\"n\":2}]",
	    "name  n\ncaf\xc3\xa9  1\nab    2\n");
	expect_render("{\"version\":\"0.1.0\",\"uptime\":5,"
	    "\"nested\":{\"a\":true}}",
	    "version: 0.1.0\nuptime:  5\nnested:  {\"a\":true}\n");
	expect_render("\"hello\\tworld\"", "hello?world\n");
	expect_render("42", "42\n");
	expect_render("[]", "(none)\n");
	expect_render("[\"a\",2,null]", "a\n2\n-\n");
	expect_render("null", "");
	expect_render("{}", "");
}

static void
test_split_words(void **state)
{
	char	 line[] = "  show  \"a b\" 'c' d\"e f\"g  ";
	char	 open[] = "ban add \"1.2.3.4";
	char	 many[] = "a b c d";
	char	*argv[5];

	assert_int_equal(ctl_split_words(line, argv, 4), 4);
	assert_string_equal(argv[0], "show");
	assert_string_equal(argv[1], "a b");
	assert_string_equal(argv[2], "c");
	assert_string_equal(argv[3], "de fg");
	assert_null(argv[4]);
	assert_int_equal(ctl_split_words(open, argv, 4), -1);
	assert_int_equal(ctl_split_words(many, argv, 3), -1);
}

static size_t
complete(const char *before, const char *text, char **out)
{
	static const char *const t[] = {
		"help ", "show calls ", "show call ID", "status ",
		"log level [error|warning|notice|info|debug]",
		"sip trace on|off [FILTER]",
	};

	return ctl_complete(t, sizeof(t) / sizeof(t[0]), before, text, out,
	    8);
}

static void
expect_complete(const char *before, const char *text, const char *want)
{
	char	*out[8], got[256] = "";
	size_t	 n, i;

	n = complete(before, text, out);
	for (i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
		    i ? " " : "", out[i]);
		free(out[i]);
	}
	assert_string_equal(got, want);
}

static void
test_complete(void **state)
{
	expect_complete("", "s", "show status sip");
	expect_complete("", "", "help show status log sip");
	expect_complete("show ", "c", "calls call");
	expect_complete("show  ", "calls", "calls");
	expect_complete("log level ", "", "error warning notice info debug");
	expect_complete("log level ", "d", "debug");
	expect_complete("sip trace ", "o", "on off");
	expect_complete("sip trace on ", "", "");
	expect_complete("show call ", "", "");
	expect_complete("bogus ", "", "");
}

/* ------------------------------------------------------- command table */

struct fake {
	struct sbc_log		log;
	struct sbc_stats	stats;
	struct sbc_stats_media	media[2];
	struct sbc_ctx		sbc;
	struct ctl_ctx		ctx;
	struct sbc_service	target;		/* "signaling" */
};

static int
fake_setup(void **state)
{
	struct fake	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	sbc_log_init(&f->log, SBC_LOG_STDERR, LOG_ERR, LOG_DAEMON, "test");
	f->stats.started = time(NULL) - 100;
	f->stats.nmedia = 2;
	f->stats.media = f->media;
	SBC_STAT_SET(&f->stats.calls_active, 3);
	SBC_STAT_SET(&f->stats.cac_rejects, 9);
	SBC_STAT_SET(&f->stats.web_served, 5);
	SBC_STAT_SET(&f->media[0].sessions, 4);
	SBC_STAT_SET(&f->media[1].sessions, 5);
	SBC_STAT_SET(&f->media[1].dtls_failures, 7);
	f->sbc.log = &f->log;
	f->sbc.stats = &f->stats;
	f->sbc.nmedia = 2;
	f->sbc.signaling = &f->target;
	snprintf(f->target.name, sizeof(f->target.name), "signaling");
	assert_int_equal(sbc_queue_init(&f->target.inbox), 0);
	f->ctx.sbc = &f->sbc;
	f->ctx.forward_ms = 300;
	*state = f;
	return 0;
}

static int
fake_teardown(void **state)
{
	struct fake	*f = *state;

	sbc_queue_destroy(&f->target.inbox);
	free(f);
	return 0;
}

/* Run a command line ("show stats"): its status, data, error. */
static int
run(struct fake *f, const char *cmd, struct json_object **data, char *err,
    size_t errlen)
{
	char	 buf[256], *argv[CTL_MAX_ARGS + 1];
	int	 argc;

	snprintf(buf, sizeof(buf), "%s", cmd);
	argc = ctl_split_words(buf, argv, CTL_MAX_ARGS);
	assert_true(argc > 0);
	err[0] = '\0';
	return ctl_cmds_run(&f->ctx, argc, argv, data, err, errlen);
}

static uint64_t
member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no '%s' in %s", key, json_object_to_json_string(o));
	return json_object_get_uint64(v);
}

static void
test_cmds_local(void **state)
{
	struct fake		*f = *state;
	struct json_object	*d;
	char			 err[256];
	size_t			 n;

	assert_int_equal(run(f, "status", &d, err, sizeof(err)), CTL_OK);
	assert_int_equal(member(d, "threads"), 4);
	assert_int_equal(member(d, "calls_active"), 3);
	assert_int_equal(member(d, "media_sessions"), 9);
	assert_true(member(d, "uptime") >= 100);
	json_object_put(d);

	assert_int_equal(run(f, "show stats", &d, err, sizeof(err)), CTL_OK);
	assert_int_equal(json_object_object_length(d), 18);
	assert_int_equal(member(d, "cac_rejects"), 9);
	assert_int_equal(member(d, "web_served"), 5);
	assert_int_equal(member(d, "media_sessions"), 9);
	assert_int_equal(member(d, "media_dtls_failures"), 7);
	json_object_put(d);

	assert_int_equal(run(f, "help", &d, err, sizeof(err)), CTL_OK);
	ctl_cmds_table(&n);
	assert_int_equal(json_object_array_length(d), n);
	json_object_put(d);

	assert_int_equal(run(f, "log level debug", &d, err, sizeof(err)), 0);
	json_object_put(d);
	assert_int_equal(run(f, "log level", &d, err, sizeof(err)), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(d,
	    "level")), "debug");
	json_object_put(d);
	assert_int_equal(run(f, "log level error", &d, err, sizeof(err)), 0);
	json_object_put(d);
	assert_int_equal(run(f, "log level loud", &d, err, sizeof(err)),
	    CTL_FAILED);
	assert_null(d);
	assert_non_null(strstr(err, "unknown level 'loud'"));
	assert_int_equal(run(f, "reload", &d, err, sizeof(err)), CTL_FAILED);
}

static void
expect_usage(struct fake *f, const char *cmd, const char *why)
{
	struct json_object	*d;
	char			 err[256];

	assert_int_equal(run(f, cmd, &d, err, sizeof(err)), CTL_BAD_REQUEST);
	assert_null(d);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': '%s' lacks '%s'", cmd, err, why);
}

static void
test_cmds_usage(void **state)
{
	struct fake		*f = *state;
	char			*argv[] = { "show", "call", "3", NULL };
	const struct ctl_cmd	*c;

	c = ctl_cmds_find(3, argv);
	assert_non_null(c);
	assert_string_equal(c->words[1], "call");
	expect_usage(f, "bogus", "unknown command 'bogus'");
	expect_usage(f, "show bogus", "unknown command 'show bogus'");
	expect_usage(f, "show", "incomplete command 'show'");
	expect_usage(f, "show call", "usage: show call ID");
	expect_usage(f, "status now", "usage: status");
	expect_usage(f, "log level a b", "usage: log level [error|");
	expect_usage(f, "sip trace on x y", "usage: sip trace on|off");
}

/* --------------------------------------------------------- forwarding */

enum fake_mode { ANSWER, ANSWER_ERROR, ANSWER_LATE, DROP, HOLD };

struct responder {
	struct sbc_service	*target;
	enum fake_mode		 mode;
	pthread_t		 tid;
	char			 argv0[32];
};

static struct ctl_query *
take_query(struct sbc_service *s)
{
	struct pollfd	 pfd = { .fd = s->inbox.efd, .events = POLLIN };
	struct sbc_qmsg	*m;

	while ((m = sbc_queue_take(&s->inbox)) == NULL)
		if (poll(&pfd, 1, 2000) <= 0)
			return NULL;
	assert_int_equal(m->type, CTL_MSG_QUERY);
	return (struct ctl_query *)m;
}

static void *
responder_main(void *arg)
{
	struct responder	*r = arg;
	struct ctl_query	*q;
	struct json_object	*a;

	if ((q = take_query(r->target)) == NULL)
		return NULL;
	snprintf(r->argv0, sizeof(r->argv0), "%s %s", q->argv[0],
	    q->argc > 1 ? q->argv[1] : "");
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_int(q->argc));
	if (r->mode == HOLD)
		ctl_query_hold(q);
	if (r->mode == HOLD || r->mode == DROP)
		sbc_qmsg_free(&q->hdr);		/* what drain does */
	if (r->mode == DROP) {
		json_object_put(a);
		return NULL;			/* q may be gone */
	}
	if (r->mode == ANSWER_LATE)
		usleep(400 * 1000);
	if (r->mode == ANSWER_ERROR)
		ctl_query_done(q, CTL_FAILED, a, "no call 42");
	else
		ctl_query_done(q, CTL_OK, a, NULL);
	if (r->mode == HOLD)
		ctl_query_release(q);
	else
		sbc_qmsg_free(&q->hdr);
	return NULL;
}

static int
forward_with(struct fake *f, enum fake_mode mode, const char *cmd,
    struct json_object **d, char *err, size_t errlen)
{
	struct responder	r = { .target = &f->target, .mode = mode };
	int			status;

	assert_int_equal(pthread_create(&r.tid, NULL, responder_main, &r), 0);
	status = run(f, cmd, d, err, errlen);
	pthread_join(r.tid, NULL);
	assert_string_equal(r.argv0, cmd[5] == 'c' ? "show calls" :
	    "call kill");
	return status;
}

static void
test_forward(void **state)
{
	struct fake		*f = *state;
	struct json_object	*d;
	char			 err[256];

	assert_int_equal(forward_with(f, ANSWER, "show calls", &d, err,
	    sizeof(err)), CTL_OK);
	assert_string_equal(json_object_to_json_string(d), "[ 2 ]");
	json_object_put(d);
	assert_int_equal(forward_with(f, HOLD, "show calls", &d, err,
	    sizeof(err)), CTL_OK);
	json_object_put(d);
	assert_int_equal(forward_with(f, ANSWER_ERROR, "call kill 42", &d,
	    err, sizeof(err)), CTL_FAILED);
	assert_null(d);
	assert_string_equal(err, "no call 42");
	/* Dropped unanswered: at once, not after the timeout. */
	assert_int_equal(forward_with(f, DROP, "show calls", &d, err,
	    sizeof(err)), CTL_FAILED);
	assert_string_equal(err, "no answer from signaling");
	/* Answered after the waiter left: no leak, no use after free. */
	assert_int_equal(forward_with(f, ANSWER_LATE, "show calls", &d, err,
	    sizeof(err)), CTL_FAILED);
	assert_string_equal(err, "no answer from signaling");
}

static void
test_forward_unread(void **state)
{
	struct fake		*f = *state;
	struct json_object	*d;
	struct timespec		 t0, t1;
	char			 err[256];
	long			 ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run(f, "show registrations", &d, err, sizeof(err)),
	    CTL_FAILED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 2000);
	assert_string_equal(err, "no answer from signaling");
	/* The query still sits in the inbox: destroy frees it (teardown). */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_nul_byte),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_request_build),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_complete),
		cmocka_unit_test_setup_teardown(test_cmds_local, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_cmds_usage, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_forward, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_forward_unread,
		    fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
