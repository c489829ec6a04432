/*
 * ctl_render.c: sbcctl's pure helpers (see ctl_render.h): request lines,
 * reply parsing, tables and "key: value" rendering, word splitting and
 * completion for the interactive mode.
 *
 * Owns: nothing beyond a call.  Thread: any (sbcctl is single-threaded).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sbc/ctl_proto.h"
#include "sbc/ctl_render.h"

#define JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

char *
ctl_request_build(int argc, char *const argv[])
{
	struct json_object	*o, *a;
	const char		*s;
	char			*line = NULL;
	size_t			 n;
	int			 i;

	o = json_object_new_object();
	a = json_object_new_array_ext(argc);
	if (o == NULL || a == NULL || json_object_object_add(o, "argv", a)) {
		json_object_put(a);
		goto cleanup;
	}
	for (i = 0; i < argc; i++)
		if (json_object_array_add(a,
		    json_object_new_string(argv[i])) != 0)
			goto cleanup;
	if ((s = json_object_to_json_string_ext(o, JSON_FLAGS)) == NULL)
		goto cleanup;
	n = strlen(s);
	if ((line = malloc(n + 2)) != NULL) {
		memcpy(line, s, n);
		memcpy(line + n, "\n", 2);
	}
cleanup:
	json_object_put(o);
	return line;
}

static int
fill_final(struct ctl_reply *r, struct json_object *st, char *err,
    size_t errlen)
{
	struct json_object	*v;

	if (!json_object_is_type(st, json_type_int)) {
		snprintf(err, errlen, "bad reply: status is not a number");
		return -1;
	}
	r->final = 1;
	r->status = json_object_get_int(st);
	if (json_object_object_get_ex(r->root, "data", &v))
		r->data = v;
	if (r->status != 0)
		r->error = json_object_object_get_ex(r->root, "error", &v) &&
		    json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "failed (no message)";
	return 0;
}

int
ctl_reply_parse(const char *line, size_t len, struct ctl_reply *r, char *err,
    size_t errlen)
{
	struct json_tokener	*tok;
	struct json_object	*v;

	memset(r, 0, sizeof(r[0]));
	if ((tok = json_tokener_new_ex(64)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->root = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (!json_object_is_type(r->root, json_type_object)) {
		snprintf(err, errlen, "bad reply from the daemon");
		goto fail;
	}
	if (json_object_object_get_ex(r->root, "status", &v)) {
		if (fill_final(r, v, err, errlen) == -1)
			goto fail;
		return 0;
	}
	if (json_object_object_get_ex(r->root, "event", &v)) {
		r->data = v;
		return 0;
	}
	snprintf(err, errlen, "bad reply: neither status nor event");
fail:
	ctl_reply_free(r);
	return -1;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	json_object_put(r->root);
	memset(r, 0, sizeof(r[0]));
}

/* A copy where control characters become '?'. */
static char *
clean_dup(const char *s)
{
	char	*t;
	size_t	 i;

	if (s == NULL || (t = strdup(s)) == NULL)
		return NULL;
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			t[i] = '?';
	return t;
}

/* A value as text for a cell: strings unquoted, null "-", others JSON. */
static char *
cell_text(struct json_object *v)
{
	if (v == NULL)
		return clean_dup("-");
	if (json_object_is_type(v, json_type_string))
		return clean_dup(json_object_get_string(v));
	return clean_dup(json_object_to_json_string_ext(v, JSON_FLAGS));
}

/* Columns on the terminal: UTF-8 continuation bytes take none. */
static size_t
width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
print_row(FILE *out, char **cells, const size_t *w, size_t ncols)
{
	size_t	c;

	for (c = 0; c < ncols; c++) {
		if (c + 1 < ncols)
			fprintf(out, "%s%*s", cells[c],
			    (int)(w[c] - width(cells[c]) + 2), "");
		else
			fprintf(out, "%s\n", cells[c]);
	}
}

struct table {
	size_t		  ncols, nrows;
	const char	**keys;		/* the first object's */
	char		**cells;	/* (nrows + 1) * ncols; row 0: keys */
	size_t		 *w;
};

