/*
 * test_webroot.c: cmocka unit tests for sbc/webroot.c on a scratch
 * directory: what is loaded (regular files, subdirectories, MIME types)
 * and what is not (dotfiles, symbolic links to a file or a directory
 * outside, FIFOs, files over max_file_size), the max_files and
 * max_total_size bounds, a missing root, web.enabled off, and a table
 * attached to a configuration snapshot freed with it.
 *
 * Owns: its scratch directory (removed at the end).
 * Thread: the test's main thread.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/webroot.h"
#include "signaling/http_static.h"

/* One valid listener: a configuration needs one. */
#define LISTENER \
	"listeners = ( { name = \"pbx\"; transport = \"udp\";" \
	" port = 5060; } );\n"

static char		dir[64];
static char		root[128];
static struct sbc_log	lg;

static void
put_file(const char *rel, const char *text)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
sub(const char *rel)
{
	char	path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void
link_to(const char *target, const char *rel)
{
	char	path[256], tgt[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(tgt, sizeof(tgt), "%s/%s", dir, target);
	assert_int_equal(symlink(tgt, path), 0);
}

static int
setup(void **state)
{
	char	path[256], big[3000];

	(void)state;
	sbc_log_init(&lg, SBC_LOG_STDERR, LOG_DEBUG, LOG_DAEMON, "test");
	snprintf(dir, sizeof(dir), "/tmp/sbc-webroot.XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_file("secret.txt", "SECRET\n");	/* outside the root */
	sub("outside");
	put_file("outside/x.html", "outside\n");
	sub("www");
	snprintf(root, sizeof(root), "%s/www", dir);
	put_file("www/index.html", "<p>hi</p>\n");
	put_file("www/app.js", "export {};\n");
	put_file("www/.hidden", "no\n");
	sub("www/.git");
	put_file("www/.git/config", "no\n");
	sub("www/sub");
	put_file("www/sub/style.css", "a{}\n");
	put_file("www/sub/empty.txt", "");
	put_file("www/bad name.html", "no\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put_file("www/big.wav", big);
	link_to("secret.txt", "www/secret.txt");
	link_to("outside", "www/linkdir");
	snprintf(path, sizeof(path), "%s/www/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct sbc_web_conf
conf(void)
{
	return (struct sbc_web_conf){ 1, root, 2048, 100, 1 << 20 };
}

static void
test_load(void **state)
{
	struct sbc_web_conf		 w = conf();
	struct http_static_table	*t;
	const struct http_static_file	*f;

	(void)state;
	assert_non_null(t = webroot_load(&w, &lg));
	assert_int_equal(t->n, 4);
	assert_non_null(f = http_static_find(t, "/index.html"));
	assert_int_equal(f->len, 10);
	assert_memory_equal(f->data, "<p>hi</p>\n", 10);
	assert_string_equal(f->mime, "text/html; charset=utf-8");
	assert_non_null(f = http_static_find(t, "/app.js"));
	assert_string_equal(f->mime, "text/javascript; charset=utf-8");
	assert_non_null(http_static_find(t, "/sub/style.css"));
	assert_non_null(f = http_static_find(t, "/sub/empty.txt"));
	assert_int_equal(f->len, 0);
	assert_null(http_static_find(t, "/.hidden"));
	assert_null(http_static_find(t, "/.git/config"));
	assert_null(http_static_find(t, "/secret.txt"));	/* symlink */
	assert_null(http_static_find(t, "/linkdir/x.html"));
	assert_null(http_static_find(t, "/fifo"));
	assert_null(http_static_find(t, "/big.wav"));	/* > 2048 */
	assert_int_equal(t->bytes, 10 + 11 + 4 + 0);
	webroot_free(t);
}

static void
test_bounds(void **state)
{
	struct sbc_web_conf	w = conf();

	(void)state;
	w.max_files = 3;
	assert_null(webroot_load(&w, &lg));
	w = conf();
	w.max_total_size = 20;
	assert_null(webroot_load(&w, &lg));
	w = conf();
	w.max_file_size = 1 << 20;	/* big.wav fits now */
	w.max_total_size = 2000;	/* but not in the total */
	assert_null(webroot_load(&w, &lg));
}

static void
test_no_root(void **state)
{
	struct sbc_web_conf	w = conf();
	char			path[160];

	(void)state;
	snprintf(path, sizeof(path), "%s/nope", dir);
	w.root = path;
	assert_null(webroot_load(&w, &lg));
	w.root = root;
	w.enabled = 0;
	assert_null(webroot_load(&w, &lg));
	w.root = "";
	assert_string_equal(webroot_dir(&w), SBC_WEB_ROOT);
}

static void
test_attach(void **state)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;
	char			 text[512];

	(void)state;
	memset(&err, 0, sizeof(err));
	snprintf(text, sizeof(text), "%sweb = { enabled = true; root = \"%s\"; "
	    "max_file_size = 4096; };", LISTENER, root);
	assert_int_equal(sbc_config_load_string(text, "t", &cfg, &err), 0);
	assert_int_equal(cfg->web.max_files, 1000);
	assert_int_equal(cfg->web.max_total_size, 33554432);
	webroot_attach(cfg, NULL, &lg);
	assert_non_null(cfg->web_files);
	assert_non_null(http_static_find(cfg->web_files, "/big.wav"));
	sbc_config_unref(cfg);	/* frees the table: LeakSanitizer checks */
	assert_int_equal(sbc_config_load_string(LISTENER
	    "web = { enabled = false; };", "t", &cfg, &err), 0);
	webroot_attach(cfg, NULL, &lg);
	assert_null(cfg->web_files);
	sbc_config_unref(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_no_root),
		cmocka_unit_test(test_attach),
	};

	return cmocka_run_group_tests_name("webroot", tests, setup, teardown);
}
