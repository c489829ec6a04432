/*
 * http_static.c: static files for plain HTTP requests on the WebSocket
 * listeners (see http_static.h): path normalisation, table lookup, MIME
 * types, response heads with the security headers.
 *
 * Owns: nothing; no globals besides const tables.
 * Thread: pure; called by the ws-edge thread, sbc/webroot.c (main), the
 * unit tests and tests/fuzz/fuzz_http_static.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signaling/http_static.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct mime_type {
	const char	*ext;		/* lower case, without the dot */
	const char	*type;
};

static const struct mime_type mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "webmanifest", "application/manifest+json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "wav", "audio/wav" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "woff2", "font/woff2" },
	{ "woff", "font/woff" },
	{ "wasm", "application/wasm" },
};

#define MIME_DEFAULT	"application/octet-stream"

struct status_reason {
	int		 status;
	const char	*reason;
};

static const struct status_reason reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 414, "URI Too Long" },
};

/* Normalisation state: the key being written to out. */
struct norm {
	char		*out;
	size_t		 outlen;
	size_t		 n;		/* bytes written */
	size_t		 seg;		/* where the current segment starts */
	int		 notfound;	/* a segment no table name can be */
	const char	*why;
};

static int
name_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr("._~+@,=-", c)
	    != NULL);
}

int
http_static_name_ok(const char *name, size_t len)
{
	size_t	i;

	if (len == 0 || len > HTTP_STATIC_MAX_NAME || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!name_char((unsigned char)name[i]))
			return 0;
	return 1;
}

static int
norm_fail(struct norm *s, int status, const char *why)
{
	s->why = why;
	return status;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte at t[*i] (%XX decoded), advancing *i; -1 for a bad escape. */
static int
next_byte(const char *t, size_t len, size_t *i, int *encoded)
{
	int	hi, lo;

	*encoded = t[*i] == '%';
	if (!*encoded)
		return (unsigned char)t[(*i)++];
	if (len - *i < 3 || (hi = hexval((unsigned char)t[*i + 1])) < 0 ||
	    (lo = hexval((unsigned char)t[*i + 2])) < 0)
		return -1;
	*i += 3;
	return hi * 16 + lo;
}

static int
put(struct norm *s, int c)
{
	if (s->n + 1 >= s->outlen)
		return norm_fail(s, 414, "path too long");
	s->out[s->n++] = (char)c;
	return 0;
}

/* The segment out[seg..n) ended, at a '/' (last 0) or at the end. */
static int
end_segment(struct norm *s, int last)
{
	const char	*g = s->out + s->seg;
	size_t		 len = s->n - s->seg;

	if (len == 0)
		return last ? 0 : norm_fail(s, 400, "empty path segment");
	if ((len == 1 && g[0] == '.') ||
	    (len == 2 && g[0] == '.' && g[1] == '.'))
		return norm_fail(s, 400, "dot segment");
	if (!s->notfound && !http_static_name_ok(g, len)) {
		s->notfound = 1;	/* a 400 later in the path wins */
		s->why = "no file can have that name";
	}
	return 0;
}

/* One decoded byte of the path. */
static int
path_byte(struct norm *s, int c, int encoded)
{
	int	r;

	if (c < 0)
		return norm_fail(s, 400, "bad percent escape");
	if (c == '/' && encoded)
		return norm_fail(s, 400, "encoded '/'");
	if (c == '\\')
		return norm_fail(s, 400, "backslash");
	if (c < 0x20 || c == 0x7f)
		return norm_fail(s, 400, "control character");
	if (c != '/')
		return put(s, c);
	if ((r = end_segment(s, 0)) != 0 || (r = put(s, '/')) != 0)
		return r;
	s->seg = s->n;
	return 0;
}

/* "/dir/" gets its index.html; the key is NUL-terminated. */
static int
finish(struct norm *s)
{
	const char	*p;
	int		 r;

	if ((r = end_segment(s, 1)) != 0)
		return r;
	if (s->n == s->seg)
		for (p = HTTP_STATIC_INDEX; *p != '\0'; p++)
			if ((r = put(s, *p)) != 0)
				return r;
	s->out[s->n] = '\0';
	return s->notfound ? 404 : 0;
}

int
http_static_normalize(const char *target, size_t len, char *out,
    size_t outlen, const char **why)
{
	struct norm	s = { out, outlen, 1, 1, 0, NULL };
	size_t		i = 1;
	int		c, enc, r = 0;

	if (outlen < 2 || len == 0 || target[0] != '/') {
		*why = "request target not origin-form";
		return 400;
	}
	out[0] = '/';
	while (i < len && target[i] != '?' && target[i] != '#') {
		c = next_byte(target, len, &i, &enc);
		if ((r = path_byte(&s, c, enc)) != 0)
			goto done;
	}
	r = finish(&s);
done:
	if (r != 0 && r != 404)
		out[0] = '\0';
	*why = s.why;
	return r;
}

static int
cmp_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct http_static_file *)elem)->path);
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct http_static_file *)a)->path,
	    ((const struct http_static_file *)b)->path);
}

