/*
 * daemon.h: the daemon's life cycle: load the configuration, start the
 * services, drop privileges, then wait for signals: SIGHUP reloads (a new
 * immutable snapshot goes to every service), SIGTERM/SIGINT drain and stop.
 *
 * Owns: the logger, the current snapshot, every service.  Thread: main.
 */
#ifndef SBC_DAEMON_H
#define SBC_DAEMON_H

struct sbc_options {
	const char	*config_path;	/* NULL: embedded default */
	const char	*state_dir;	/* NULL: from the configuration */
	const char	*web_root;	/* NULL: web.root of the configuration */
	int		 debug;
};

int	sbc_daemon_run(const struct sbc_options *);
int	sbc_load_config(const struct sbc_options *, struct sbc_config **);

#endif
