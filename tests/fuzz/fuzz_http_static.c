/*
 * fuzz_http_static.c: libFuzzer harness for signaling/http_static.c.
 *
 * The input is "METHOD TARGET\nHOST": one request against a fixed table.
 * Checks: a normalised key starts with '/', fits, and every segment is a
 * name a table may hold (so no empty, "." or ".." segment, no '\',
 * control or '%' character, no trailing '/'), and it normalises to
 * itself; a 200 names a file of the table and only for GET/HEAD; every
 * reply can be written, as exactly the expected header lines (a Host
 * never adds a line), ending in CRLFCRLF for a 200.
 *
 * Owns: nothing.
 * Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "signaling/http_static.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	p1[] = "/app.js", p2[] = "/index.html",
		p3[] = "/sub/index.html", p4[] = "/sub/a.css";

static struct http_static_file files[] = {
	{ p1, "text/javascript; charset=utf-8", (const unsigned char *)"x", 1 },
	{ p2, "text/html; charset=utf-8", (const unsigned char *)"<p>", 3 },
	{ p4, "text/css; charset=utf-8", (const unsigned char *)"a{}", 3 },
	{ p3, "text/html; charset=utf-8", (const unsigned char *)"", 0 },
};

/* Sorted by path, as http_static_sort() leaves it. */
static const struct http_static_table table = { files, 4, 7 };

static void
check_key(const char *k)
{
	char		 again[HTTP_STATIC_MAX_PATH];
	const char	*why, *s;
	size_t		 len = strlen(k), i;

	CHECK(len > 1 && len < HTTP_STATIC_MAX_PATH && k[0] == '/');
	CHECK(k[len - 1] != '/');
	CHECK(strstr(k, "//") == NULL && strstr(k, "/./") == NULL);
	CHECK(strstr(k, "/../") == NULL);
	for (s = k; *s != '\0'; s += i) {	/* "/name" each time */
		i = strcspn(s + 1, "/") + 1;
		CHECK(http_static_name_ok(s + 1, i - 1));
	}
	CHECK(http_static_normalize(k, len, again, sizeof(again), &why) == 0);
	CHECK(strcmp(again, k) == 0);
}

static int
lines(const char *s)
{
	int	n = 0;

	for (; (s = strstr(s, "\r\n")) != NULL; s += 2)
		n++;
	return n;
}

static void
check_reply(const struct http_static_reply *r, const char *m, size_t mlen,
    const char *host, size_t hlen, int tls)
{
	struct http_static_ctx	x = { tls, host, hlen };
	char			out[4096];
	int			n, want;

	CHECK(r->why != NULL);
	if (r->status == 200) {
		CHECK(r->file >= files && r->file < files + 4);
		CHECK((mlen == 3 && memcmp(m, "GET", 3) == 0) ||
		    (mlen == 4 && memcmp(m, "HEAD", 4) == 0));
	} else
		CHECK(r->file == NULL);
	n = http_static_response(out, sizeof(out), r, &x);
	CHECK(n > 0 && (size_t)n == strlen(out));
	want = 10 + (tls ? 1 : 0) + (r->status == 405 ? 1 : 0);
	CHECK(lines(out) == want);
	if (r->status == 200)
		CHECK(strcmp(out + n - 4, "\r\n\r\n") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char			*buf = (const char *)data, *sp, *nl;
	char				 key[HTTP_STATIC_MAX_PATH];
	const char			*why = NULL;
	struct http_static_reply	 r;
	size_t				 mlen, tlen;
	int				 st;

	nl = memchr(buf, '\n', size);
	tlen = nl != NULL ? (size_t)(nl - buf) : size;
	sp = memchr(buf, ' ', tlen);
	mlen = sp != NULL ? (size_t)(sp - buf) : 0;
	if (sp != NULL)
		tlen -= mlen + 1;
	sp = sp != NULL ? sp + 1 : buf;
	st = http_static_normalize(sp, tlen, key, sizeof(key), &why);
	CHECK(st == 0 || st == 400 || st == 404 || st == 414);
	CHECK(st == 0 || why != NULL);
	if (st == 0)
		check_key(key);
	http_static_decide(&table, buf, mlen, sp, tlen, &r);
	if (nl == NULL)
		check_reply(&r, buf, mlen, NULL, 0, size & 1);
	else
		check_reply(&r, buf, mlen, nl + 1,
		    size - (size_t)(nl + 1 - buf), size & 1);
	return 0;
}