const struct http_static_file *
http_static_find(const struct http_static_table *t, const char *path)
{
	if (t == NULL || t->n == 0)
		return NULL;
	return bsearch(path, t->files, t->n, sizeof(t->files[0]), cmp_key);
}

void
http_static_sort(struct http_static_table *t)
{
	if (t->n > 1)
		qsort(t->files, t->n, sizeof(t->files[0]), cmp_file);
}

const char *
http_static_mime(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return MIME_DEFAULT;
	for (i = 0; i < NELEM(mime_types); i++)
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	return MIME_DEFAULT;
}

void
http_static_decide(const struct http_static_table *t, const char *method,
    size_t mlen, const char *target, size_t tlen,
    struct http_static_reply *r)
{
	char	path[HTTP_STATIC_MAX_PATH];

	memset(r, 0, sizeof(*r));
	r->head = mlen == 4 && memcmp(method, "HEAD", 4) == 0;
	if (!r->head && !(mlen == 3 && memcmp(method, "GET", 3) == 0)) {
		r->status = 405;
		r->why = "method not allowed";
		return;
	}
	r->status = http_static_normalize(target, tlen, path, sizeof(path),
	    &r->why);
	if (r->status != 0)
		return;
	if ((r->file = http_static_find(t, path)) == NULL) {
		r->status = 404;
		r->why = "no such file";
		return;
	}
	r->status = 200;
	r->why = "ok";
}

static const char *
reason_of(int status)
{
	size_t	i;

	for (i = 0; i < NELEM(reasons); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return NULL;
}

/* A Host value that may go into the CSP as is: host[:port], [v6][:port]. */
static int
host_ok(const char *h, size_t n)
{
	size_t	i;

	if (h == NULL || n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		    (h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    strchr(".-:[]", h[i]) != NULL) || h[i] == '\0')
			return 0;
	return 1;
}

/* connect-src: our own origin, and WebSocket to the same host:port. */
static int
csp(char *out, size_t outlen, const struct http_static_ctx *x)
{
	int		 ok = host_ok(x->host, x->hostlen);
	int		 hl = ok ? (int)x->hostlen : 0;
	const char	*h = ok ? x->host : "";

	return snprintf(out, outlen,
	    "default-src 'self'; connect-src 'self'%s%.*s%s%.*s; "
	    "media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
	    "frame-ancestors 'none'; form-action 'self'",
	    ok ? " wss://" : "", hl, h, ok ? " ws://" : "", hl, h);
}

static int
fit(int n, size_t outlen)
{
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int
http_static_response(char *out, size_t outlen,
    const struct http_static_reply *r, const struct http_static_ctx *x)
{
	char		 policy[1024];
	const char	*reason = reason_of(r->status), *type;
	size_t		 clen;
	int		 body = r->status != 200 && !r->head;

	if (reason == NULL || (r->status == 200 && r->file == NULL) ||
	    fit(csp(policy, sizeof(policy), x), sizeof(policy)) < 0)
		return -1;
	type = r->status == 200 ? r->file->mime : "text/plain; charset=utf-8";
	clen = r->status == 200 ? r->file->len : strlen(reason) + 1;
	return fit(snprintf(out, outlen,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "Cache-Control: no-cache\r\n"
	    "Content-Security-Policy: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "%s%s"
	    "\r\n"
	    "%s%s",
	    r->status, reason, type, clen, policy,
	    x->tls ? "Strict-Transport-Security: max-age=31536000\r\n" : "",
	    r->status == 405 ? "Allow: GET, HEAD\r\n" : "",
	    body ? reason : "", body ? "\n" : ""), outlen);
}
