/*
 * sdnotify.h: tell systemd how the daemon is doing (Type=notify units):
 * READY=1 once every listener is bound and every thread runs, RELOADING=1
 * and READY=1 around a reload, STOPPING=1 at stop.  The sd_notify(3)
 * protocol, which systemd documents as stable for reimplementation: one
 * datagram to the AF_UNIX socket in $NOTIFY_SOCKET.  No libsystemd.
 *
 * Owns: nothing.  Thread: any (main, or ctl for `sbcctl reload`): the
 * datagram carries the process's pid, which is the same in every thread.
 */
#ifndef SBC_SDNOTIFY_H
#define SBC_SDNOTIFY_H

/*
 * Send state ("READY=1", "STOPPING=1", newline-separated assignments).
 * 1: sent; 0: not under systemd ($NOTIFY_SOCKET unset); -1: failed (errno).
 */
int	sbc_sd_notify(const char *state);

#endif
