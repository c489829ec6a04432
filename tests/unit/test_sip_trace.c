/*
 * test_sip_trace.c: cmocka unit tests for `sbcctl sip trace`'s pure parts:
 * the filter and the operator's copy of a message (signaling/sip_trace.c:
 * Authorization hidden, bounded, printable UTF-8), the reassembly of
 * Sofia's tport message log, the in-flight gate and the event line
 * (sbc/ctl_trace.c), and sbcctl's rendering of an event (ctl_render.c).
 *
 * Thread: the test's main thread.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "sbc/ctl_render.h"
#include "sbc/ctl_trace.h"
#include "signaling/sip_trace.h"

static const char invite[] =
    "INVITE sip:1000@pbx.example;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\n"
    "From: \"Alice Display\" <sip:alice@sbc.test>;tag=fromtag9\r\n"
    "t: <sip:bob@sbc.test>\r\n"
    "i: callid-42@host\r\n"
    "CSeq: 2 INVITE\r\n"
    "Authorization: Digest username=\"alice\", realm=\"pbx.test\",\r\n"
    "  nonce=\"n1\", response=\"0123456789abcdef0123456789abcdef\"\r\n"
    "proxy-authorization :Digest response=\"ffffffffffffffffffffffffffffffff\"\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 44\r\n"
    "\r\n"
    "v=0\r\nAuthorization: in the body stays\r\n";

#define MATCH(f)	sip_trace_match(invite, strlen(invite), (f))

static void
test_match(void **state)
{
	static const char resp[] = "SIP/2.0 200 OK\r\nTo: <sip:1000@x>\r\n"
	    "Call-ID: zz\r\n\r\n";

	assert_true(MATCH(""));
	assert_true(MATCH(NULL));
	assert_true(MATCH("1000@pbx"));		/* request URI */
	assert_true(MATCH("user=phone"));
	assert_true(MATCH("callid-42"));	/* compact i: */
	assert_true(MATCH("alice@sbc"));	/* From URI */
	assert_true(MATCH("bob"));		/* compact t: URI */
	assert_false(MATCH("fromtag9"));	/* a tag is not the URI */
	assert_false(MATCH("Alice Display"));	/* nor the display name */
	assert_false(MATCH("0123456789abcdef"));	/* nor credentials */
	assert_false(MATCH("stays"));		/* nor the body */
	assert_false(MATCH("Callid-42"));	/* case-sensitive */
	assert_true(sip_trace_match(resp, strlen(resp), "1000"));
	assert_true(sip_trace_match(resp, strlen(resp), "zz"));
	assert_false(sip_trace_match(resp, strlen(resp), "200 OK"));
}

static void
test_clean(void **state)
{
	char	out[1024];
	size_t	n;
	int	cut = -1;

	n = sip_trace_clean(invite, strlen(invite), out, sizeof(out), &cut);
	assert_int_equal(cut, 0);
	assert_int_equal(n, strlen(out));
	assert_null(strstr(out, "0123456789abcdef"));
	assert_null(strstr(out, "ffffffff"));
	assert_null(strstr(out, "nonce=\"n1\""));
	assert_non_null(strstr(out, "\r\nAuthorization: <hidden>\r\n"
	    "proxy-authorization :<hidden>\r\nContent-Type:"));
	assert_non_null(strstr(out, "\r\n\r\nv=0\r\nAuthorization: in the "
	    "body stays\r\n"));
	assert_non_null(strstr(out, "i: callid-42@host\r\n"));
}

static void
test_clean_bytes(void **state)
{
	static const char in[] = "MESSAGE sip:x SIP/2.0\r\nSubject: a\x01"
	    "b\x1b[31m\x7f \xc3\xa9 \xc3 \xed\xa0\x80 \xf0\x9f\x98\x80\r\n"
	    "\r\n\x00z";
	char	out[256], small[16];
	int	cut;

	sip_trace_clean(in, sizeof(in) - 1, out, sizeof(out), &cut);
	assert_int_equal(cut, 0);
	assert_string_equal(out, "MESSAGE sip:x SIP/2.0\r\nSubject: a?b?[31m?"
	    " \xc3\xa9 ? ??? \xf0\x9f\x98\x80\r\n\r\n?z");
	assert_int_equal(sip_trace_clean(in, sizeof(in) - 1, small,
	    sizeof(small), &cut), 15);
	assert_int_equal(cut, 1);
	assert_string_equal(small, "MESSAGE sip:x S");
}

/* What Sofia's tport_log_msg() passes to su_log, call by call. */
static const char *const dump[] = {
	("recv 97 bytes from udp/[10.201.2.2]:5080 at 17:05:06.383276:\n"
	"   ------------------------------------------------------------------------\n"),
	"   SIP/2.0 200 OK", "\n",
	"   Call-ID: abc", "\n",
	"   Authorization: Digest response=\"0123\"", "\n",
	"   ", "\n",
	"   v=0", "\n",
	"   ------------------------------------------------------------------------\n",
};