static int
table_fill(struct table *t, struct json_object *a)
{
	struct json_object	*row, *v;
	size_t			 r, c;

	for (r = 0; r <= t->nrows; r++) {
		row = r ? json_object_array_get_idx(a, r - 1) : NULL;
		for (c = 0; c < t->ncols; c++) {
			v = NULL;
			if (r && json_object_is_type(row, json_type_object))
				json_object_object_get_ex(row, t->keys[c], &v);
			if ((t->cells[r * t->ncols + c] = r ? cell_text(v) :
			    clean_dup(t->keys[c])) == NULL)
				return -1;
			if (width(t->cells[r * t->ncols + c]) > t->w[c])
				t->w[c] = width(t->cells[r * t->ncols + c]);
		}
	}
	return 0;
}

static int
render_table(FILE *out, struct json_object *a)
{
	struct json_object	*first = json_object_array_get_idx(a, 0);
	struct table		 t = { 0 };
	size_t			 c = 0, r;
	int			 rc = -1;

	t.ncols = (size_t)json_object_object_length(first);
	t.nrows = json_object_array_length(a);
	t.cells = calloc((t.nrows + 1) * (t.ncols ? t.ncols : 1),
	    sizeof(*t.cells));
	t.keys = calloc(t.ncols ? t.ncols : 1, sizeof(*t.keys));
	t.w = calloc(t.ncols ? t.ncols : 1, sizeof(*t.w));
	if (t.cells == NULL || t.keys == NULL || t.w == NULL)
		goto cleanup;
	json_object_object_foreach(first, key, val) {
		(void)val;
		t.keys[c++] = key;
	}
	if (table_fill(&t, a) == -1)
		goto cleanup;
	for (r = 0; r <= t.nrows && t.ncols > 0; r++)
		print_row(out, t.cells + r * t.ncols, t.w, t.ncols);
	rc = 0;
cleanup:
	for (r = 0; t.cells != NULL && r < (t.nrows + 1) * t.ncols; r++)
		free(t.cells[r]);
	free(t.cells);
	free(t.keys);
	free(t.w);
	return rc;
}

static int
render_object(FILE *out, struct json_object *o)
{
	size_t	w = 0;
	char	*v;

	json_object_object_foreach(o, k1, v1) {
		(void)v1;
		if (width(k1) > w)
			w = width(k1);
	}
	json_object_object_foreach(o, key, val) {
		if ((v = cell_text(val)) == NULL)
			return -1;
		fprintf(out, "%s:%*s %s\n", key, (int)(w - width(key)), "", v);
		free(v);
	}
	return 0;
}

static int
render_list(FILE *out, struct json_object *a)
{
	size_t	i, n = json_object_array_length(a);
	char	*v;

	if (n == 0) {
		fprintf(out, "(none)\n");
		return 0;
	}
	if (json_object_is_type(json_object_array_get_idx(a, 0),
	    json_type_object))
		return render_table(out, a);
	for (i = 0; i < n; i++) {
		if ((v = cell_text(json_object_array_get_idx(a, i))) == NULL)
			return -1;
		fprintf(out, "%s\n", v);
		free(v);
	}
	return 0;
}

int
ctl_render(FILE *out, struct json_object *data)
{
	char	*v;

	if (data == NULL)
		return 0;
	if (json_object_is_type(data, json_type_array))
		return render_list(out, data);
	if (json_object_is_type(data, json_type_object))
		return render_object(out, data);
	if ((v = cell_text(data)) == NULL)
		return -1;
	fprintf(out, "%s\n", v);
	free(v);
	return 0;
}

static const char *
member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The text of a SIP message: lines without "\r", no control bytes, then
 * an empty line (the one ending the headers, when it is last); a cut
 * text ends its last line only. */
static void
print_sip_text(FILE *out, const char *s, int cut)
{
	int	nl = 2;		/* newlines just printed */

	for (; *s != '\0'; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n' || *s == '\t')
			fputc(*s, out);
		else
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s,
			    out);
		nl = *s == '\n' ? nl + 1 : 0;
	}
	for (; nl < (cut ? 1 : 2); nl++)
		fputc('\n', out);
}

