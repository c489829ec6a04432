/*
 * test_http_static.c: cmocka unit tests for signaling/http_static.c: path
 * normalisation (traversal, encoded dots and slashes, double slashes,
 * control characters, long paths, index mapping, query strings), table
 * lookup, MIME types, methods, and the response heads with their
 * security headers.
 *
 * Owns: nothing.
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/http_static.h"

static char	p_index[] = "/index.html", p_app[] = "/app.js",
		p_sub[] = "/sub/index.html", p_css[] = "/sub/style.css",
		p_empty[] = "/empty.txt";

static struct http_static_file files[] = {
	{ p_sub, "text/html; charset=utf-8", (const unsigned char *)"sub", 3 },
	{ p_app, "text/javascript; charset=utf-8",
	    (const unsigned char *)"let a = 1;\n", 11 },
	{ p_index, "text/html; charset=utf-8",
	    (const unsigned char *)"<html></html>\n", 14 },
	{ p_css, "text/css; charset=utf-8", (const unsigned char *)"a{}", 3 },
	{ p_empty, "text/plain; charset=utf-8", (const unsigned char *)"", 0 },
};

static struct http_static_table table = { files, 5, 31 };

/* normalize(target) → status, and the key when status is 0. */
static int
norm(const char *target, char *out, size_t outlen)
{
	const char	*why = NULL;
	int		 st;

	st = http_static_normalize(target, strlen(target), out, outlen, &why);
	if (st != 0)
		assert_non_null(why);
	return st;
}

static void
expect_key(const char *target, const char *key)
{
	char	out[HTTP_STATIC_MAX_PATH];

	assert_int_equal(norm(target, out, sizeof(out)), 0);
	assert_string_equal(out, key);
}

static void
expect_status(const char *target, int status)
{
	char	out[HTTP_STATIC_MAX_PATH];

	assert_int_equal(norm(target, out, sizeof(out)), status);
}

static void
test_normalize_plain(void **state)
{
	(void)state;
	expect_key("/", "/index.html");
	expect_key("/app.js", "/app.js");
	expect_key("/sub/", "/sub/index.html");
	expect_key("/sub/style.css", "/sub/style.css");
	expect_key("/sub", "/sub");		/* no redirect: a 404 later */
	expect_key("/?x=1", "/index.html");
	expect_key("/app.js?v=3&x=/../y", "/app.js");
	expect_key("/app.js#frag", "/app.js");
	expect_key("/%61pp.js", "/app.js");	/* %XX decoded once */
	expect_key("/a%2Ejs", "/a.js");
	expect_key("/a-b_c~d+e@f,g=h.js", "/a-b_c~d+e@f,g=h.js");
}

static void
test_normalize_traversal(void **state)
{
	(void)state;
	expect_status("/../etc/passwd", 400);
	expect_status("/..", 400);
	expect_status("/sub/..", 400);
	expect_status("/sub/../index.html", 400);
	expect_status("/./index.html", 400);
	expect_status("/.", 400);
	expect_status("/%2e%2e/%2e%2e/etc/passwd", 400);
	expect_status("/%2E%2E/", 400);
	expect_status("/.%2e/x", 400);
	expect_status("/..%2fsbc.conf", 400);	/* encoded '/' */
	expect_status("/sub%2Fstyle.css", 400);
	expect_status("/..\\sbc.conf", 400);	/* backslash, raw ... */
	expect_status("/..%5csbc.conf", 400);	/* ... and encoded */
	expect_status("/a%00.js", 400);		/* NUL */
	expect_status("/a%0d%0a.js", 400);	/* CR LF */
	expect_status("/a%7f", 400);
	expect_status("/%2", 400);		/* short escape */
	expect_status("/%zz", 400);
	expect_status("/%%32%65", 400);
	expect_status("//etc/passwd", 400);	/* empty segment */
	expect_status("/sub//style.css", 400);
	expect_status("/sub//", 400);
	expect_status("index.html", 400);	/* not origin-form */
	expect_status("", 400);
	/* a 400 later in the path wins over a 404 name */
	expect_status("/.git/../x", 400);
}

static void
test_normalize_names(void **state)
{
	(void)state;
	expect_status("/.env", 404);		/* dotfiles */
	expect_status("/.git/config", 404);
	expect_status("/sub/.htpasswd", 404);
	expect_status("/...", 404);
	expect_status("/a%20b.html", 404);	/* no name has a space */
	expect_status("/%c3%a9.html", 404);	/* nor non-ASCII */
	expect_status("/a%3fb", 404);		/* an encoded '?' */
	expect_status("/a\"b", 404);
	expect_status("/a<b>", 404);
}

