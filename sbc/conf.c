/*
 * conf.c: load a libconfig file into an immutable struct sbc_config.
 *
 * Walks the schema tables of conf_schema.c: applies defaults, checks types
 * and ranges, refuses unknown keys, then runs the cross-key checks of
 * conf_check.c.  Every error is "FILE:LINE: message".
 * Owns: the snapshot's arena (every string and array of the snapshot).
 * Thread: main loads; any thread holding a reference reads.  Pure: no
 * logging, no global state.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/conf_schema.h"

struct arena_chunk {
	struct arena_chunk	*next;
	max_align_t		 data[];
};

struct conf_arena {
	struct arena_chunk	*chunks;
};

struct loader {
	struct sbc_config	*cfg;
	struct conf_errors	*err;
	const char		*source;
};

void *
conf_alloc(struct sbc_config *cfg, size_t size)
{
	struct arena_chunk	*c;

	if ((c = calloc(1, sizeof(*c) + size)) == NULL)
		return NULL;
	c->next = cfg->arena->chunks;
	cfg->arena->chunks = c;
	return c->data;
}

const char *
conf_strdup(struct sbc_config *cfg, const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*p;

	if ((p = conf_alloc(cfg, len)) == NULL)
		return NULL;
	memcpy(p, s, len);
	return p;
}

void
conf_error(struct conf_errors *err, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;
	char	*m;

	if (err->n >= CONF_MAX_ERRORS) {
		err->truncated = 1;
		return;
	}
	m = err->msg[err->n++];
	n = snprintf(m, sizeof(err->msg[0]), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(err->msg[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(m + n, sizeof(err->msg[0]) - n, fmt, ap);
	va_end(ap);
}

static const char *
setting_file(const struct loader *ld, const config_setting_t *s)
{
	const char	*f = config_setting_source_file(s);

	return f != NULL ? f : ld->source;
}

#define SERR(ld, s, ...) conf_error((ld)->err, setting_file((ld), (s)), \
	(int)config_setting_source_line(s), __VA_ARGS__)

static int
name_index(const char *const *names, const char *v)
{
	int	i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

static void
names_list(const char *const *names, char *buf, size_t len)
{
	size_t	used = 0;
	int	i, n;

	buf[0] = '\0';
	for (i = 0; names[i] != NULL && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    names[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

static int walk(struct loader *, const config_setting_t *,
    const struct conf_section *, void *);

static int
get_string(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, const char **out)
{
	char	 allowed[128];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		SERR(ld, s, "'%s' must be a string", f->name);
		return -1;
	}
	*out = config_setting_get_string(s);
	if (f->names != NULL && name_index(f->names, *out) < 0) {
		names_list(f->names, allowed, sizeof(allowed));
		SERR(ld, s, "'%s' must be one of: %s (not \"%s\")", f->name,
		    allowed, *out);
		return -1;
	}
	return 0;
}

static int
set_str(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	const char	*v = f->def != NULL ? f->def : "";

	if (s != NULL && get_string(ld, s, f, &v) == -1)
		return -1;
	if ((*(const char **)dst = conf_strdup(ld->cfg, v)) == NULL)
		return -1;
	return 0;
}

static int
set_int(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	long long	v;
	int		t;

	if (s == NULL) {
		*(int *)dst = (int)f->defi;
		return 0;
	}
	t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		SERR(ld, s, "'%s' must be an integer", f->name);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < f->min || v > f->max) {
		SERR(ld, s, "'%s' must be between %ld and %ld (not %lld)",
		    f->name, f->min, f->max, v);
		return -1;
	}
	*(int *)dst = (int)v;
	return 0;
}

static int
set_bool(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	if (s == NULL) {
		*(int *)dst = (int)f->defi;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		SERR(ld, s, "'%s' must be true or false", f->name);
		return -1;
	}
	*(int *)dst = config_setting_get_bool(s);
	return 0;
}

static int
set_enum(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	const char	*v = f->def;

	if (s != NULL && get_string(ld, s, f, &v) == -1)
		return -1;
	*(int *)dst = name_index(f->names, v);
	return 0;
}

static int
check_array(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f)
{
	int	t = config_setting_type(s), i, n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		SERR(ld, s, "'%s' must be an array of strings, "
		    "like [ \"a\", \"b\" ]", f->name);
		return -1;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		if (config_setting_type(config_setting_get_elem(s, i)) !=
		    CONFIG_TYPE_STRING) {
			SERR(ld, config_setting_get_elem(s, i),
			    "'%s' must hold only strings", f->name);
			return -1;
		}
	}
	return n;
}

static int
set_strv(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	struct sbc_strv	*sv = dst;
	int		 i, n;

	sv->n = 0;
	sv->v = NULL;
	if (s == NULL)
		return 0;
	if ((n = check_array(ld, s, f)) <= 0)
		return n;
	if ((sv->v = conf_alloc(ld->cfg, n * sizeof(*sv->v))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		sv->v[i] = conf_strdup(ld->cfg,
		    config_setting_get_string_elem(s, i));
		if (sv->v[i] == NULL)
			return -1;
	}
	sv->n = (size_t)n;
	return 0;
}

static int
set_cidrv(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	struct sbc_cidrv	*cv = dst;
	const char		*v;
	int			 i, n, rc = 0;

	cv->n = 0;
	cv->v = NULL;
	if (s == NULL)
		return 0;
	if ((n = check_array(ld, s, f)) <= 0)
		return n;
	if ((cv->v = conf_alloc(ld->cfg, n * sizeof(*cv->v))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		v = config_setting_get_string_elem(s, i);
		if (sbc_cidr_parse(v, &cv->v[i]) == -1) {
			SERR(ld, config_setting_get_elem(s, i),
			    "'%s': \"%s\" is not an address or prefix "
			    "(like 192.0.2.0/24 or 2001:db8::/32)", f->name, v);
			rc = -1;
		}
	}
	cv->n = (size_t)n;
	return rc;
}

static int
set_group(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst)
{
	if (s != NULL && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		SERR(ld, s, "'%s' must be a group: %s = { ... };", f->name,
		    f->name);
		return -1;
	}
	return walk(ld, s, f->sub, dst);
}

static int
set_list(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *dst, void *base)
{
	const struct conf_section	*sec = f->sub;
	config_setting_t		*e;
	char				*elems;
	int				 i, n, rc = 0;

	*(void **)dst = NULL;
	*(size_t *)((char *)base + f->count_off) = 0;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		SERR(ld, s, "'%s' must be a list of groups: %s = ( { ... } );",
		    f->name, f->name);
		return -1;
	}
	if ((n = config_setting_length(s)) == 0)
		return 0;
	if ((elems = conf_alloc(ld->cfg, (size_t)n * sec->size)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			SERR(ld, e, "each element of '%s' must be a group "
			    "{ ... }", f->name);
			rc = -1;
			continue;
		}
		if (walk(ld, e, sec, elems + (size_t)i * sec->size) == -1)
			rc = -1;
	}
	*(void **)dst = elems;
	*(size_t *)((char *)base + f->count_off) = (size_t)n;
	return rc;
}

static int
record_line(struct sbc_config *cfg, const void *addr, int line)
{
	struct conf_line	*nl;
	size_t			 cap;

	if (cfg->nlines == cfg->caplines) {
		cap = cfg->caplines ? cfg->caplines * 2 : 64;
		if ((nl = realloc(cfg->lines, cap * sizeof(*nl))) == NULL)
			return -1;
		cfg->lines = nl;
		cfg->caplines = cap;
	}
	cfg->lines[cfg->nlines].addr = addr;
	cfg->lines[cfg->nlines++].line = line;
	return 0;
}

int
sbc_config_line(const struct sbc_config *cfg, const void *member)
{
	size_t	i;

	/* From the end: a group shares its address with its first member,
	 * and the member is recorded after the group. */
	for (i = cfg->nlines; i > 0; i--)
		if (cfg->lines[i - 1].addr == member)
			return cfg->lines[i - 1].line;
	return 0;
}

