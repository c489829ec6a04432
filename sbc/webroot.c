/*
 * webroot.c: walk web.root and read its files into a struct
 * http_static_table (see webroot.h for the rules).
 *
 * Owns: the tables it builds, until webroot_free().
 * Thread: main or ctl (configuration load and reload), never ws-edge.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/webroot.h"
#include "signaling/http_static.h"

#ifndef SBC_WEB_ROOT
#define SBC_WEB_ROOT	"/usr/local/share/sbc/web"
#endif

struct loader {
	const struct sbc_web_conf	*conf;
	struct sbc_log			*log;
	const char			*root;
	struct http_static_table	*t;
	size_t				 cap;
	const char			*over;	/* the bound hit, or NULL */
};

static int	walk(struct loader *, int dfd, const char *prefix, int depth);

const char *
webroot_dir(const struct sbc_web_conf *w)
{
	return *w->root != '\0' ? w->root : SBC_WEB_ROOT;
}

void
webroot_free(struct http_static_table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->files[i].path);
		free((void *)t->files[i].data);
	}
	free(t->files);
	free(t);
}

/* All of a regular file of size bytes, or NULL. */
static unsigned char *
read_all(int fd, size_t size)
{
	unsigned char	*buf;
	size_t		 got = 0;
	ssize_t		 r;

	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return NULL;
	while (got < size) {
		r = read(fd, buf + got, size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		got += (size_t)r;
	}
	return buf;
fail:
	free(buf);
	return NULL;
}

static int
append(struct loader *ld, const char *path, unsigned char *data, size_t len)
{
	struct http_static_table	*t = ld->t;
	struct http_static_file		*f;
	size_t				 cap;

	if (t->n == ld->cap) {
		cap = ld->cap ? ld->cap * 2 : 16;
		if ((f = realloc(t->files, cap * sizeof(*f))) == NULL)
			return -1;
		t->files = f;
		ld->cap = cap;
	}
	f = &t->files[t->n];
	if ((f->path = strdup(path)) == NULL)
		return -1;
	f->mime = http_static_mime(path);
	f->data = data;
	f->len = len;
	t->n++;
	t->bytes += len;
	return 0;
}

/* Within the bounds?  0, or -1 with ld->over set (the walk stops). */
static int
bounded(struct loader *ld, off_t size)
{
	if (ld->t->n >= (size_t)ld->conf->max_files)
		ld->over = "more files than web.max_files";
	else if (ld->t->bytes + (size_t)size > (size_t)ld->conf->max_total_size)
		ld->over = "more bytes than web.max_total_size";
	return ld->over != NULL ? -1 : 0;
}

/* A regular file: 0 (read or skipped), -1 to stop the walk. */
static int
add_file(struct loader *ld, int dfd, const char *name, const char *path)
{
	struct stat	 st;
	unsigned char	*data = NULL;
	int		 fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_notice(ld->log, "web: %s%s: not a regular file (%s), "
		    "not served", ld->root, path, fd == -1 ? strerror(errno) :
		    "changed");
		goto done;
	}
	if (st.st_size > ld->conf->max_file_size) {
		log_warn(ld->log, "web: %s%s: %lld bytes, over "
		    "web.max_file_size: not served", ld->root, path,
		    (long long)st.st_size);
		goto done;
	}
	if ((rc = bounded(ld, st.st_size)) == -1)
		goto done;
	if ((data = read_all(fd, (size_t)st.st_size)) == NULL) {
		log_warn(ld->log, "web: %s%s: cannot read it, not served",
		    ld->root, path);
		goto done;
	}
	if ((rc = append(ld, path, data, (size_t)st.st_size)) == -1) {
		free(data);
		ld->over = "out of memory";
	}
done:
	if (fd != -1)
		close(fd);
	return rc;
}

/* A subdirectory, opened without following a link. */
static int
add_dir(struct loader *ld, int dfd, const char *name, const char *path,
    int depth)
{
	int	fd;

	if (depth >= WEBROOT_MAX_DEPTH) {
		log_notice(ld->log, "web: %s%s: deeper than %d levels, not "
		    "served", ld->root, path, WEBROOT_MAX_DEPTH);
		return 0;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1) {
		log_notice(ld->log, "web: %s%s: %s, not served", ld->root,
		    path, strerror(errno));
		return 0;
	}
	return walk(ld, fd, path, depth + 1);
}

/* One directory entry: 0 to go on, -1 to stop. */
static int
add_entry(struct loader *ld, int dfd, const char *prefix, const char *name,
    int depth)
{
	char		path[HTTP_STATIC_MAX_PATH];
	struct stat	st;
	int		n;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	n = snprintf(path, sizeof(path), "%s/%s", prefix, name);
	if (!http_static_name_ok(name, strlen(name)) || n < 0 ||
	    (size_t)n >= sizeof(path)) {
		log_info(ld->log, "web: %s%s/%s: hidden, unusual or too long "
		    "a name, not served", ld->root, prefix, name);
		return 0;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;	/* gone meanwhile */
	if (S_ISDIR(st.st_mode))
		return add_dir(ld, dfd, name, path, depth);
	if (S_ISREG(st.st_mode))
		return add_file(ld, dfd, name, path);
	log_notice(ld->log, "web: %s%s: %s, not served", ld->root, path,
	    S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
	return 0;
}

/* Every entry of the directory dfd (which it takes over). */
static int
walk(struct loader *ld, int dfd, const char *prefix, int depth)
{
	DIR		*d;
	struct dirent	*de;
	int		 rc = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL)
		rc = add_entry(ld, dirfd(d), prefix, de->d_name, depth);
	closedir(d);
	return rc;
}

static int
open_root(const char *root, struct sbc_log *lg)
{
	int	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1)
		return fd;
	if (errno == ENOENT)
		log_notice(lg, "web: root %s does not exist: no file is "
		    "served", root);
	else
		log_warn(lg, "web: root %s: %s: no file is served", root,
		    strerror(errno));
	return -1;
}

struct http_static_table *
webroot_load(const struct sbc_web_conf *w, struct sbc_log *lg)
{
	struct loader	ld = { w, lg, webroot_dir(w), NULL, 0, NULL };
	int		fd;

	if (!w->enabled || (fd = open_root(ld.root, lg)) == -1)
		return NULL;
	if ((ld.t = calloc(1, sizeof(*ld.t))) == NULL) {
		close(fd);
		return NULL;
	}
	if (walk(&ld, fd, "", 0) == -1) {
		log_warn(lg, "web: %s: %s: no file is served", ld.root,
		    ld.over);
		webroot_free(ld.t);
		return NULL;
	}
	http_static_sort(ld.t);
	log_info(lg, "web: %zu files, %zu bytes from %s", ld.t->n,
	    ld.t->bytes, ld.root);
	return ld.t;
}

void
webroot_attach(struct sbc_config *cfg, const char *root, struct sbc_log *lg)
{
	struct sbc_web_conf	w = cfg->web;

	if (!cfg->web.enabled || cfg->web_free != NULL)
		return;
	if (root != NULL)
		w.root = root;
	cfg->web_files = webroot_load(&w, lg);
	cfg->web_free = webroot_free;
}