static void
test_tplog(void **state)
{
	struct sip_tplog	*t = calloc(1, sizeof(*t));
	size_t			 i, n = sizeof(dump) / sizeof(dump[0]);

	assert_int_equal(sip_tplog_feed(t, "nta: something else\n"),
	    SIP_TPLOG_OTHER);
	for (i = 0; i + 1 < n; i++)
		assert_int_equal(sip_tplog_feed(t, dump[i]), SIP_TPLOG_TAKEN);
	assert_int_equal(sip_tplog_feed(t, dump[n - 1]), SIP_TPLOG_DONE);
	assert_int_equal(t->out, 0);
	assert_int_equal(t->bytes, 97);
	assert_string_equal(t->peer, "10.201.2.2:5080");
	assert_int_equal(t->len, strlen("SIP/2.0 200 OK\r\nCall-ID: abc\r\n"
	    "Authorization: Digest response=\"0123\"\r\n\r\nv=0\r\n"));
	assert_memory_equal(t->text, "SIP/2.0 200 OK\r\nCall-ID: abc\r\n", 30);
	assert_int_equal(sip_tplog_feed(t, "   *** message truncated\n"),
	    SIP_TPLOG_OTHER);

	/* A line in two pieces, no final CRLF; IPv6; send. */
	assert_int_equal(sip_tplog_feed(t, "send 9 bytes to tcp/[2001:db8::1]:"
	    "5061 at 01:02:03.000004:\n   -----------------------------\n"),
	    SIP_TPLOG_TAKEN);
	sip_tplog_feed(t, "   BYE ");
	sip_tplog_feed(t, "sip:x");
	assert_int_equal(sip_tplog_feed(t, "\n   -----------------------------"
	    "\n"), SIP_TPLOG_DONE);
	assert_int_equal(t->out, 1);
	assert_string_equal(t->peer, "[2001:db8::1]:5061");
	assert_int_equal(t->len, 9);
	assert_memory_equal(t->text, "BYE sip:x", 9);
	free(t);
}

static void
test_gate(void **state)
{
	struct ctl_trace_gate	*g = ctl_trace_gate_new();
	struct ctl_trace_event	*ev[CTL_TRACE_INFLIGHT];
	int			 i;

	assert_non_null(g);
	for (i = 0; i < CTL_TRACE_INFLIGHT; i++)
		assert_non_null(ev[i] = ctl_trace_event_new(g, 7, CTL_TRACE_IN,
		    CTL_TRACE_PBX, "192.0.2.1:5060", "x", 1, 0));
	assert_null(ctl_trace_event_new(g, 7, 0, 0, "p", "x", 1, 0));
	sbc_qmsg_free(&ev[0]->hdr);
	assert_non_null(ev[0] = ctl_trace_event_new(g, 7, 0, 0, "p", "x", 1,
	    0));
	ctl_trace_gate_put(g);		/* the subscriber goes first */
	for (i = 0; i < CTL_TRACE_INFLIGHT; i++)
		sbc_qmsg_free(&ev[i]->hdr);	/* the last frees the gate */
}

static void
test_event_line(void **state)
{
	struct ctl_trace_gate	*g = ctl_trace_gate_new();
	struct ctl_trace_event	*ev;
	struct json_object	*o, *e, *v;
	char			*line;

	ev = ctl_trace_event_new(g, 1, CTL_TRACE_OUT, CTL_TRACE_BROWSER,
	    "[2001:db8::2]:443", "BYE sip:a SIP/2.0\r\n\"\\\r\n", 23, 9000);
	assert_non_null(ev);
	line = ctl_trace_event_line(ev, 3);
	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '\n');
	o = json_tokener_parse(line);
	assert_true(json_object_object_get_ex(o, "event", &e));
	assert_true(json_object_object_get_ex(e, "time", &v));
	assert_int_equal(strlen(json_object_get_string(v)), 24);
	assert_true(json_object_object_get_ex(e, "dir", &v));
	assert_string_equal(json_object_get_string(v), "out");
	assert_true(json_object_object_get_ex(e, "leg", &v));
	assert_string_equal(json_object_get_string(v), "browser");
	assert_true(json_object_object_get_ex(e, "peer", &v));
	assert_string_equal(json_object_get_string(v), "[2001:db8::2]:443");
	assert_true(json_object_object_get_ex(e, "text", &v));
	assert_string_equal(json_object_get_string(v),
	    "BYE sip:a SIP/2.0\r\n\"\\\r\n");
	assert_true(json_object_object_get_ex(e, "bytes", &v));
	assert_int_equal(json_object_get_int(v), 9000);
	assert_true(json_object_object_get_ex(e, "dropped", &v));
	assert_int_equal(json_object_get_int(v), 3);
	json_object_put(o);
	free(line);
	sbc_qmsg_free(&ev->hdr);
	ctl_trace_gate_put(g);
}

static void
test_render_trace(void **state)
{
	struct json_object	*ev;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);

	ev = json_tokener_parse("{\"time\":\"2025-01-31T12:00:00.123Z\","
	    "\"dir\":\"in\",\"leg\":\"pbx\",\"peer\":\"192.0.2.1:5060\","
	    "\"text\":\"BYE sip:a SIP/2.0\\r\\nX: \\u001b[2J\\r\\n\\r\\n\"}");
	assert_int_equal(ctl_render_trace(f, ev), 0);
	json_object_put(ev);
	ev = json_tokener_parse("{\"time\":\"t\",\"dir\":\"out\",\"leg\":"
	    "\"browser\",\"peer\":\"p\",\"text\":\"INVITE x\",\"bytes\":9000}");
	assert_int_equal(ctl_render_trace(f, ev), 0);
	json_object_put(ev);
	ev = json_tokener_parse("{\"info\":\"x\"}");
	assert_int_equal(ctl_render_trace(f, ev), 1);
	json_object_put(ev);
	fclose(f);
	assert_string_equal(buf,
	    "12:00:00.123Z in  pbx     192.0.2.1:5060\n"
	    "BYE sip:a SIP/2.0\nX: ?[2J\n\n"
	    "t out browser p\nINVITE x\n[... cut: 9000 bytes in all]\n\n");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_bytes),
		cmocka_unit_test(test_tplog),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_event_line),
		cmocka_unit_test(test_render_trace),
	};

	return cmocka_run_group_tests_name("sip_trace", tests, NULL, NULL);
}
