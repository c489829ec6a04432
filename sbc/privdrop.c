/*
 * privdrop.c: switch to the configured user and group (see privdrop.h).
 *
 * Owns: nothing.  Thread: main.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "sbc/log.h"
#include "sbc/privdrop.h"

static int
lookup_group(const char *group, gid_t *gid, struct sbc_log *lg)
{
	struct group	*gr;

	if (*group == '\0')
		return 0;
	if ((gr = getgrnam(group)) == NULL) {
		log_err(lg, "group '%s' does not exist", group);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

int
sbc_drop_privileges(const char *user, const char *group, struct sbc_log *lg)
{
	struct passwd	*pw;
	gid_t		 gid;

	if (*user == '\0')
		return 0;
	pw = getpwnam(user);
	if (geteuid() != 0) {
		/* started as that user already (systemd's User=sbc) */
		if (pw != NULL && pw->pw_uid == geteuid())
			log_info(lg, "running as %s (uid %d)", user,
			    (int)geteuid());
		else
			log_warn(lg, "not root: staying user %d (daemon.user "
			    "'%s' ignored)", (int)geteuid(), user);
		return 0;
	}
	if (pw == NULL) {
		log_err(lg, "user '%s' does not exist", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (lookup_group(group, &gid, lg) == -1)
		return -1;
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_err(lg, "cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {
		log_err(lg, "could regain root after dropping it");
		return -1;
	}
	log_info(lg, "running as %s (uid %d, gid %d)", user, (int)pw->pw_uid,
	    (int)gid);
	return 0;
}
