/*
 * ctl_render.h: the pure client half of the control protocol (ctl_proto.h)
 * for sbcctl: request lines, reply lines, and the human rendering of a
 * reply's data; plus the interactive mode's word splitting and completion.
 *
 * Rendering: an array of objects is an aligned table whose columns are
 * the keys of the first object (a header row first; a missing or null
 * value is "-"); an array of scalars, one per line; an empty array
 * "(none)"; an object, "key: value" lines with aligned values; a scalar as
 * it is (strings unquoted); null, nothing.  Nested values are compact JSON.
 * Control characters in what the daemon sends (SIP headers may carry them)
 * are shown as '?', so a reply cannot drive the terminal.
 *
 * Owns: nothing beyond a call (results are the caller's).  Thread: any.
 */
#ifndef SBC_CTL_RENDER_H
#define SBC_CTL_RENDER_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

/* {"argv":[...]} + "\n", malloc'ed; NULL when out of memory. */
char	*ctl_request_build(int argc, char *const argv[]);

struct ctl_reply {
	int			 final;		/* 1: status line; 0: event */
	int			 status;	/* final only */
	struct json_object	*data;		/* data, or the event */
	const char		*error;		/* status != 0 */
	struct json_object	*root;		/* owns the above */
};

/* One reply line (without "\n").  0, or -1 with err filled. */
int	ctl_reply_parse(const char *line, size_t len, struct ctl_reply *,
	    char *err, size_t errlen);
void	ctl_reply_free(struct ctl_reply *);

/* Human rendering of data (see above).  0, or -1 on out of memory. */
int	ctl_render(FILE *out, struct json_object *data);

/*
 * A `sip trace` event ({"time","dir","leg","peer","text"...}): a header
 * line "HH:MM:SS.mmmZ DIR LEG PEER", the message's lines (CR dropped,
 * control characters '?'), "[... cut: N bytes in all]" when the daemon
 * cut it, and an empty line.  0 done; 1 not such an event; -1 no memory.
 */
int	ctl_render_trace(FILE *out, struct json_object *event);

/*
 * Split an interactive line in place into at most max words ("double" or
 * 'single' quotes group blanks); argv needs max + 1 slots (NULL-ended).
 * Returns the count, or -1 for too many words or an open quote.
 */
int	ctl_split_words(char *line, char **argv, int max);

/*
 * Completion of the word being typed: before is the line up to that word,
 * text its first characters; templates are "words args" lines as `help`
 * lists them ("show call ID", "log level [error|...]", "sip trace on|off
 * [FILTER]": UPPERCASE is a placeholder, a|b alternatives).  Fills out[]
 * with up to nout malloc'ed candidates; returns how many.
 */
size_t	ctl_complete(const char *const *templates, size_t ntemplates,
	    const char *before, const char *text, char **out, size_t nout);

#endif
