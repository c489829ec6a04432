/*
 * sip_trace.h: the pure text work behind `sbcctl sip trace`: which messages
 * a filter selects, the copy an operator may see (credentials hidden,
 * bounded, printable), and the reassembly of Sofia's tport message log
 * (TPTAG_LOG), which is how the PBX leg's messages are seen on the wire.
 *
 * Owns: nothing but what a struct sip_tplog holds.  Thread: any; pure (no
 * Sofia, no I/O), unit-tested in tests/unit/test_sip_trace.c.
 */
#ifndef SBC_SIP_TRACE_H
#define SBC_SIP_TRACE_H

#include <stddef.h>

#define SIP_TRACE_TEXT_MAX	8192	/* bytes of a message kept */
#define SIP_TRACE_HIDDEN	"<hidden>"

/*
 * 1 when filter is empty or a substring of the message's request URI,
 * Call-ID (or i:), or the URI of its From (f:) or To (t:) header; else 0.
 * Case-sensitive; header names are matched without case.
 */
int	sip_trace_match(const char *text, size_t len, const char *filter);

/*
 * Copy text into out (at most outlen - 1 bytes, NUL-terminated) for an
 * operator: the values of Authorization and Proxy-Authorization headers
 * (with their continuation lines) become SIP_TRACE_HIDDEN; control
 * characters other than CR, LF and TAB, and bytes that are not valid
 * UTF-8, become '?'.  Returns the bytes written; *truncated is 1 when
 * text did not fit.
 */
size_t	sip_trace_clean(const char *text, size_t len, char *out,
	    size_t outlen, int *truncated);

/*
 * Sofia's tport log prints a message as su_log() calls: a stamp
 * "recv|send N bytes from|to PROTO/[ADDR]:PORT at HH:MM:SS.UUUUUU:" and a
 * separator line, then each line of the message ("   " before a line's
 * first piece, "\n" after it), then the separator again.  Feed every call's
 * text to sip_tplog_feed() in order.
 */
enum sip_tplog_rc {
	SIP_TPLOG_OTHER,	/* not part of a message: log it as usual */
	SIP_TPLOG_TAKEN,	/* part of a message, keep feeding */
	SIP_TPLOG_DONE,		/* a message is complete: out, len, ... */
};

struct sip_tplog {
	int	active;			/* inside a message */
	int	out;			/* 1: sent by us, 0: received */
	int	bol;			/* at the start of a line */
	char	peer[80];		/* "192.0.2.1:5060", "[2001:db8::1]:5060" */
	size_t	len;			/* bytes in text */
	size_t	bytes;			/* the message's size, all of it */
	char	text[SIP_TRACE_TEXT_MAX];
};

enum sip_tplog_rc sip_tplog_feed(struct sip_tplog *, const char *line);

#endif