int
ctl_render_trace(FILE *out, struct json_object *ev)
{
	const char		*text = member(ev, "text"), *f[4];
	static const char	*const keys[4] = { "time", "dir", "leg",
				    "peer" };
	struct json_object	*v;
	char			*c;
	int			 i;

	if (!json_object_is_type(ev, json_type_object) || text == NULL)
		return 1;
	for (i = 0; i < 4; i++)
		f[i] = member(ev, keys[i]) ? member(ev, keys[i]) : "-";
	if ((c = clean_dup(f[3])) == NULL)
		return -1;
	fprintf(out, "%s %-3s %-7s %s\n", f[0][0] && strchr(f[0], 'T') ?
	    strchr(f[0], 'T') + 1 : f[0], strcmp(f[1], "out") == 0 ? "out" :
	    "in", strcmp(f[2], "pbx") == 0 ? "pbx" : "browser", c);
	free(c);
	if (json_object_object_get_ex(ev, "bytes", &v)) {
		print_sip_text(out, text, 1);
		fprintf(out, "[... cut: %" PRId64 " bytes in all]\n\n",
		    json_object_get_int64(v));
	} else
		print_sip_text(out, text, 0);
	return 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One word from *rp into w (w <= *rp): quotes group; -1 open quote. */
static int
one_word(char **rp, char *w)
{
	char	*r = *rp, q, c;

	while (*r != '\0' && !blank(*r)) {
		if (*r != '"' && *r != '\'') {
			*w++ = *r++;
			continue;
		}
		q = *r++;
		while (*r != '\0' && *r != q)
			*w++ = *r++;
		if (*r++ != q)
			return -1;
	}
	c = *r;
	*w = '\0';
	*rp = c != '\0' ? r + 1 : r;
	return 0;
}

int
ctl_split_words(char *line, char **argv, int max)
{
	char	*r = line;
	int	 argc = 0;

	for (;;) {
		while (blank(*r))
			r++;
		if (*r == '\0')
			break;
		if (argc == max)
			return -1;
		argv[argc++] = r;
		if (one_word(&r, argv[argc - 1]) == -1)
			return -1;
	}
	argv[argc] = NULL;
	return argc;
}

/* A template token ("[a|b]", "on|off", "ID") matches word w. */
static int
token_matches(const char *tok, const char *w)
{
	size_t	n = strlen(w);
	char	*p;

	if (*tok == '[')
		tok++;
	if (*tok >= 'A' && *tok <= 'Z')
		return 1;		/* a placeholder: anything */
	while (*tok != '\0' && *tok != ']') {
		p = strpbrk(tok, "|]");
		if ((p ? (size_t)(p - tok) : strlen(tok)) == n &&
		    strncmp(tok, w, n) == 0)
			return 1;
		if (p == NULL || *p == ']')
			break;
		tok = p + 1;
	}
	return 0;
}

static void
add_candidates(const char *tok, const char *text, char **out, size_t nout,
    size_t *n)
{
	size_t	len, i, tl = strlen(text);
	char	*p;

	if (*tok == '[')
		tok++;
	if (*tok >= 'A' && *tok <= 'Z')
		return;
	while (*tok != '\0' && *tok != ']' && *n < nout) {
		p = strpbrk(tok, "|]");
		len = p ? (size_t)(p - tok) : strlen(tok);
		for (i = 0; i < *n; i++)
			if (strlen(out[i]) == len && !strncmp(out[i], tok, len))
				break;
		if (i == *n && len >= tl && strncmp(tok, text, tl) == 0 &&
		    (out[*n] = strndup(tok, len)) != NULL)
			(*n)++;
		if (p == NULL || *p == ']')
			break;
		tok = p + 1;
	}
}

size_t
ctl_complete(const char *const *templates, size_t ntemplates,
    const char *before, const char *text, char **out, size_t nout)
{
	char	 bbuf[CTL_MAX_REQUEST], tbuf[512];
	char	*bw[CTL_MAX_ARGS + 1], *tw[CTL_MAX_ARGS + 1];
	size_t	 i, n = 0;
	int	 nb, nt, k;

	snprintf(bbuf, sizeof(bbuf), "%s", before);
	if ((nb = ctl_split_words(bbuf, bw, CTL_MAX_ARGS)) == -1)
		return 0;
	for (i = 0; i < ntemplates; i++) {
		snprintf(tbuf, sizeof(tbuf), "%s", templates[i]);
		if ((nt = ctl_split_words(tbuf, tw, CTL_MAX_ARGS)) <= nb)
			continue;
		for (k = 0; k < nb && token_matches(tw[k], bw[k]); k++)
			;
		if (k == nb)
			add_candidates(tw[nb], text, out, nout, &n);
	}
	return n;
}