static void
test_normalize_long(void **state)
{
	char	target[4096], out[HTTP_STATIC_MAX_PATH];
	size_t	i;

	(void)state;
	target[0] = '/';
	for (i = 1; i < sizeof(target) - 1; i++)
		target[i] = 'a';
	target[sizeof(target) - 1] = '\0';
	assert_int_equal(norm(target, out, sizeof(out)), 414);
	/* A path that fits, but not with index.html appended. */
	memset(target, 'a', sizeof(target));
	target[0] = '/';
	target[HTTP_STATIC_MAX_PATH - 4] = '/';
	target[HTTP_STATIC_MAX_PATH - 3] = '\0';
	assert_int_equal(norm(target, out, sizeof(out)), 414);
	/* 256 characters are too many for one name: 404. */
	memset(target, 'b', 300);
	target[0] = '/';
	target[257] = '\0';
	assert_int_equal(norm(target, out, sizeof(out)), 404);
	target[256] = '\0';
	assert_int_equal(norm(target, out, sizeof(out)), 0);
	/* A tiny output buffer never overflows. */
	assert_int_equal(norm("/index.html", out, 8), 414);
	assert_int_equal(norm("/", out, 1), 400);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(http_static_name_ok("index.html", 10));
	assert_true(http_static_name_ok("a", 1));
	assert_false(http_static_name_ok(".hidden", 7));
	assert_false(http_static_name_ok("", 0));
	assert_false(http_static_name_ok("a b", 3));
	assert_false(http_static_name_ok("a/b", 3));
	assert_false(http_static_name_ok("a\\b", 3));
	assert_false(http_static_name_ok("a\0b", 3));
}

static void
test_find(void **state)
{
	(void)state;
	http_static_sort(&table);
	assert_string_equal(table.files[0].path, "/app.js");
	assert_memory_equal(http_static_find(&table, "/index.html")->data,
	    "<html></html>\n", 14);
	assert_non_null(http_static_find(&table, "/sub/style.css"));
	assert_null(http_static_find(&table, "/sub"));
	assert_null(http_static_find(&table, "/nope"));
	assert_null(http_static_find(NULL, "/index.html"));
}

