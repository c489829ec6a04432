/*
 * queue.h: typed message queues between threads.
 *
 * The only way threads talk: no shared mutable state crosses a thread
 * boundary except through a message.  A message is a struct that embeds
 * struct sbc_qmsg first; the sender allocates it, pushes it, and from then
 * on the receiver owns it (and frees it through msg->free).
 *
 * Owns: the pending messages and an eventfd that becomes readable when the
 * queue goes from empty to non-empty; the owner thread polls that fd in its
 * loop (su_root for signaling, libevent for the edge and media workers).
 * Thread: push from any thread; take from the owner thread only.
 * Rule: control traffic only.  Media packets never cross a queue.
 */
#ifndef SBC_QUEUE_H
#define SBC_QUEUE_H

#include <pthread.h>
#include <stddef.h>

struct sbc_qmsg {
	struct sbc_qmsg	*next;
	unsigned	 type;
	void		(*free)(struct sbc_qmsg *);
};

struct sbc_queue {
	pthread_mutex_t	 lock;
	struct sbc_qmsg	*head;
	struct sbc_qmsg	**tail;
	int		 efd;
	int		 closed;
};

int	sbc_queue_init(struct sbc_queue *);
void	sbc_queue_destroy(struct sbc_queue *);
int	sbc_queue_push(struct sbc_queue *, struct sbc_qmsg *);
struct sbc_qmsg *sbc_queue_take(struct sbc_queue *);
void	sbc_qmsg_free(struct sbc_qmsg *);

/* Common message types every service thread understands. */
enum {
	SBC_MSG_STOP = 1,	/* drain and leave the loop */
	SBC_MSG_CONFIG,		/* struct sbc_msg_config: new snapshot */
	SBC_MSG_FIRST_PRIVATE = 64,
};

struct sbc_config;

struct sbc_msg_config {
	struct sbc_qmsg		 hdr;
	struct sbc_config	*cfg;	/* one reference, owned by the message */
};

struct sbc_qmsg *sbc_msg_stop_new(void);
struct sbc_qmsg *sbc_msg_config_new(struct sbc_config *);

#endif
