/*
 * fuzz_ctl_proto.c: libFuzzer harness for the control protocol
 * (sbc/ctl_proto.c, the daemon side, and sbc/ctl_render.c, sbcctl's).
 *
 * Input: one request line as the control socket would read it.
 * ctl_proto_parse() either refuses it (an error message, an empty request)
 * or gives 1..CTL_MAX_ARGS words of at most CTL_MAX_ARG bytes without
 * control characters; sbcctl's ctl_request_build() of those words parses
 * back to the same words.  Replies: the error (or the words as data) makes
 * a reply line that ctl_reply_parse() reads back unchanged.  The input,
 * when it is any JSON at all, also goes through ctl_render() (sbcctl's
 * tables) to /dev/null.  Invariants are checked with __builtin_trap().
 *
 * Owns: one FILE on /dev/null for the whole run.  Thread: called by
 * libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sbc/ctl_proto.h"
#include "sbc/ctl_render.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_error_reply(const char *err)
{
	struct ctl_reply	 r;
	char			 e[256], *line;

	CHECK(*err != '\0');
	line = ctl_proto_reply_error(CTL_BAD_REQUEST, err);
	CHECK(line != NULL && line[strlen(line) - 1] == '\n');
	CHECK(strchr(line, '\n') == line + strlen(line) - 1);
	CHECK(ctl_reply_parse(line, strlen(line) - 1, &r, e, sizeof(e)) == 0);
	CHECK(r.final && r.status == CTL_BAD_REQUEST);
	CHECK(strcmp(r.error, err) == 0);
	ctl_reply_free(&r);
	free(line);
}

static void
check_words(const struct ctl_request *req)
{
	size_t	n;
	int	i;

	CHECK(req->argc >= 1 && req->argc <= CTL_MAX_ARGS);
	CHECK(req->argv[req->argc] == NULL && *req->argv[0] != '\0');
	for (i = 0; i < req->argc; i++) {
		n = strlen(req->argv[i]);
		CHECK(n <= CTL_MAX_ARG);
		while (n-- > 0)
			CHECK((unsigned char)req->argv[i][n] >= 0x20 &&
			    req->argv[i][n] != 0x7f);
	}
}

static void
check_round_trip(const struct ctl_request *req)
{
	struct ctl_request	 again;
	struct ctl_reply	 r;
	struct json_object	*a;
	char			 err[256], *line;
	int			 i;

	line = ctl_request_build(req->argc, req->argv);
	CHECK(line != NULL);
	CHECK(ctl_proto_parse(line, strlen(line) - 1, &again, err,
	    sizeof(err)) == 0);
	CHECK(again.argc == req->argc);
	for (i = 0; i < req->argc; i++)
		CHECK(strcmp(again.argv[i], req->argv[i]) == 0);
	ctl_request_free(&again);
	free(line);

	a = json_object_new_array();
	for (i = 0; i < req->argc; i++)
		json_object_array_add(a, json_object_new_string(req->argv[i]));
	line = ctl_proto_reply_ok(a);
	CHECK(line != NULL);
	CHECK(ctl_reply_parse(line, strlen(line), &r, err, sizeof(err)) == 0);
	CHECK(r.final && r.status == 0 && json_object_equal(r.data, a));
	ctl_reply_free(&r);
	free(line);
	json_object_put(a);
}

static void
render_any(const char *s, size_t len)
{
	static FILE		*null;
	struct json_tokener	*tok;
	struct json_object	*o;

	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		return;
	if ((tok = json_tokener_new_ex(32)) == NULL)
		return;
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o != NULL)
		CHECK(ctl_render(null, o) == 0);
	json_object_put(o);
	json_tokener_free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request	 req;
	char			 err[256];
	const char		*s = (const char *)data;

	if (size > 2 * CTL_MAX_REQUEST)
		return 0;
	err[0] = '\0';
	if (ctl_proto_parse(s, size, &req, err, sizeof(err)) == -1) {
		CHECK(req.argc == 0 && req.argv[0] == NULL);
		check_error_reply(err);
	} else {
		check_words(&req);
		check_round_trip(&req);
		ctl_request_free(&req);
	}
	render_any(s, size);
	return 0;
}
