/*
 * b2bua.h: the back-to-back user agent between browser flows (WebSocket
 * edge) and PBX trunks (Sofia NTA).
 *
 * Every call is two legs: the browser leg runs on our own transaction
 * layer over a flow id (reliable transport, RFC 3261 rules, routed by flow
 * never by the .invalid hosts in Via/Contact); the PBX leg is an NTA leg.
 * Nothing of one leg is copied to the other except through the allow-list
 * of topo.c and the SDP rewrite, so topology stays hidden.
 * Owns: calls, flows as signaling knows them.  Thread: "signaling".
 */
#ifndef SBC_B2BUA_H
#define SBC_B2BUA_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/su_wait.h>

struct sbc_service;
struct edge_flow_info;
struct b2b;

struct b2b *b2b_create(struct sbc_service *, su_root_t *, nta_agent_t *);
void	b2b_destroy(struct b2b *);
void	b2b_flow_open(struct b2b *, const struct edge_flow_info *);
void	b2b_flow_closed(struct b2b *, uint64_t flow);
void	b2b_from_browser(struct b2b *, uint64_t flow, const char *, size_t);

/* Out-of-dialog requests from PBXs (default leg). 0: replied/handled. */
struct ctl_query;
void	b2b_ctl_query(struct b2b *, struct ctl_query *);	/* b2b_ctl.c */
int	b2b_from_pbx(struct b2b *, nta_incoming_t *, const sip_t *,
	    const struct sbc_trunk *);
/* b2b_policy.c: before any work on a PBX-side request: 0 go on, -1 drop
 * silently, or a status to answer */
int	b2b_policy_pbx(struct b2b *, msg_t *, const sip_t *,
	    const struct sbc_trunk **);

#endif
