/*
 * ctl_trace.c: `sbcctl sip trace` messages between signaling and ctl (see
 * ctl_trace.h): the in-flight gate, the event and stop messages, and an
 * event's protocol line.
 *
 * Owns: the gates (reference-counted) and the messages until freed.
 * Thread: gate_new and event_new in signaling; the event's free hook
 * wherever the message is freed (ctl, or the thread destroying the queue);
 * stop_new and event_line in ctl.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sbc/ctl_proto.h"
#include "sbc/ctl_trace.h"

struct ctl_trace_gate {
	_Atomic unsigned	inflight;
	_Atomic unsigned	refs;
};

struct ctl_trace_gate *
ctl_trace_gate_new(void)
{
	struct ctl_trace_gate	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	atomic_init(&g->inflight, 0);
	atomic_init(&g->refs, 1);
	return g;
}

void
ctl_trace_gate_put(struct ctl_trace_gate *g)
{
	if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
		free(g);
}

static void
event_free(struct sbc_qmsg *m)
{
	struct ctl_trace_event	*ev = (struct ctl_trace_event *)m;

	atomic_fetch_sub(&ev->gate->inflight, 1);
	ctl_trace_gate_put(ev->gate);
	free(ev);
}

struct ctl_trace_event *
ctl_trace_event_new(struct ctl_trace_gate *g, uint64_t client, int dir,
    int leg, const char *peer, const char *text, size_t len, size_t bytes)
{
	struct ctl_trace_event	*ev;

	if (len > CTL_TRACE_TEXT_MAX)
		len = CTL_TRACE_TEXT_MAX;
	if (atomic_load(&g->inflight) >= CTL_TRACE_INFLIGHT ||
	    (ev = calloc(1, sizeof(*ev) + len + 1)) == NULL)
		return NULL;
	atomic_fetch_add(&g->inflight, 1);
	atomic_fetch_add(&g->refs, 1);
	ev->hdr.type = CTL_MSG_TRACE_EVENT;
	ev->hdr.free = event_free;
	ev->gate = g;
	ev->client = client;
	clock_gettime(CLOCK_REALTIME, &ev->when);
	ev->dir = dir;
	ev->leg = leg;
	ev->bytes = bytes;
	snprintf(ev->peer, sizeof(ev->peer), "%s", peer ? peer : "-");
	memcpy(ev->text, text, len);
	ev->text[len] = '\0';
	ev->len = len;
	return ev;
}

struct sbc_qmsg *
ctl_trace_stop_new(uint64_t client)
{
	struct ctl_trace_stop	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->hdr.type = CTL_MSG_TRACE_STOP;
	st->client = client;
	return &st->hdr;
}

static int
add(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static void
iso_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm	tm;
	char		s[32] = "-";

	if (gmtime_r(&ts->tv_sec, &tm) != NULL)
		strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", s, ts->tv_nsec / 1000000L);
}

char *
ctl_trace_event_line(const struct ctl_trace_event *ev, uint64_t dropped)
{
	struct json_object	*o;
	char			 when[48], *line = NULL;
	int			 ok;

	iso_time(&ev->when, when, sizeof(when));
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	ok = add(o, "time", json_object_new_string(when)) == 0 &&
	    add(o, "dir", json_object_new_string(ev->dir == CTL_TRACE_OUT ?
	    "out" : "in")) == 0 &&
	    add(o, "leg", json_object_new_string(ev->leg == CTL_TRACE_PBX ?
	    "pbx" : "browser")) == 0 &&
	    add(o, "peer", json_object_new_string(ev->peer)) == 0 &&
	    add(o, "text", json_object_new_string_len(ev->text,
	    (int)ev->len)) == 0;
	if (ok && ev->bytes > 0)
		ok = add(o, "bytes", json_object_new_uint64(ev->bytes)) == 0;
	if (ok && dropped > 0)
		ok = add(o, "dropped", json_object_new_uint64(dropped)) == 0;
	if (ok)
		line = ctl_proto_event(o);
	json_object_put(o);
	return line;
}
