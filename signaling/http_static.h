/*
 * http_static.h: static files for plain HTTP GET/HEAD requests on the
 * WebSocket listeners (the web softphone): URL path normalisation, lookup
 * in an immutable in-memory table, MIME types, and the response head with
 * the security headers.
 *
 * A request is answered only from the table (struct http_static_table,
 * built by sbc/webroot.c at configuration load), never from the file
 * system, so no request can name a file outside it.  The path is still
 * normalised strictly: a query or fragment is dropped, %XX is decoded
 * once, and an encoded '/', a '\', NUL or another control character, a bad
 * escape, an empty segment ("//") or a dot segment ("." or "..", encoded
 * or not) is a 400; a segment that no table name can have (a leading dot,
 * a character outside the name set) is a 404.  "/" and "/dir/" mean
 * "index.html" in that directory; there are no directory listings.
 *
 * Owns: nothing; the table belongs to its builder.  No globals.
 * Thread: pure; called by the ws-edge thread, the loader, tests, fuzzers.
 */
#ifndef SBC_SIGNALING_HTTP_STATIC_H
#define SBC_SIGNALING_HTTP_STATIC_H

#include <stddef.h>

#define HTTP_STATIC_MAX_PATH	1024	/* a normalised path, NUL included */
#define HTTP_STATIC_MAX_NAME	255	/* one path segment */
#define HTTP_STATIC_INDEX	"index.html"

struct http_static_file {
	char			*path;	/* "/app/index.html", normalised */
	const char		*mime;	/* static string */
	const unsigned char	*data;
	size_t			 len;
};

struct http_static_table {
	struct http_static_file	*files;	/* sorted by path (strcmp) */
	size_t			 n;
	size_t			 bytes;	/* sum of the files' len */
};

/* What to answer one request; filled by http_static_decide(). */
struct http_static_reply {
	int				 status; /* 200 400 403 404 405 414 */
	const struct http_static_file	*file;	 /* 200 only */
	int				 head;	 /* HEAD: no body */
	const char			*why;	 /* static diagnostic */
};

/* The context of the response head. */
struct http_static_ctx {
	int		 tls;		/* Strict-Transport-Security */
	const char	*host;		/* Host as sent (CSP connect-src); */
	size_t		 hostlen;	/* NULL: absent */
};

/*
 * A file name the table may hold (one segment): 1..HTTP_STATIC_MAX_NAME
 * characters of [A-Za-z0-9._~+@,=-], not starting with '.'.  1 or 0.
 */
int	http_static_name_ok(const char *name, size_t len);

/*
 * The table key of a request target (origin-form, target[0] == '/') in
 * out[outlen], NUL-terminated.  0, or the HTTP status to answer (400,
 * 404, or 414 when it does not fit), with *why set.
 */
int	http_static_normalize(const char *target, size_t len, char *out,
	    size_t outlen, const char **why);

/* The file of a normalised path, or NULL (a NULL table holds nothing). */
const struct http_static_file *http_static_find(
	    const struct http_static_table *, const char *path);

/* Sort the table's files by path for http_static_find(). */
void	http_static_sort(struct http_static_table *);

/* The Content-Type for a file name, by extension; never NULL. */
const char *http_static_mime(const char *name);

/* Method (GET, HEAD; else 405) and target: the reply for one request. */
void	http_static_decide(const struct http_static_table *,
	    const char *method, size_t mlen, const char *target, size_t tlen,
	    struct http_static_reply *);

/*
 * The response for a reply: for 200 the head only (the caller sends the
 * file's bytes after it unless HEAD); for an error the head and a short
 * text body (none for HEAD).  Every response has Content-Length,
 * Connection: close and the security headers.  Returns the length
 * written (NUL excluded), or -1 if it does not fit or the status is
 * unknown.
 */
int	http_static_response(char *out, size_t outlen,
	    const struct http_static_reply *, const struct http_static_ctx *);

#endif
