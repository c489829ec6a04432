#!/bin/bash
# browser_badfp.sh: a browser whose DTLS certificate does not match the
# a=fingerprint of its offer.  Headless Chromium runs SIP.js on the test
# page tests/e2e/browser/ with badfp=1 (phone.mjs sends a well-formed but
# wrong sha-256 fingerprint in the INVITE; Chromium keeps its own
# certificate) and calls over WS through the SBC (namespace "sbc") to the
# echo PBX in "inside" (SIPp sipp/uas_echo.xml + tests/system/echo-pbx.mjs),
# as in browser_call.sh.  The SBC's DTLS server checks the browser's
# certificate against the offer's fingerprint: the mismatch is a media
# failure of the call, which signaling ends with a BYE on both legs:
#   - the browser's call was answered, then ended by a BYE from the SBC,
#     and no media flowed (DTLS never connected or < 10 packets in);
#   - the PBX leg got a BYE;
#   - the SBC log has "call N: media failure: <fingerprint reason>" and
#     "call N: ended: media failure" for that call;
# then a normal call through the same SBC still has audio both ways (the
# failure did not break the media worker), the SBC answers OPTIONS and
# stops cleanly.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/browser_lib.sh"

browser_setup	# or SKIP: Chromium, node modules, namespaces
plan 10

# The browsers' default route points at the SBC (see browser_call.sh).
ip -n "$NS_OUT" route add default via "$NS_SBC_OUT_IP" ||
	echo "# could not add the browsers' default route"

PAGE_PORT=8090
PAGE=http://127.0.0.1:$PAGE_PORT/
ECHO_PORT=16000
PBX_PORT=5080
MIN_PACKETS=100
TALK=${BROWSER_CALL_SECONDS:-8}	# seconds of talk of the normal call

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws";  transport = "ws";  address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx-udp";      transport = "udp"; address = "$NS_SBC_IN_IP";  port = 5060; }
);
media = {
  port_min = 20000;
  port_max = 20999;
  outside_address = "$NS_SBC_OUT_IP";
  inside_address = "$NS_SBC_IN_IP";
};
trunks = (
  { name = "echo-pbx"; hosts = [ "$NS_IN_IP:$PBX_PORT" ]; transport = "udp";
    domain = "pbx.test"; options_interval = 0; }
);
default_trunk = "echo-pbx";
policy = { anonymous_calls = true; allowed_origins = [ "http://127.0.0.1:$PAGE_PORT" ]; };
CONF

browser_env

netns_sbc_start -c "$T/sbc.conf"
ok $? "SBC starts between the two networks" || diag "$T/sbc.log"

page_serve
ok $? "test page served in the browsers' namespace" || diag "$T/serve.out"

# pbx_got_bye NAME: SIPp ended its scenario (exit 0) after a BYE.
pbx_got_bye() {
	[ "$SIPP_RC" -eq 0 ] &&
		cat "$T/sipp-$1"/*_messages.log 2>/dev/null | tr -d '\r' | grep -q '^BYE sip:'
}


browser() {	# browser NAME BROWSER-CALL-ARGS...: one call, rc in BROWSER_RC
	local name=$1
	shift
	ip netns exec "$NS_OUT" timeout 80 node "$E2E/browser-call.mjs" --page "$PAGE" \
		--ws "ws://$NS_SBC_OUT_IP:8080" --to "sip:echo@pbx.test" \
		--bundle balanced --mdns off --timeout 70 "$@" \
		>"$T/browser-$name.json" 2>"$T/browser-$name.err"
	BROWSER_RC=$?
}

# 1. The wrong fingerprint.
pbx_start badfp || { echo "# badfp: echo PBX did not start"; diag "$T/sipp-badfp.out"; }
browser badfp --badfp --expect-remote-bye
pbx_stop badfp
after=$(sed -n 's/.*"remoteBye":{"afterMs":\([0-9]*\).*/\1/p' "$T/browser-badfp.json")
ok $BROWSER_RC "wrong fingerprint: the browser's call was answered, then ended by a BYE from the SBC ${after:-?} ms later, no media" ||
	{ diag "$T/browser-badfp.json"; diag "$T/browser-badfp.err"; }
pbx_got_bye badfp
ok $? "wrong fingerprint: the PBX leg ended with BYE" ||
	{ diag "$T/sipp-badfp.out"; cat "$T/sipp-badfp"/*_errors.log 2>/dev/null | diag; }

# The SBC's account of it: which call, why, and that it was ended for it.
line=$(grep -E 'call [0-9]+: media failure: .*fingerprint' "$T/sbc.log" | head -n 1)
callno=$(echo "$line" | sed -n 's/.*call \([0-9]*\): media failure:.*/\1/p')
[ -n "$callno" ] && grep -q "call $callno: ended: media failure" "$T/sbc.log"
ok $? "wrong fingerprint: the SBC logged '${line#*notice: }' and ended call ${callno:-?} for it" ||
	{ echo "# SBC log lines about calls, media, DTLS:"
	  grep -iE 'call [0-9]+|media|dtls|session' "$T/sbc.log" | diag; }

# 2. A normal call in the same SBC afterwards.
pbx_start good || { echo "# good: echo PBX did not start"; diag "$T/sipp-good.out"; }
browser good --seconds "$TALK" --min-packets $MIN_PACKETS
pbx_stop good
ok $BROWSER_RC "then a normal call: answered, dtlsState connected, > $MIN_PACKETS packets received, BYE 200" ||
	{ diag "$T/browser-good.json"; diag "$T/browser-good.err"; }
got=$(echo_rtp good)
[ "${got:-0}" -gt $MIN_PACKETS ]
ok $? "then a normal call: the PBX received ${got:-0} plain RTP packets (> $MIN_PACKETS)" ||
	diag "$T/echo-good.json"
pbx_got_bye good
ok $? "then a normal call: the PBX leg ended with BYE" ||
	{ diag "$T/sipp-good.out"; cat "$T/sipp-good"/*_errors.log 2>/dev/null | diag; }

# OPTIONS from the PBX side after the calls.
rm -rf "$T/sipp" && mkdir -p "$T/sipp"
(cd "$T/sipp" && ip netns exec "$NS_IN" timeout 20 sipp \
	-sf "$top_srcdir/tests/system/sipp/options.xml" -m 1 -i "$NS_IN_IP" -p 15190 \
	-timeout 10s -timeout_error -nostdin -trace_msg -trace_err \
	"$NS_SBC_IN_IP:5060" >"$T/sipp.out" 2>&1) && sipp_saw '^Server: sbc$'
ok $? "the SBC still answers OPTIONS after the calls" || diag "$T/sipp.out"

kill -TERM "$SERVE_PID" 2>/dev/null
sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
