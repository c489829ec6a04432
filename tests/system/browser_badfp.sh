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

E2E=$top_srcdir/tests/e2e
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
for need in node sipp ss; do
	command -v $need >/dev/null 2>&1 || { echo "1..0 # SKIP no $need"; exit 0; }
done
[ -x "$CHROMIUM" ] || { echo "1..0 # SKIP no $CHROMIUM"; exit 0; }
[ -d "$E2E/node_modules/playwright-core" ] && [ -d "$E2E/node_modules/sip.js" ] ||
	{ echo "1..0 # SKIP no playwright-core/sip.js in tests/e2e/node_modules (npm ci)"; exit 0; }
browser_lock
netns_up || { echo "1..0 # SKIP no network namespaces"; exit 0; }
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
policy = { allowed_origins = [ "http://127.0.0.1:$PAGE_PORT" ]; };
CONF

# Chromium and Playwright want a writable home and temporary directory.
mkdir -p "$T/home" "$T/tmp"
export HOME=$T/home TMPDIR=$T/tmp XDG_CONFIG_HOME=$T/home/.config XDG_CACHE_HOME=$T/home/.cache

netns_sbc_start -c "$T/sbc.conf"
ok $? "SBC starts between the two networks" || diag "$T/sbc.log"

ip netns exec "$NS_OUT" node "$E2E/serve.mjs" --host 127.0.0.1 --port $PAGE_PORT \
	--lifetime 300 >"$T/serve.out" 2>&1 &
SERVE_PID=$!
wait_file_text() {	# wait_file_text FILE TEXT SECONDS
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
wait_file_text "$T/serve.out" "serving" 10
ok $? "test page served in the browsers' namespace" || diag "$T/serve.out"

# pbx_start NAME: echo responder + SIPp UAS for one call, in NS_IN.
pbx_start() {
	rm -f "$T/echo-$1.json"
	ip netns exec "$NS_IN" node "$top_srcdir/tests/system/echo-pbx.mjs" \
		--host "$NS_IN_IP" --port $ECHO_PORT --out "$T/echo-$1.json" \
		--lifetime 90 >"$T/echo-$1.out" 2>&1 &
	ECHO_PID=$!
	rm -rf "$T/sipp-$1" && mkdir -p "$T/sipp-$1"
	(cd "$T/sipp-$1" && exec ip netns exec "$NS_IN" timeout 60 sipp \
		-sf "$top_srcdir/tests/system/sipp/uas_echo.xml" \
		-i "$NS_IN_IP" -p $PBX_PORT -m 1 -set echo_port $ECHO_PORT \
		-timeout 55s -timeout_error -nostdin -trace_msg -trace_err \
		>"$T/sipp-$1.out" 2>&1) &
	SIPP_PID=$!
	local i
	for i in $(seq 1 50); do
		[ -s "$T/echo-$1.json" ] &&
			ip netns exec "$NS_IN" ss -Hlun "sport = :$PBX_PORT" | grep -q . &&
			return 0
		sleep 0.1
	done
	return 1
}

# pbx_stop NAME: wait up to 10 s for SIPp to end its call (after the BYE),
# then stop the echo responder.  SIPP_RC: SIPp's exit status.
pbx_stop() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$SIPP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$SIPP_PID" 2>/dev/null
	wait "$SIPP_PID"
	SIPP_RC=$?
	kill -TERM "$ECHO_PID" 2>/dev/null
	wait "$ECHO_PID" 2>/dev/null
}

# pbx_got_bye NAME: SIPp ended its scenario (exit 0) after a BYE.
pbx_got_bye() {
	[ "$SIPP_RC" -eq 0 ] &&
		cat "$T/sipp-$1"/*_messages.log 2>/dev/null | tr -d '\r' | grep -q '^BYE sip:'
}

echo_rtp() {	# echo_rtp NAME: RTP packets the echo PBX received
	sed -n 's/.*"rtp":\([0-9]*\).*/\1/p' "$T/echo-$1.json" 2>/dev/null
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
