/*
 * media.h: the typed request/response interface between signaling and the
 * media workers.
 *
 * The signaling thread never touches media state: it posts a request to the
 * worker that owns (or will own) a session, and the worker answers with a
 * response posted to the reply service named in the request.  Requests and
 * responses are plain structs so the same interface can later cross a
 * socket to a remote media node.
 * Owns: message definitions only.  Thread: built by signaling (requests)
 * or workers (responses); each is owned by its receiver once posted.
 */
#ifndef SBC_MEDIA_H
#define SBC_MEDIA_H

#include <stdint.h>

#include "sbc/queue.h"
#include "sbc/service.h"

enum media_msg_type {
	MEDIA_REQ_STATS = SBC_MSG_FIRST_PRIVATE,	/* signaling → worker */
	MEDIA_RSP_STATS,				/* worker → signaling */
};

struct media_stats {
	uint64_t	sessions;
	uint64_t	packets_in;
	uint64_t	packets_out;
	uint64_t	packets_dropped;
};

struct media_req {
	struct sbc_qmsg		 hdr;
	uint64_t		 cookie;	/* echoed in the response */
	struct sbc_service	*reply_to;
};

struct media_rsp {
	struct sbc_qmsg		 hdr;
	uint64_t		 cookie;
	int			 worker;
	int			 status;	/* 0 ok, -1 failed */
	struct media_stats	 stats;
};

/* The service operations of a media worker (media/worker.c). */
extern const struct sbc_service_ops media_worker_ops;

struct media_req *media_req_new(unsigned type, uint64_t cookie,
	    struct sbc_service *reply_to);

#endif
