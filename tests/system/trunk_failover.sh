#!/bin/bash
# trunk_failover.sh: OPTIONS health checks and host failover of a trunk
# with two hosts (signaling/trunk.c, docs/trunks.md).  The daemon runs in
# its own network namespace between a browser network (SIP.js over ws,
# tests/e2e/sip-client.mjs) and a PBX network where two SIPp hosts of one
# trunk answer OPTIONS and calls (A on 10.201.2.2:5081, B on :5082);
# OPTIONS every second, a host down after 2 failures.
#   1. both up: a call goes to A, the first host
#   2. A stops: OPTIONS mark it down; the next call goes to B directly
#   3. A comes back (answering OPTIONS, but 503 to INVITEs): marked up
#      again; a call tries A, gets 503 and is retried on B: answered
#   4. both stop: the trunk is down (log and sbcctl); a call gets 503
#      with Retry-After at once, never reaching a host
#   5. B comes back: the trunk is up again
# Counters (calls, failed) and SIGTERM.  About 40 s.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/trunk_lib.sh"

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
plan 15

ORIGIN=https://app.sbc.test
WS=ws://$NS_SBC_OUT_IP:8080
A=$NS_IN_IP:5081
B=$NS_IN_IP:5082

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers"; transport = "ws"; address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx"; transport = "udp"; address = "$NS_SBC_IN_IP"; port = 5060; }
);
media = { workers = 1; outside_address = "$NS_SBC_OUT_IP"; inside_address = "$NS_SBC_IN_IP"; };
trunks = (
  { name = "pbx"; hosts = [ "$A", "$B" ]; transport = "udp"; domain = "pbx.test";
    options_interval = 1; options_failures = 2; },
  { name = "viaproxy"; hosts = [ "$NS_IN_IP:5099" ]; transport = "udp"; domain = "far.test";
    outbound_proxy = "$B"; options_interval = 0; }
);
default_trunk = "pbx";
routes = ( { prefix = "7"; trunk = "viaproxy"; } );
policy = { anonymous_calls = true; allowed_origins = [ "$ORIGIN" ]; };
cli = { socket = "$T/sbcctl.sock"; };
CONF

host_a() { uas a 5081 uas_trunk_pbx.xml -mp 16000 "$@" && PID_A=$UAS_PID; }
host_b() { uas b 5082 uas_trunk_pbx.xml -mp 16100 "$@" && PID_B=$UAS_PID; }

# invites NAME: INVITEs the host NAME got (first copies).
invites() {
	received "$1" | awk '/^INVITE / { inv = 1 } inv && /^Call-ID:/ { if (!seen[$2]++) n++; inv = 0 }
	    END { print n + 0 }'
}

# call CASE ARGS...: one browser call; its JSON line in $T/CASE.json.
call() {
	local name=$1
	shift
	in_out timeout 30 node "$E2E/sip-client.mjs" --ws "$WS" --origin "$ORIGIN" \
	    --to sip:1000@sbc.test --timeout 20 "$@" >"$T/$name.json" 2>"$T/$name.err"
}

why() {
	echo "# --- client:"; diag "$T/$1.json" "$T/$1.err"
	echo "# --- sbcctl:"; ctl show trunks 2>&1 | sed 's/^/# /'
	echo "# --- sbc:"; grep -v sofia "$T/sbc.log" | tail -n 12 | sed 's/^/# /'
}

host_a && host_b || echo "# a SIPp host did not start"
netns_sbc_start -c "$T/sbc.conf"
ok $? "starts with a trunk of two hosts, OPTIONS every second" ||
	{ diag "$T/sbc.log"; echo "Bail out! the daemon did not start"; exit 1; }

# ------------------------------------------------------------ 1. both up
# (hosts_up 2/2 is the SBC's count of hosts whose OPTIONS got a 200; the
# SIPp message logs are flushed too late to be read here)
until_ok 20 field_is pbx hosts_up 2/2 && field_is pbx state up &&
	field_is pbx host "$A"
ok $? "both hosts answer OPTIONS: state up, host in use $A" || why none

call first --hangup-after 1 && [ "$(invites a)" -eq 1 ] && [ "$(invites b)" -eq 0 ]
ok $? "a call goes to the first host (A)" || why first

# ------------------------------------------------------------ 2. A stops
uas_stop "$PID_A"
t0=$(date +%s.%N)
until_ok 10 grep -qF "trunk 'pbx': host $A marked down after 2 failures" "$T/sbc.log" &&
	field_is pbx host "$B" && field_is pbx hosts_up 1/2 && field_is pbx state up
ok $? "A stopped: marked down after 2 failed OPTIONS ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s); B in use, the trunk still up" ||
	why none

call second --hangup-after 1 && [ "$(invites b)" -eq 1 ] && [ "$(invites a)" -eq 1 ]
ok $? "the next call goes to B directly" || why second

# ------------------------------------------------------------ 3. A back, 503s
host_a -set fail 503
until_ok 10 grep -qF "trunk 'pbx': host $A is up again" "$T/sbc.log" &&
	until_ok 5 field_is pbx host "$A" && field_is pbx hosts_up 2/2
ok $? "A back: its OPTIONS answered, marked up again and in use" || why none

call third --hangup-after 1 && [ "$(invites a)" -eq 2 ] && [ "$(invites b)" -eq 2 ] &&
	sent a | grep -q '^SIP/2.0 503' &&
	grep -qF "trunk 'pbx' host $A: 503; trying $B" "$T/sbc.log"
ok $? "A answers the INVITE 503: retried on B, the browser's call answered" || why third

# ------------------------------------------------------------ 4. all down
uas_stop "$PID_A"
uas_stop "$PID_B"
until_ok 10 field_is pbx state down &&
	grep -qF "trunk 'pbx': up → down: OPTIONS to " "$T/sbc.log" && field_is pbx host -
ok $? "both stopped: the trunk is down (logged, sbcctl: state down, no host)" || why none

: >"$T/fourth.capture"
call fourth --expect-status 503 --capture "$T/fourth.capture" &&
	tr -d '\r' <"$T/fourth.capture" | grep -q '^Retry-After: 1$' &&
	[ "$(invites a)" -eq 2 ] && [ "$(invites b)" -eq 2 ]
ok $? "a call to the down trunk gets 503 with Retry-After at once, reaching no host" ||
	{ why fourth; diag "$T/fourth.capture"; }

field_is pbx calls_total 4 && field_is pbx calls_failed 1 && field_is pbx calls 0
ok $? "counters: 4 calls, 1 failed, none up" || why none

# ------------------------------------------------------------ 5. B back
host_b
until_ok 10 field_is pbx state up && field_is pbx host "$B" &&
	grep -qF "trunk 'pbx': down → up" "$T/sbc.log"
ok $? "B back: the trunk is up again, B in use" || why none

call fifth --hangup-after 1 && [ "$(invites b)" -eq 3 ]
ok $? "calls go through again" || why fifth

# a trunk with outbound_proxy = B: its call is sent to B, for its own host
call sixth --to sip:7000@sbc.test --hangup-after 1 && [ "$(invites b)" -eq 4 ] &&
	received b | grep -q "^INVITE sip:7000@$NS_IN_IP:5099 SIP/2.0"
ok $? "outbound_proxy: the call to trunk viaproxy ($NS_IN_IP:5099) goes through B" || why sixth

kill -0 "$SBC_PID"
ok $? "the daemon runs on" || diag "$T/sbc.log"

sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
uas_stop_all