static int
set_field(struct loader *ld, const config_setting_t *s,
    const struct conf_field *f, void *base)
{
	void	*dst = (char *)base + f->off;

	if (s != NULL && record_line(ld->cfg, dst,
	    (int)config_setting_source_line(s)) == -1)
		return -1;

	switch (f->kind) {
	case CK_STR:	return set_str(ld, s, f, dst);
	case CK_INT:	return set_int(ld, s, f, dst);
	case CK_BOOL:	return set_bool(ld, s, f, dst);
	case CK_ENUM:	return set_enum(ld, s, f, dst);
	case CK_STRV:	return set_strv(ld, s, f, dst);
	case CK_CIDRV:	return set_cidrv(ld, s, f, dst);
	case CK_GROUP:	return set_group(ld, s, f, dst);
	case CK_LIST:	return set_list(ld, s, f, dst, base);
	}
	return -1;
}

static const struct conf_field *
find_field(const struct conf_section *sec, const char *name)
{
	size_t	i;

	for (i = 0; i < sec->nfields; i++)
		if (strcmp(sec->fields[i].name, name) == 0)
			return &sec->fields[i];
	return NULL;
}

static int
check_unknown(struct loader *ld, const config_setting_t *g,
    const struct conf_section *sec)
{
	config_setting_t	*m;
	int			 i, n, rc = 0;

	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(g, i);
		if (config_setting_name(m) == NULL ||
		    find_field(sec, config_setting_name(m)) != NULL)
			continue;
		SERR(ld, m, "unknown key '%s' in %s", config_setting_name(m),
		    sec->what);
		rc = -1;
	}
	return rc;
}

