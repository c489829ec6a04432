/*
 * signaling.h: the signaling service: Sofia-SIP's su_root and NTA agent
 * toward PBXs and trunks (UDP/TCP/TLS), and the B2BUA core.
 *
 * Owns: the su_root, the NTA agent and every dialog.  Thread: its own
 * ("signaling"); other threads reach it only through its inbox.
 */
#ifndef SBC_SIGNALING_H
#define SBC_SIGNALING_H

#include "sbc/service.h"

extern const struct sbc_service_ops signaling_ops;

/* Sofia-SIP logs (global in Sofia) go to our logger; call once in main. */
void	signaling_redirect_sofia_logs(struct sbc_log *);

#endif
