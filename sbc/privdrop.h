/*
 * privdrop.h: give up root after the listeners are bound.
 * Thread: main, while every service waits on the start latch.  glibc applies
 * set*id() to all threads of the process.
 */
#ifndef SBC_PRIVDROP_H
#define SBC_PRIVDROP_H

struct sbc_log;

int	sbc_drop_privileges(const char *user, const char *group,
	    struct sbc_log *);

#endif
