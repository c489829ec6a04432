/*
 * sip_trace.c: pure helpers of `sbcctl sip trace` (see sip_trace.h): the
 * filter, the operator's copy of a message (credentials hidden, bounded,
 * printable UTF-8), and the reassembly of Sofia's tport message log.
 *
 * Owns: nothing beyond a struct sip_tplog.  Thread: any; pure.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "signaling/sip_trace.h"

/* The length of the line at p (without its end), and where the next one
 * starts. */
static size_t
line_at(const char *p, const char *end, const char **next)
{
	const char	*nl = memchr(p, '\n', (size_t)(end - p));
	size_t		 n;

	if (nl == NULL) {
		*next = end;
		return (size_t)(end - p);
	}
	*next = nl + 1;
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* A header line "Name : value": 1 when Name is name or compact (without
 * case), with the value (leading blanks skipped) in *v, *vlen. */
static int
header_is(const char *p, size_t n, const char *name, const char *compact,
    const char **v, size_t *vlen)
{
	const char	*colon = memchr(p, ':', n);
	size_t		 k;

	if (colon == NULL || n == 0 || p[0] == ' ' || p[0] == '\t')
		return 0;
	for (k = (size_t)(colon - p); k > 0 && (p[k - 1] == ' ' ||
	    p[k - 1] == '\t'); k--)
		;
	if (!((strlen(name) == k && strncasecmp(p, name, k) == 0) ||
	    (compact != NULL && strlen(compact) == k &&
	    strncasecmp(p, compact, k) == 0)))
		return 0;
	for (*v = colon + 1; *v < p + n && (**v == ' ' || **v == '\t'); (*v)++)
		;
	*vlen = (size_t)(p + n - *v);
	return 1;
}

static int
contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* The URI of a From/To value: inside <...>, else up to the first ';'. */
static int
uri_contains(const char *v, size_t n, const char *needle)
{
	const char	*lt = memchr(v, '<', n), *gt;

	if (lt != NULL && (gt = memchr(lt, '>', (size_t)(v + n - lt))) != NULL)
		return contains(lt + 1, (size_t)(gt - lt - 1), needle);
	if ((gt = memchr(v, ';', n)) != NULL)
		n = (size_t)(gt - v);
	return contains(v, n, needle);
}

/* The request URI of a start line "METHOD URI SIP/2.0". */
static int
ruri_contains(const char *p, size_t n, const char *needle)
{
	const char	*sp, *sp2;

	if (n >= 4 && strncmp(p, "SIP/", 4) == 0)
		return 0;		/* a response */
	if ((sp = memchr(p, ' ', n)) == NULL)
		return 0;
	sp++;
	if ((sp2 = memchr(sp, ' ', (size_t)(p + n - sp))) == NULL)
		sp2 = p + n;
	return contains(sp, (size_t)(sp2 - sp), needle);
}

int
sip_trace_match(const char *text, size_t len, const char *filter)
{
	const char	*p = text, *end = text + len, *next, *v;
	size_t		 n, vlen;

	if (filter == NULL || *filter == '\0')
		return 1;
	n = line_at(p, end, &next);
	if (ruri_contains(p, n, filter))
		return 1;
	for (p = next; p < end; p = next) {
		if ((n = line_at(p, end, &next)) == 0)
			break;		/* end of the headers */
		if (header_is(p, n, "Call-ID", "i", &v, &vlen) &&
		    contains(v, vlen, filter))
			return 1;
		if ((header_is(p, n, "From", "f", &v, &vlen) ||
		    header_is(p, n, "To", "t", &v, &vlen)) &&
		    uri_contains(v, vlen, filter))
			return 1;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if none. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t		need, i;
	unsigned	cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

struct out {
	char	*buf;
	size_t	 len, cap;		/* cap: room for the text, not NUL */
	int	 full;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		n = o->cap - o->len;
		o->full = 1;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* s, with what a terminal or a JSON parser should not see made '?'. */
static void
put_clean(struct out *o, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;

	while (i < n && !o->full) {
		k = utf8_len(p + i, n - i);
		if (k == 1 && (p[i] == 0x7f || (p[i] < 0x20 && p[i] != '\r' &&
		    p[i] != '\n' && p[i] != '\t')))
			k = 0;
		if (k == 0) {
			put(o, "?", 1);
			i++;
		} else {
			put(o, s + i, k);
			i += k;
		}
	}
}

size_t
sip_trace_clean(const char *text, size_t len, char *out, size_t outlen,
    int *truncated)
{
	struct out	 o = { out, 0, outlen ? outlen - 1 : 0, 0 };
	const char	*p = text, *end = text + len, *next, *v;
	size_t		 n, vlen;
	int		 headers = 0, hiding = 0;

	for (; p < end && !o.full; p = next, headers = 1) {
		n = line_at(p, end, &next);
		if (headers && n == 0)
			break;				/* the body follows */
		if (hiding && n > 0 && (p[0] == ' ' || p[0] == '\t'))
			continue;		/* a hidden value goes on */
		hiding = headers && (header_is(p, n, "Authorization", NULL,
		    &v, &vlen) || header_is(p, n, "Proxy-Authorization",
		    NULL, &v, &vlen));
		if (hiding) {
			put_clean(&o, p, (size_t)(v - p));
			put(&o, SIP_TRACE_HIDDEN, strlen(SIP_TRACE_HIDDEN));
			put_clean(&o, p + n, (size_t)(next - p - n));
		} else
			put_clean(&o, p, (size_t)(next - p));
	}
	if (p < end && !o.full)
		put_clean(&o, p, (size_t)(end - p));	/* blank line, body */
	if (outlen > 0)
		out[o.len] = '\0';
	*truncated = o.full;
	return o.len;
}

/* The separator Sofia prints around a message: "   ----...----\n". */
static int
separator(const char *s)
{
	size_t	n;

	if (*s == '\n')
		s++;
	n = strlen(s);
	return n >= 20 && strncmp(s, "   -----", 8) == 0 &&
	    s[n - 1] == '\n' && s[n - 2] == '-';
}

static int
stamp(struct sip_tplog *t, const char *s)
{
	char		what[8], via[8], proto[16], addr[64];
	unsigned	port;
	size_t		bytes;

	if (sscanf(s, "%7s %zu bytes %7s %15[^/]/[%63[^]]]:%u", what, &bytes,
	    via, proto, addr, &port) != 6)
		return -1;
	if (strcmp(what, "recv") == 0 && strcmp(via, "from") == 0)
		t->out = 0;
	else if (strcmp(what, "send") == 0 && strcmp(via, "to") == 0)
		t->out = 1;
	else
		return -1;
	snprintf(t->peer, sizeof(t->peer), strchr(addr, ':') ? "[%s]:%u" :
	    "%s:%u", addr, port);
	t->bytes = bytes;
	return 0;
}

static void
append(struct sip_tplog *t, const char *s, size_t n)
{
	if (n > sizeof(t->text) - t->len)
		n = sizeof(t->text) - t->len;
	memcpy(t->text + t->len, s, n);
	t->len += n;
}

enum sip_tplog_rc
sip_tplog_feed(struct sip_tplog *t, const char *s)
{
	if (!t->active) {
		if (stamp(t, s) == -1)
			return SIP_TPLOG_OTHER;
		t->active = 1;
		t->bol = 1;
		t->len = 0;
		return SIP_TPLOG_TAKEN;
	}
	if (separator(s)) {
		if (t->len == 0 && *s != '\n')
			return SIP_TPLOG_TAKEN;	/* the opening one */
		t->active = 0;
		return SIP_TPLOG_DONE;
	}
	if (strcmp(s, "\n") == 0) {
		append(t, "\r\n", 2);
		t->bol = 1;
		return SIP_TPLOG_TAKEN;
	}
	if (t->bol && strncmp(s, "   ", 3) == 0)
		s += 3;
	t->bol = 0;
	append(t, s, strlen(s));
	return SIP_TPLOG_TAKEN;
}
