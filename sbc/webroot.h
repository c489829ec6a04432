/*
 * webroot.h: load the web root (web.root) into the immutable in-memory
 * table that signaling/http_static.c answers plain HTTP requests from.
 *
 * Bounded: web.max_files files and web.max_total_size bytes in all (over
 * either bound nothing is served), files over web.max_file_size skipped.
 * Only regular files and directories are walked, at most
 * WEBROOT_MAX_DEPTH deep; symbolic links (opened with O_NOFOLLOW, checked
 * again with fstat after open), dotfiles, devices, FIFOs and names outside
 * http_static_name_ok() are skipped.  A root that does not exist logs a
 * notice and serves nothing (every request 404).
 *
 * Owns: the table it returns (paths, bytes), until webroot_free().
 * Thread: main (start, SIGHUP) or ctl (sbcctl reload), after privileges
 * are dropped; never ws-edge or signaling, so no request waits on a disk.
 */
#ifndef SBC_WEBROOT_H
#define SBC_WEBROOT_H

#define WEBROOT_MAX_DEPTH	16

struct sbc_config;
struct sbc_log;
struct sbc_web_conf;
struct http_static_table;

/* The directory web.root names: itself, or SBC_WEB_ROOT when empty. */
const char *webroot_dir(const struct sbc_web_conf *);

/*
 * Read the web root into a sorted table.  NULL when web.enabled is off or
 * nothing can be served (no root, a bound exceeded, no memory): logged.
 */
struct http_static_table *webroot_load(const struct sbc_web_conf *,
	    struct sbc_log *);
void	webroot_free(struct http_static_table *);

/*
 * Load cfg->web into cfg->web_files (freed with the snapshot), before the
 * snapshot is handed to the ws-edge thread; root (sbc -W), when not NULL,
 * instead of web.root.
 */
void	webroot_attach(struct sbc_config *, const char *root,
	    struct sbc_log *);

#endif
