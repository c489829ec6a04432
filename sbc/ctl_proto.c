/*
 * ctl_proto.c: the daemon side of the control protocol (see ctl_proto.h):
 * request line -> argv with limits, replies -> lines.  The bytes come from
 * the control socket: anything may arrive, nothing may crash or leak.
 *
 * Owns: nothing beyond the call.  Thread: any; pure (json-c only).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sbc/ctl_proto.h"

static size_t
trim_end(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return len;
}

/* Strict JSON, valid UTF-8, bounded depth, nothing after the value. */
static struct json_object *
parse_json(const char *line, size_t len, char *err, size_t errlen)
{
	struct json_tokener	*tok;
	struct json_object	*o = NULL;
	enum json_tokener_error	 jerr;

	if ((tok = json_tokener_new_ex(CTL_MAX_DEPTH)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	if (o == NULL || jerr != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errlen, "bad request: %s",
		    o != NULL ? "text after the JSON object" :
		    jerr == json_tokener_continue ? "incomplete JSON" :
		    json_tokener_error_desc(jerr));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int
word_ok(struct json_object *w, char *err, size_t errlen)
{
	const char	*s;
	size_t		 i, n;

	if (!json_object_is_type(w, json_type_string)) {
		snprintf(err, errlen, "bad request: argv must hold strings");
		return -1;
	}
	s = json_object_get_string(w);
	n = (size_t)json_object_get_string_len(w);
	if (n > CTL_MAX_ARG) {
		snprintf(err, errlen, "bad request: an argument is longer "
		    "than %d bytes", CTL_MAX_ARG);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(err, errlen, "bad request: control character "
			    "in an argument");
			return -1;
		}
	}
	return 0;
}

static int
take_argv(struct json_object *root, struct ctl_request *req, char *err,
    size_t errlen)
{
	struct json_object	*av, *w;
	size_t			 i, n;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "argv", &av) ||
	    !json_object_is_type(av, json_type_array)) {
		snprintf(err, errlen, "bad request: expected {\"argv\":[...]}");
		return -1;
	}
	n = json_object_array_length(av);
	if (n == 0 || n > CTL_MAX_ARGS) {
		snprintf(err, errlen, "bad request: argv needs 1 to %d words",
		    CTL_MAX_ARGS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		w = json_object_array_get_idx(av, i);
		if (word_ok(w, err, errlen) == -1)
			return -1;
		if ((req->argv[i] = strdup(json_object_get_string(w))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		req->argc = (int)i + 1;
	}
	if (*req->argv[0] == '\0') {
		snprintf(err, errlen, "bad request: empty command");
		return -1;
	}
	return 0;
}

int
ctl_proto_parse(const char *line, size_t len, struct ctl_request *req,
    char *err, size_t errlen)
{
	struct json_object	*root = NULL;
	int			 rc = -1;

	memset(req, 0, sizeof(*req));
	len = trim_end(line, len);
	if (len > CTL_MAX_REQUEST) {
		snprintf(err, errlen, "bad request: longer than %d bytes",
		    CTL_MAX_REQUEST);
		goto cleanup;
	}
	if (len == 0 || memchr(line, '\0', len) != NULL) {
		snprintf(err, errlen, "bad request: %s", len == 0 ?
		    "empty line" : "NUL byte in the line");
		goto cleanup;
	}
	if ((root = parse_json(line, len, err, errlen)) == NULL)
		goto cleanup;
	rc = take_argv(root, req, err, errlen);
cleanup:
	json_object_put(root);
	if (rc == -1)
		ctl_request_free(req);
	return rc;
}

void
ctl_request_free(struct ctl_request *req)
{
	int	i;

	for (i = 0; i < req->argc; i++)
		free(req->argv[i]);
	memset(req, 0, sizeof(*req));
}

/* A JSON object as one "\n"-terminated line. */
static char *
line_of(struct json_object *o)
{
	const char	*s;
	char		*line;
	size_t		 n;

	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((line = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

static char *
reply_line(int status, const char *key, struct json_object *val)
{
	struct json_object	*o, *st = NULL;
	char			*line = NULL;

	if ((o = json_object_new_object()) == NULL)
		goto cleanup;
	if (status >= 0) {
		if ((st = json_object_new_int(status)) == NULL ||
		    json_object_object_add(o, "status", st) != 0)
			goto cleanup;
		st = NULL;	/* o has it */
	}
	if (json_object_object_add(o, key, val) != 0)
		goto cleanup;
	val = NULL;
	line = line_of(o);
cleanup:
	json_object_put(st);
	json_object_put(val);
	json_object_put(o);
	return line;
}

char *
ctl_proto_reply_ok(struct json_object *data)
{
	return reply_line(CTL_OK, "data", json_object_get(data));
}

char *
ctl_proto_reply_error(int status, const char *message)
{
	struct json_object	*m;

	if ((m = json_object_new_string(message ? message : "")) == NULL)
		return NULL;
	return reply_line(status == CTL_OK ? CTL_FAILED : status, "error", m);
}

char *
ctl_proto_event(struct json_object *event)
{
	return reply_line(-1, "event", json_object_get(event));
}
