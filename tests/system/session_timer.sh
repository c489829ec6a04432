#!/bin/bash
# session_timer.sh: RFC 4028 session timers on the PBX leg.  The SBC runs
# in its namespace between a browser network (SIP.js in Node,
# tests/e2e/sip-client.mjs) and a PBX network (SIPp, sipp/uas_timer.xml);
# browsers do not do session timers, so the SBC does them for the call:
#   - its INVITE to the PBX offers them (Supported: timer,
#     Session-Expires: 1800, Min-SE: 90);
#   - PBX answers Session-Expires: 90;refresher=uac: the SBC is the
#     refresher and sends UPDATE about every 45 s, the PBX sees it, the
#     call goes on until the browser hangs up;
#   - PBX answers refresher=uas and never refreshes: the SBC ends the call
#     at 90 - 30 = 60 s (RFC 4028 §10) with BYE to the PBX and to the
#     browser.
# Both calls run at the same time (about 65 s in all).
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"

E2E=$top_srcdir/tests/e2e
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root for network namespaces"
	exit 0
fi
if ! command -v node >/dev/null 2>&1 || [ ! -d "$E2E/node_modules/sip.js" ]; then
	echo "1..0 # SKIP node or tests/e2e/node_modules missing (scripts/install-deps)"
	exit 0
fi
if ! netns_up 2>"$T/netns.err"; then
	echo "1..0 # SKIP cannot create network namespaces: $(head -n 1 "$T/netns.err")"
	exit 0
fi
plan 8

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "debug"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx-udp"; transport = "udp"; address = "$NS_SBC_IN_IP"; port = 5060; }
);
media = { workers = 1; outside_address = "$NS_SBC_OUT_IP"; inside_address = "$NS_SBC_IN_IP";
  timeout = 300; };
trunks = (
  { name = "we-refresh"; hosts = [ "$NS_IN_IP:5080" ]; options_interval = 0; },
  { name = "pbx-refreshes"; hosts = [ "$NS_IN_IP:5082" ]; options_interval = 0; }
);
default_trunk = "we-refresh";
routes = ( { prefix = "2"; trunk = "pbx-refreshes"; } );
policy = { anonymous_calls = true; };
CONF

netns_sbc_start -c "$T/sbc.conf"
ok $? "starts in its namespace (session_expires 1800, min_se 90)" || diag "$T/sbc.log"

# uas NAME PORT REFRESHER: the PBX for one call, in $T/NAME.
uas() {
	mkdir -p "$T/$1"
	(cd "$T/$1" && exec ip netns exec "$NS_IN" timeout 100 sipp \
	    -sf "$top_srcdir/tests/system/sipp/uas_timer.xml" -i "$NS_IN_IP" \
	    -p "$2" -m 1 -set refresher "$3" -set se 90 -timeout 95s \
	    -timeout_error -nostdin -trace_msg -trace_err >"$T/$1/sipp.out" 2>&1) &
}
messages() { cat "$T/$1"/*_messages.log 2>/dev/null | tr -d '\r'; }

uas uac 5080 uac
UAC_SIPP=$!
uas uas 5082 uas
UAS_SIPP=$!
sleep 0.5
t0=$(date +%s)
in_out timeout 90 node "$E2E/sip-client.mjs" --ws "ws://$NS_SBC_OUT_IP:8080" \
    --to sip:100@sbc.test --hangup-after 52 --timeout 80 \
    >"$T/uac/client.json" 2>"$T/uac/client.err" &
UAC_CLIENT=$!
in_out timeout 90 node "$E2E/sip-client.mjs" --ws "ws://$NS_SBC_OUT_IP:8080" \
    --to sip:200@sbc.test --expect-bye --timeout 80 \
    >"$T/uas/client.json" 2>"$T/uas/client.err" &
UAS_CLIENT=$!
wait $UAC_CLIENT
uac_rc=$?
wait $UAS_CLIENT
uas_rc=$?
t_end=$(( $(date +%s) - t0 ))
wait $UAC_SIPP
uac_sipp=$?
wait $UAS_SIPP
uas_sipp=$?

messages uac | awk '/^INVITE sip:/,/^$/' >"$T/invite.txt"
grep -qi '^Supported:.*timer' "$T/invite.txt" &&
    grep -qi '^Session-Expires: *1800' "$T/invite.txt" &&
    grep -qi '^Min-SE: *90' "$T/invite.txt"
ok $? "the INVITE to the PBX offers session timers (Supported: timer, Session-Expires: 1800, Min-SE: 90)" ||
    diag "$T/invite.txt"

# When the SBC refreshed, from its log (seconds after the call started).
since() {	# since ISO-TIME: seconds after t0
	echo $(( $(date -d "$1" +%s) - t0 ))
}
first=$(grep -m1 'session refresh (UPDATE' "$T/sbc.log" | cut -d' ' -f1)
at=$( [ -n "$first" ] && since "$first")
[ -n "$at" ] && [ "$at" -ge 40 ] && [ "$at" -le 50 ]
ok $? "refresher=uac: the SBC refreshed with UPDATE after ${at:-?} s (half of 90, ±5)" ||
    grep -n 'session\|call 1' "$T/sbc.log" | diag

messages uac | grep -q '^UPDATE sip:' &&
    messages uac | awk '/^UPDATE sip:/,/^$/' | grep -qi '^Session-Expires: *90'
ok $? "the PBX received the UPDATE with Session-Expires: 90" ||
    messages uac | grep -E '^(UPDATE|BYE|SIP/2.0)' | diag

[ $uac_rc -eq 0 ] && [ $uac_sipp -eq 0 ]
ok $? "refresher=uac: the call lasted until the browser hung up (52 s) and ended with BYE/200" ||
    { diag "$T/uac/client.json"; diag "$T/uac/sipp.out"; }

ended=$(grep -m1 'session timer expired' "$T/sbc.log" | cut -d' ' -f1)
at=$( [ -n "$ended" ] && since "$ended")
[ -n "$at" ] && [ "$at" -ge 56 ] && [ "$at" -le 64 ]
ok $? "refresher=uas without refreshes: the SBC ended the call after ${at:-?} s (90 - 30, ±4)" ||
    grep -n 'session\|call 2' "$T/sbc.log" | diag

[ $uas_rc -eq 0 ] && [ $uas_sipp -eq 0 ] && messages uas | grep -q '^BYE sip:'
ok $? "and both legs got BYE (the browser's client saw it, the PBX answered 200)" ||
    { diag "$T/uas/client.json"; diag "$T/uas/sipp.out"; }

sbc_stop
ok $? "SIGTERM: clean exit 0 (test took $t_end s)" || diag "$T/sbc.log"
