#!/bin/bash
# browser_incoming.sh: a call from the PBX to a registered browser.
# Headless Chromium runs SIP.js on the test page tests/e2e/browser/ in the
# "outside" namespace (tests/e2e/browser-call.mjs --incoming: register=1,
# autoanswer=1) and registers alice@sbc.test over WS with the SBC's local
# registrar (namespace "sbc").  The PBX in "inside" then calls her: SIPp
# (sipp/uac_echo.xml) sends INVITE sip:alice@sbc.test with a plain RTP
# offer to the SBC's UDP listener, tests/system/echo-pbx.mjs echoes the
# RTP.  The SBC offers WebRTC to the browser over its WebSocket, the
# browser answers at once, they talk, SIPp hangs up:
#   - SIPp's call succeeded (200 with RTP/AVP SDP at the SBC's inside
#     address, ACK, BYE -> 200);
#   - the browser got a WebRTC offer (UDP/TLS/RTP/SAVPF, ICE-lite,
#     a=setup:actpass, rtcp-mux);
#   - the echo PBX received > 100 RTP packets from the SBC;
#   - the browser's stats show dtlsState connected and packetsReceived
#     > 100, and it saw the SBC's BYE;
# then calls to sip:nobody@sbc.test (unknown user) get 404 and to
# sip:bob@sbc.test (a user, never registered) 480; the SBC still answers
# OPTIONS and stops cleanly.
# BROWSER_CALL_SIGNALING_ONLY=1 judges the browser on signaling only
# (answer + BYE received), for when media is being debugged.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/browser_lib.sh"

browser_setup	# or SKIP: Chromium, node modules, namespaces
plan 13

# The browsers' default route points at the SBC (see browser_call.sh).
ip -n "$NS_OUT" route add default via "$NS_SBC_OUT_IP" ||
	echo "# could not add the browsers' default route"

PAGE_PORT=8090
PAGE=http://127.0.0.1:$PAGE_PORT/
ECHO_PORT=16000
PBX_PORT=5080
MIN_PACKETS=100
TALK=${BROWSER_CALL_SECONDS:-8}	# seconds of talk: 50 packets/s each way

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
domains = ( { name = "sbc.test"; registrar = "local"; } );
users = (
  { name = "alice"; domain = "sbc.test"; password = "secret"; },
  { name = "bob";   domain = "sbc.test"; password = "bob-secret"; }
);
policy = { anonymous_calls = true; allowed_origins = [ "http://127.0.0.1:$PAGE_PORT" ]; };
CONF

browser_env

netns_sbc_start -c "$T/sbc.conf"
ok $? "SBC starts between the two networks, domain sbc.test (local registrar)" ||
	diag "$T/sbc.log"

page_serve
ok $? "test page served in the browsers' namespace" || diag "$T/serve.out"

# sipp_in NAME SCENARIO ARGS...: one SIPp UAC call from the PBX's address
# (the trunk's host and port) to the SBC's UDP listener, in $T/sipp-NAME;
# its exit status.
sipp_in() {
	local name=$1 sf=$2
	shift 2
	rm -rf "$T/sipp-$name" && mkdir -p "$T/sipp-$name"
	(cd "$T/sipp-$name" && exec ip netns exec "$NS_IN" timeout 45 sipp \
		-sf "$sf" -i "$NS_IN_IP" -p $PBX_PORT -m 1 \
		-timeout 35s -timeout_error -nostdin -trace_msg -trace_err \
		"$@" "$NS_SBC_IN_IP:5060" >"$T/sipp-$name.out" 2>&1)
}

