#!/bin/bash
# browser_call.sh: media end to end with a real browser.  Headless Chromium
# (fake microphone) runs SIP.js on the test page tests/e2e/browser/ in the
# "outside" namespace and calls over WS/WSS through the SBC (namespace
# "sbc") to a PBX in the "inside" namespace: SIPp (sipp/uas_echo.xml)
# answers, tests/system/echo-pbx.mjs echoes the plain RTP.  For each call:
# the browser's getStats() shows the transport dtlsState "connected" and
# inbound-rtp audio packetsReceived > 100, the PBX got > 100 RTP packets,
# the browser's BYE got 200 and the PBX saw the BYE.  Calls:
#   1. WS,  bundlePolicy balanced,   real host candidates (mDNS off)
#   2. WSS, bundlePolicy max-bundle, real host candidates
#   3. WS,  balanced, mDNS on (Chromium may offer only .local candidates:
#      the SBC's ICE-lite then learns the browser's address from STUN)
# then the SBC still answers OPTIONS and stops cleanly.
# BROWSER_CALL_SIGNALING_ONLY=1 judges the browser on signaling only
# (answer + BYE), for when media is being debugged.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/browser_lib.sh"

browser_setup	# or SKIP: Chromium, node modules, namespaces
plan 16

# The browsers' default route points at the SBC, as a real client's would.
# Without a microphone permission (the mDNS call) Chromium gathers only on
# the interface of the default route, and with none offers no candidate at
# all.  Nothing is forwarded: the SBC's namespace has ip_forward off.
ip -n "$NS_OUT" route add default via "$NS_SBC_OUT_IP" ||
	echo "# could not add the browsers' default route"

PAGE_PORT=8090
PAGE=http://127.0.0.1:$PAGE_PORT/
ECHO_PORT=16000
PBX_PORT=5080
MIN_PACKETS=100
TALK=${BROWSER_CALL_SECONDS:-8}	# seconds of talk: 50 packets/s each way

# BROWSER_CALL_SHARED_PORT=default: media.browser_port unset, so each
# worker's browser port is one of the range's first (20000, 20001 ...).
case ${BROWSER_CALL_SHARED_PORT:-0} in
default) BROWSER_PORT_LINE="# browser_port: the default" ;;
*)       BROWSER_PORT_LINE="browser_port = ${BROWSER_CALL_SHARED_PORT:-0};" ;;
esac

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws";  transport = "ws";  address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "browsers-wss"; transport = "wss"; address = "$NS_SBC_OUT_IP"; port = 8443; },
  { name = "pbx-udp";      transport = "udp"; address = "$NS_SBC_IN_IP";  port = 5060; }
);
media = {
  port_min = 20000;
  port_max = 20999;
  $BROWSER_PORT_LINE
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

# The browser side's UDP ports: the workers' shared ones at the start of
# the range, or none until a call (a port per stream).
ip netns exec "$NS_SBC" ss -Hulnp >"$T/udp" 2>&1
bound=$(grep -c "$NS_SBC_OUT_IP:20000 " "$T/udp")
if [ "${BROWSER_CALL_SHARED_PORT:-0}" = default ]; then
	[ "$bound" = 1 ]
	ok $? "the browser media port is the range's first, $NS_SBC_OUT_IP:20000, bound at start" ||
		diag "$T/udp"
else
	[ "$bound" = 0 ]
	ok $? "no browser media port bound before a call (a port per stream)" ||
		diag "$T/udp"
fi

page_serve
ok $? "test page served in the browsers' namespace" || diag "$T/serve.out"

# call NAME DESCRIPTION BROWSER-CALL-ARGS...: one call, three checks.
call() {
	local name=$1 what=$2 rc got extra=
	shift 2
	[ "${BROWSER_CALL_SIGNALING_ONLY:-0}" = 1 ] && extra=--signaling-only
	pbx_start "$name" || { echo "# $name: echo PBX did not start"; diag "$T/sipp-$name.out"; }
	if [ "$name" = ws ]; then	# hostile datagrams while this call runs
		(sleep 3; ip netns exec "$NS_OUT" timeout 20 node "$E2E/media-probe.mjs" \
		    --host "$NS_SBC_OUT_IP" --from 20000 --to 21001 --seconds 4 \
		    >"$T/probe.json" 2>&1; echo $? >"$T/probe.rc") &
		PROBE_PID=$!
	fi
	ip netns exec "$NS_OUT" timeout 80 node "$E2E/browser-call.mjs" --page "$PAGE" \
		--to "sip:echo@pbx.test" --seconds "$TALK" --timeout 70 \
		--min-packets $MIN_PACKETS $extra "$@" \
		>"$T/browser-$name.json" 2>"$T/browser-$name.err"
	rc=$?
	[ "$name" = ws ] && wait "$PROBE_PID"
	pbx_stop "$name"
	ok $rc "$what: browser answered, dtlsState connected, > $MIN_PACKETS packets received, BYE 200" ||
		{ diag "$T/browser-$name.json"; diag "$T/browser-$name.err"; }
	got=$(echo_rtp "$name")
	[ "${got:-0}" -gt $MIN_PACKETS ]
	ok $? "$what: the PBX received ${got:-0} plain RTP packets (> $MIN_PACKETS)" ||
		diag "$T/echo-$name.json"
	[ "$SIPP_RC" -eq 0 ] &&
		cat "$T/sipp-$name"/*_messages.log 2>/dev/null | tr -d '\r' | grep -q '^BYE sip:'
	ok $? "$what: the PBX leg ended with BYE" ||
		{ diag "$T/sipp-$name.out"; cat "$T/sipp-$name"/*_errors.log 2>/dev/null | diag; }
}

fds_before=$(ls "/proc/$SBC_PID/fd" 2>/dev/null | wc -l)

call ws "WS, balanced, host candidates" \
	--ws "ws://$NS_SBC_OUT_IP:8080" --bundle balanced --mdns off
[ "$(cat "$T/probe.rc" 2>/dev/null)" = 0 ] && grep -q '"sent":[1-9]' "$T/probe.json"
ok $? "garbage, stray RTP and wrong-credential STUN during the WS call: no STUN success, call unaffected" ||
	diag "$T/probe.json"

call wss "WSS, max-bundle, host candidates" \
	--ws "wss://$NS_SBC_OUT_IP:8443" --bundle max-bundle --mdns off
call mdns "WS, balanced, mDNS candidates" \
	--ws "ws://$NS_SBC_OUT_IP:8080" --bundle balanced --mdns on

# Every session's sockets are closed once its call is over.
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
