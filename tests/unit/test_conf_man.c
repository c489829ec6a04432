/*
 * test_conf_man.c: docs/sbc.conf.5 against the configuration schema
 * (sbc/conf_schema.c), both ways: every key has its ".It Cm KEY Pq ..."
 * line in the ".Ss SECTION" of its top-level group or list (keys of the
 * top level itself in ".Ss top level"; keys of nested groups in their
 * top-level section), and that line states the type, the range of an
 * integer, the words of an enum, "required" or the default, as the schema
 * has them; and every such line names a key the schema has.
 *
 * Reads $top_srcdir/docs/sbc.conf.5 (the test harness exports top_srcdir).
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

#include <cmocka.h>

#include "sbc/conf_schema.h"

#define MAX_ENTRIES	512

struct entry {
	char	section[64];
	char	key[64];
	char	rest[256];	/* what follows ".It Cm KEY " */
	int	seen;
};

static struct entry	entries[MAX_ENTRIES];
static size_t		nentries;

static void
load(void)
{
	const char	*top = getenv("top_srcdir");
	char		 path[1024], line[1024], section[64] = "";
	FILE		*f;
	int		 n;

	snprintf(path, sizeof(path), "%s/docs/sbc.conf.5", top ? top : ".");
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".Ss ", 4) == 0)
			snprintf(section, sizeof(section), "%s", line + 4);
		if (strncmp(line, ".It Cm ", 7) != 0 || *section == '\0')
			continue;
		assert_true(nentries < MAX_ENTRIES);
		snprintf(entries[nentries].section, sizeof(entries[0].section),
		    "%s", section);
		n = 0;
		sscanf(line + 7, "%63s %n", entries[nentries].key, &n);
		snprintf(entries[nentries].rest, sizeof(entries[0].rest), "%s",
		    line + 7 + n);
		nentries++;
	}
	fclose(f);
}

static struct entry *
find(const char *section, const char *key)
{
	size_t	i;

	for (i = 0; i < nentries; i++)
		if (strcmp(entries[i].section, section) == 0 &&
		    strcmp(entries[i].key, key) == 0)
			return &entries[i];
	return NULL;
}

static void
expect(const struct entry *e, const char *what)
{
	if (strstr(e->rest, what) == NULL)
		fail_msg("sbc.conf.5, %s: '.It Cm %s %s' lacks '%s'",
		    e->section, e->key, e->rest, what);
}

static const char *const kind_words[] = {
	[CK_STR] = "string", [CK_INT] = "integer", [CK_BOOL] = "boolean",
	[CK_ENUM] = "one of", [CK_STRV] = "string array",
	[CK_CIDRV] = "CIDR array", [CK_GROUP] = "group", [CK_LIST] = "list",
};

/* The default, as the page states it: "default X" ("empty" for ""). */
static void
expect_default(const struct entry *e, const struct conf_field *fl)
{
	char	want[128];

	if (fl->required) {
		expect(e, "required");
		return;
	}
	if (fl->kind == CK_INT && fl->def != NULL)	/* derived */
		snprintf(want, sizeof(want), "default %s", fl->def);
	else if (fl->kind == CK_INT)
		snprintf(want, sizeof(want), "default %ld", fl->defi);
	else if (fl->kind == CK_BOOL)
		snprintf(want, sizeof(want), "default %s", fl->defi ? "true" :
		    "false");
	else if (fl->kind == CK_STRV || fl->kind == CK_CIDRV ||
	    (fl->def != NULL && *fl->def == '\0'))
		snprintf(want, sizeof(want), "default empty");
	else if (fl->def != NULL && strlen(fl->def) <= 40)
		snprintf(want, sizeof(want), "default %s", fl->def);
	else
		snprintf(want, sizeof(want), "default");
	expect(e, want);
}

static void
check_field(const char *section, const struct conf_field *fl)
{
	struct entry	*e = find(section, fl->name);
	char		 want[64];
	size_t		 i;

	if (e == NULL)
		fail_msg("sbc.conf.5: no '.It Cm %s' in '.Ss %s'", fl->name,
		    section);
	e->seen = 1;
	expect(e, kind_words[fl->kind]);
	if (fl->kind == CK_INT) {
		snprintf(want, sizeof(want), "integer %ld..%ld", fl->min,
		    fl->max);
		expect(e, want);
	}
	for (i = 0; fl->names != NULL && fl->names[i] != NULL; i++)
		expect(e, fl->names[i]);
	if (fl->kind != CK_GROUP && fl->kind != CK_LIST)
		expect_default(e, fl);
}

static void
check_section(const char *section, const struct conf_section *sec)
{
	size_t	i;

	for (i = 0; i < sec->nfields; i++) {
		if (sec->fields[i].kind == CK_GROUP ||
		    sec->fields[i].kind == CK_LIST) {
			if (sec != &conf_root)
				check_field(section, &sec->fields[i]);
			check_section(sec == &conf_root ?
			    sec->fields[i].name : section,
			    sec->fields[i].sub);
		} else
			check_field(section, &sec->fields[i]);
	}
}

static void
test_every_key_documented(void **state)
{
	size_t	i;

	load();
	assert_true(nentries > 50);
	check_section(conf_root.what, &conf_root);
	for (i = 0; i < nentries; i++)
		if (!entries[i].seen)
			fail_msg("sbc.conf.5, %s: '.It Cm %s' is not a key",
			    entries[i].section, entries[i].key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_documented),
	};

	return cmocka_run_group_tests_name("conf_man", tests, NULL, NULL);
}