# sipp_log NAME: that call's SIP messages, CR removed.
sipp_log() {
	cat "$T/sipp-$1"/*_messages.log 2>/dev/null | tr -d '\r'
}

# sipp_diag NAME: SIPp's output and errors, the SBC's last log lines.
sipp_diag() {
	diag "$T/sipp-$1.out"
	cat "$T/sipp-$1"/*_errors.log 2>/dev/null | diag
	echo "# SBC log:"
	diag "$T/sbc.log"
}

# json FILE EXPR: EXPR (JavaScript, on the object r) of a JSON line.
json() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const v = (0, eval)("(r) => " + process.argv[2])(r);
		if (v !== undefined && v !== null) console.log(v);' "$1" "$2" 2>/dev/null
}

fds_before=$(ls "/proc/$SBC_PID/fd" 2>/dev/null | wc -l)

# (a) The browser registers alice and waits for a call (bounded: 50 s).
rm -f "$T/echo.json" "$T/ready"
ip netns exec "$NS_IN" node "$top_srcdir/tests/system/echo-pbx.mjs" \
	--host "$NS_IN_IP" --port $ECHO_PORT --out "$T/echo.json" \
	--lifetime 90 >"$T/echo.out" 2>&1 &
ECHO_PID=$!
extra=
[ "${BROWSER_CALL_SIGNALING_ONLY:-0}" = 1 ] && extra=--signaling-only
ip netns exec "$NS_OUT" timeout 80 node "$E2E/browser-call.mjs" --page "$PAGE" \
	--ws "ws://$NS_SBC_OUT_IP:8080" --incoming --user alice --pass secret \
	--domain sbc.test --ready-file "$T/ready" --bundle balanced --mdns off \
	--timeout 70 --min-packets $MIN_PACKETS $extra \
	>"$T/browser.json" 2>"$T/browser.err" &
BROWSER_PID=$!
t0=$SECONDS
i=0
while [ ! -s "$T/ready" ] && kill -0 "$BROWSER_PID" 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/ready" ]
ok $? "Chromium registered alice@sbc.test over WS (in $((SECONDS - t0)) s)" ||
	{ diag "$T/browser.err"; diag "$T/browser.json"; echo "# SBC log:"; diag "$T/sbc.log"; }

# (b) The PBX calls alice, talks for $TALK s, hangs up.
sipp_in call "$top_srcdir/tests/system/sipp/uac_echo.xml" -s alice \
	-set domain sbc.test -set echo_port $ECHO_PORT -d $((TALK * 1000))
SIPP_RC=$?
wait "$BROWSER_PID"
BROWSER_RC=$?
kill -TERM "$ECHO_PID" 2>/dev/null
wait "$ECHO_PID" 2>/dev/null

[ $SIPP_RC -eq 0 ] && sipp_log call | grep -q '^SIP/2.0 200' &&
	sipp_log call | grep -q '^BYE sip:'
ok $? "PBX -> sip:alice@sbc.test: SIPp's call succeeded (200, ACK, BYE -> 200)" ||
	sipp_diag call

# The 200's SDP: plain RTP at the SBC's inside address (ours is at NS_IN_IP).
sipp_log call | grep -q "^c=IN IP4 $NS_SBC_IN_IP\$" &&
	[ "$(sipp_log call | grep -c '^m=audio [0-9]* RTP/AVP ')" -ge 2 ]
ok $? "the 200 OK's SDP is RTP/AVP at the SBC's inside address $NS_SBC_IN_IP" ||
	{ sipp_log call | grep -E '^(SIP/2.0|[A-Z]+ sip:|c=|m=)' | diag; }

offer=$(json "$T/browser.json" 'r.incoming && r.incoming.offer')
echo "$offer" | grep -q '^m=audio [0-9]* UDP/TLS/RTP/SAVPF ' &&
	echo "$offer" | grep -q '^a=ice-lite' &&
	echo "$offer" | grep -q '^a=setup:actpass' &&
	echo "$offer" | grep -q '^a=rtcp-mux' &&
	echo "$offer" | grep -q '^a=fingerprint:'
ok $? "the browser got a WebRTC offer (UDP/TLS/RTP/SAVPF, ice-lite, setup:actpass, rtcp-mux)" ||
	{ echo "# offer the browser got:"; echo "$offer" | tr -d '\r' | awk '{ print "# " $0 }'; }

got=$(sed -n 's/.*"rtp":\([0-9]*\).*/\1/p' "$T/echo.json" 2>/dev/null)
[ "${got:-0}" -gt $MIN_PACKETS ]
ok $? "the echo PBX received ${got:-0} plain RTP packets from the SBC (> $MIN_PACKETS)" ||
	diag "$T/echo.json"

ok $BROWSER_RC "the browser answered, dtlsState connected, > $MIN_PACKETS packets received, BYE from the SBC ($(json "$T/browser.json" 'r.stats && r.stats.mediaSeen && r.stats.mediaSeen.packetsReceived') packets)" ||
	{ diag "$T/browser.json"; diag "$T/browser.err"; echo "# SBC log:"; diag "$T/sbc.log"; }

# (c) No binding: unknown user 404, known but unregistered user 480.
uac_status 404
uac_status 480
sipp_in nobody "$T/uac_404.xml" -s nobody -set domain sbc.test
ok $? "PBX -> sip:nobody@sbc.test (no such user): 404" ||
	{ sipp_log nobody | grep '^SIP/2.0' | diag; sipp_diag nobody; }
sipp_in bob "$T/uac_480.xml" -s bob -set domain sbc.test
ok $? "PBX -> sip:bob@sbc.test (a user, not registered): 480" ||
	{ sipp_log bob | grep '^SIP/2.0' | diag; sipp_diag bob; }

# (d) Every session's sockets are closed once its call is over.
sleep 1
fds_after=$(ls "/proc/$SBC_PID/fd" 2>/dev/null | wc -l)
[ "$fds_before" -gt 0 ] && [ "$fds_after" -eq "$fds_before" ]
ok $? "no socket left open after the calls ($fds_before fds before, $fds_after after)"

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