static void
test_mime(void **state)
{
	(void)state;
	assert_string_equal(http_static_mime("/index.html"),
	    "text/html; charset=utf-8");
	assert_string_equal(http_static_mime("/a.js"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(http_static_mime("/a.mjs"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(http_static_mime("/a.CSS"),
	    "text/css; charset=utf-8");
	assert_string_equal(http_static_mime("/a.json"), "application/json");
	assert_string_equal(http_static_mime("/a.js.map"), "application/json");
	assert_string_equal(http_static_mime("/i.svg"), "image/svg+xml");
	assert_string_equal(http_static_mime("/i.png"), "image/png");
	assert_string_equal(http_static_mime("/favicon.ico"), "image/x-icon");
	assert_string_equal(http_static_mime("/ring.wav"), "audio/wav");
	assert_string_equal(http_static_mime("/f.woff2"), "font/woff2");
	assert_string_equal(http_static_mime("/README"),
	    "application/octet-stream");
	assert_string_equal(http_static_mime("/a.exe"),
	    "application/octet-stream");
	assert_string_equal(http_static_mime("/v1.2/README"),
	    "application/octet-stream");
}

static void
decide(const char *method, const char *target, struct http_static_reply *r)
{
	http_static_sort(&table);
	http_static_decide(&table, method, strlen(method), target,
	    strlen(target), r);
	assert_non_null(r->why);
}

static void
test_decide(void **state)
{
	struct http_static_reply	r;

	(void)state;
	decide("GET", "/", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.file->path, "/index.html");
	assert_false(r.head);
	decide("HEAD", "/sub/", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.file->path, "/sub/index.html");
	assert_true(r.head);
	decide("GET", "/sub", &r);
	assert_int_equal(r.status, 404);
	assert_null(r.file);
	decide("GET", "/../index.html", &r);
	assert_int_equal(r.status, 400);
	decide("POST", "/", &r);
	assert_int_equal(r.status, 405);
	decide("get", "/", &r);
	assert_int_equal(r.status, 405);
	decide("GETS", "/", &r);
	assert_int_equal(r.status, 405);
	http_static_decide(NULL, "GET", 3, "/", 1, &r);
	assert_int_equal(r.status, 404);
}

static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_response_200(void **state)
{
	struct http_static_reply	r;
	struct http_static_ctx		x = { 0, "sbc.test:8080", 13 };
	char				out[2048];
	int				n;

	(void)state;
	decide("GET", "/app.js", &r);
	n = http_static_response(out, sizeof(out), &r, &x);
	assert_true(n > 0 && (size_t)n == strlen(out));
	assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(out,
	    "\r\nContent-Type: text/javascript; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "\r\nContent-Length: 11\r\n"));
	assert_non_null(strstr(out, "\r\nConnection: close\r\n"));
	assert_non_null(strstr(out, "\r\nCache-Control: no-cache\r\n"));
	assert_non_null(strstr(out, "\r\nX-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(out, "\r\nX-Frame-Options: DENY\r\n"));
	assert_non_null(strstr(out, "\r\nReferrer-Policy: no-referrer\r\n"));
	assert_non_null(strstr(out, "\r\nContent-Security-Policy: "
	    "default-src 'self'; connect-src 'self' wss://sbc.test:8080 "
	    "ws://sbc.test:8080; media-src 'self' blob:; object-src 'none'; "
	    "base-uri 'none'; frame-ancestors 'none'"));
	assert_null(strstr(out, "Strict-Transport-Security"));
	assert_null(strstr(out, "Allow:"));
	assert_int_equal(strcmp(out + n - 4, "\r\n\r\n"), 0); /* head only */
	x.tls = 1;
	n = http_static_response(out, sizeof(out), &r, &x);
	assert_non_null(strstr(out,
	    "\r\nStrict-Transport-Security: max-age=31536000\r\n"));
	assert_int_equal(http_static_response(out, 100, &r, &x), -1);
}

static void
test_response_errors(void **state)
{
	struct http_static_reply	r;
	struct http_static_ctx		x = { 1, NULL, 0 };
	char				out[2048];
	int				n;

	(void)state;
	decide("POST", "/", &r);
	n = http_static_response(out, sizeof(out), &r, &x);
	assert_true(n > 0);
	assert_non_null(strstr(out, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(out, "\r\nAllow: GET, HEAD\r\n"));
	assert_non_null(strstr(out, "\r\nContent-Length: 19\r\n"));
	assert_int_equal(strcmp(out + n - 23, "\r\n\r\nMethod Not Allowed\n"),
	    0);
	/* No Host: connect-src 'self' alone. */
	assert_non_null(strstr(out, "connect-src 'self'; media-src"));
	decide("HEAD", "/nope", &r);
	n = http_static_response(out, sizeof(out), &r, &x);
	assert_non_null(strstr(out, "HTTP/1.1 404 Not Found\r\n"));
	assert_non_null(strstr(out, "\r\nContent-Length: 10\r\n"));
	assert_int_equal(strcmp(out + n - 4, "\r\n\r\n"), 0); /* HEAD */
	r.status = 403;
	assert_true(http_static_response(out, sizeof(out), &r, &x) > 0);
	assert_non_null(strstr(out, "HTTP/1.1 403 Forbidden\r\n"));
	r.status = 500;
	assert_int_equal(http_static_response(out, sizeof(out), &r, &x), -1);
	r.status = 200;
	r.file = NULL;
	assert_int_equal(http_static_response(out, sizeof(out), &r, &x), -1);
}

/* A Host that could break out of the CSP is not written into it. */
static void
test_response_hostile_host(void **state)
{
	static const char *const hosts[] = {
		"a; script-src *", "a\r\nX-Evil: 1", "a b", "a'", "a,b",
		"a\0b",
	};
	struct http_static_reply	r;
	struct http_static_ctx		x = { 0, NULL, 0 };
	char				out[2048];
	size_t				i;

	(void)state;
	decide("GET", "/", &r);
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		x.host = hosts[i];
		x.hostlen = strlen(hosts[i]) + (i == 5 ? 2 : 0);
		assert_true(http_static_response(out, sizeof(out), &r, &x) >
		    0);
		assert_non_null(strstr(out, "connect-src 'self'; media-src"));
		assert_int_equal(count(out, "\r\n"), 10);
	}
	x.host = "[::1]:8443";
	x.hostlen = strlen(x.host);
	assert_true(http_static_response(out, sizeof(out), &r, &x) > 0);
	assert_non_null(strstr(out, "wss://[::1]:8443 ws://[::1]:8443;"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_plain),
		cmocka_unit_test(test_normalize_traversal),
		cmocka_unit_test(test_normalize_names),
		cmocka_unit_test(test_normalize_long),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_response_200),
		cmocka_unit_test(test_response_errors),
		cmocka_unit_test(test_response_hostile_host),
	};

	return cmocka_run_group_tests_name("http_static", tests, NULL, NULL);
}