/* Fill base from group g (NULL: all defaults) following sec. */
static int
walk(struct loader *ld, const config_setting_t *g,
    const struct conf_section *sec, void *base)
{
	const struct conf_field	*f;
	config_setting_t	*s;
	size_t			 i;
	int			 rc = 0;

	if (sec->line_off != CONF_NO_LINE)
		*(int *)((char *)base + sec->line_off) =
		    g != NULL ? (int)config_setting_source_line(g) : 0;
	for (i = 0; i < sec->nfields; i++) {
		f = &sec->fields[i];
		s = g != NULL ? config_setting_get_member(g, f->name) : NULL;
		if (s == NULL && f->required) {
			conf_error(ld->err, g ? setting_file(ld, g) : ld->source,
			    g ? (int)config_setting_source_line(g) : 0,
			    "%s: missing required key '%s'", sec->what,
			    f->name);
			rc = -1;
			continue;
		}
		if (set_field(ld, s, f, base) == -1)
			rc = -1;
	}
	if (g != NULL && check_unknown(ld, g, sec) == -1)
		rc = -1;
	return rc;
}

static void
arena_free(struct conf_arena *a)
{
	struct arena_chunk	*c, *next;

	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static struct sbc_config *
config_new(void)
{
	struct sbc_config	*cfg;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	if ((cfg->arena = calloc(1, sizeof(*cfg->arena))) == NULL) {
		free(cfg);
		return NULL;
	}
	atomic_init(&cfg->refs, 1);
	return cfg;
}

static int
load(config_t *lc, const char *name, struct sbc_config **out,
    struct conf_errors *err)
{
	struct loader		 ld;
	struct sbc_config	*cfg;

	*out = NULL;
	if ((cfg = config_new()) == NULL) {
		conf_error(err, name, 0, "out of memory");
		return -1;
	}
	ld.cfg = cfg;
	ld.err = err;
	ld.source = name;
	cfg->source = conf_strdup(cfg, name);
	if (cfg->source == NULL ||
	    walk(&ld, config_root_setting(lc), &conf_root, cfg) == -1 ||
	    conf_check(cfg, err) == -1) {
		if (err->n == 0)
			conf_error(err, name, 0, "out of memory");
		sbc_config_unref(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

static int
parse_error(config_t *lc, const char *name, struct conf_errors *err)
{
	const char	*file = config_error_file(lc);

	conf_error(err, file != NULL ? file : name, config_error_line(lc),
	    "%s", config_error_text(lc));
	config_destroy(lc);
	return -1;
}

int
sbc_config_load_file(const char *path, struct sbc_config **out,
    struct conf_errors *err)
{
	config_t	lc;
	int		rc;

	FILE		*f;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	if ((f = fopen(path, "re")) == NULL) {
		conf_error(err, path, 0, "cannot read the file: %s",
		    strerror(errno));
		return -1;
	}
	fclose(f);
	config_init(&lc);
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO) {
			conf_error(err, path, 0, "cannot read the file");
			config_destroy(&lc);
			return -1;
		}
		return parse_error(&lc, path, err);
	}
	rc = load(&lc, path, out, err);
	config_destroy(&lc);
	return rc;
}

int
sbc_config_load_string(const char *text, const char *name,
    struct sbc_config **out, struct conf_errors *err)
{
	config_t	lc;
	int		rc;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE)
		return parse_error(&lc, name, err);
	rc = load(&lc, name, out, err);
	config_destroy(&lc);
	return rc;
}

struct sbc_config *
sbc_config_ref(struct sbc_config *cfg)
{
	atomic_fetch_add(&cfg->refs, 1);
	return cfg;
}

void
sbc_config_unref(struct sbc_config *cfg)
{
	if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) != 1)
		return;
	if (cfg->web_free != NULL)
		cfg->web_free(cfg->web_files);
	arena_free(cfg->arena);
	free(cfg->lines);
	free(cfg);
}

const struct sbc_trunk *
sbc_config_trunk(const struct sbc_config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->ntrunks; i++)
		if (strcmp(cfg->trunks[i].name, name) == 0)
			return &cfg->trunks[i];
	return NULL;
}

const char *
sbc_transport_name(enum sbc_transport t)
{
	if ((unsigned)t >= 5)
		return "?";
	return conf_transport_names[t];
}
