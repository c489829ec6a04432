#!/bin/bash
# fork.sh: a call from the PBX forked to every registered device of the
# user (signaling/b2b_fork.c).  The SBC runs in its own namespace between
# the devices (namespace "outside": SIP.js "devices" in Node,
# tests/e2e/sip-device.mjs, each registering alice@sbc.test over its own
# WebSocket with its own +sip.instance, reg-id 1) and the PBX (namespace
# "inside": SIPp UAC scenarios calling sip:alice@sbc.test over UDP).
# alice has max_registrations = 3.  Each case has fresh devices:
#   a. A rings, B answers after 2 s, C rings: the PBX gets 200 (RTP/AVP at
#      the SBC), A and C get CANCEL, B gets the PBX's BYE 2 s later; each
#      device got its own WebRTC offer (its own ICE credentials); while
#      they ring `sbcctl show calls` lists one call per device; the log
#      shows one call answered and the others ended "answered on another
#      device";
#   b. A (the most recent binding, whose call holds the PBX leg) refuses
#      486, B answers after 2 s: the call is B's, the 486 never reaches
#      the PBX;
#   c. both refuse (486 and 603), in either order (the device holding the
#      PBX leg first, then last): the PBX gets 480;
#   d. both ring, the PBX cancels after 2 s: CANCEL -> 200, 487, and both
#      devices get CANCEL;
#   x. the WebSocket of the device whose call holds the PBX leg closes
#      while it rings (a tab closed): the PBX leg moves to another ringing
#      device (b2b_fork.c fork_hand_over), which answers;
#   e. afterwards no call is left (`sbcctl show calls`), the log has no
#      error, the daemon has as many descriptors open as before the calls
#      (media sockets released), still answers OPTIONS and stops cleanly.
# Every process is bounded by a timeout.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"

E2E=$top_srcdir/tests/e2e
SIPP_DIR=$top_srcdir/tests/system/sipp
CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root for network namespaces"
	exit 0
fi
for need in node sipp; do
	command -v $need >/dev/null 2>&1 || { echo "1..0 # SKIP no $need"; exit 0; }
done
if [ ! -d "$E2E/node_modules/sip.js" ]; then
	echo "1..0 # SKIP tests/e2e/node_modules missing (scripts/install-deps)"
	exit 0
fi
if ! netns_up 2>"$T/netns.err"; then
	echo "1..0 # SKIP cannot create network namespaces: $(head -n 1 "$T/netns.err")"
	exit 0
fi
plan 30

WS=ws://$NS_SBC_OUT_IP:8080
PBX_PORT=5080
ECHO_PORT=16000		# nobody listens: no media in these calls
UUID=urn:uuid:9d3c2a10-5f4e-4b7a-8c21-0000000000

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws";  address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx-udp";     transport = "udp"; address = "$NS_SBC_IN_IP";  port = 5060; }
);
media = {
  workers = 1;
  port_min = 20000;
  port_max = 20999;
  outside_address = "$NS_SBC_OUT_IP";
  inside_address = "$NS_SBC_IN_IP";
};
trunks = (
  { name = "pbx"; hosts = [ "$NS_IN_IP:$PBX_PORT" ]; transport = "udp";
    domain = "pbx.test"; options_interval = 0; }
);
default_trunk = "pbx";
domains = ( { name = "sbc.test"; registrar = "local"; } );
users = (
  { name = "alice"; domain = "sbc.test"; password = "secret"; max_registrations = 3; }
);
cli = { socket = "$T/ctl.sock"; };
CONF

netns_sbc_start -c "$T/sbc.conf"
ok $? "SBC starts between the devices and the PBX (domain sbc.test, alice: 3 devices)" ||
	diag "$T/sbc.log"

# ------------------------------------------------------------ helpers
CASE=
declare -A DEV_PID
LOG_MARK=0

# case_begin NAME: a directory for the case; its part of the SBC log
# starts here.
case_begin() {
	CASE=$1
	rm -rf "${T:?}/$CASE" && mkdir -p "$T/$CASE"
	LOG_MARK=$(wc -l <"$T/sbc.log")
	DEV_PID=()
}

# case_log: the SBC's log lines since case_begin.
case_log() {
	tail -n +$((LOG_MARK + 1)) "$T/sbc.log"
}

# dev NAME N ARGS...: device NAME (instance N) registers alice and waits
# for a call (sip-device.mjs ARGS); 0 once registered (within 10 s).
# Registered one after the other, so the last one is the most recent
# binding: its call is the one holding the PBX leg.
dev() {
	local name=$1 inst=$2 i
	shift 2
	ip netns exec "$NS_OUT" timeout 40 node "$E2E/sip-device.mjs" \
	    --ws "$WS" --user alice --pass secret --domain sbc.test \
	    --instance "$UUID$inst" --name "$name" --timeout 25 \
	    --ready-file "$T/$CASE/$name.ready" --trace "$T/$CASE/$name.trace" \
	    "$@" >"$T/$CASE/$name.json" 2>"$T/$CASE/$name.err" &
	DEV_PID[$name]=$!
	for i in $(seq 1 100); do
		[ -s "$T/$CASE/$name.ready" ] && return 0
		kill -0 "${DEV_PID[$name]}" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# dev_wait NAME: the device's exit status (0: its expectation met).
dev_wait() {
	wait "${DEV_PID[$1]}"
}

# devs_wait NAME...: 0 when every device met its expectation.
devs_wait() {
	local d rc=0
	for d in "$@"; do
		dev_wait "$d" || rc=1
	done
	return $rc
}

# json NAME EXPR: EXPR (JavaScript, on the object r) of device NAME's
# JSON line, printed unless null/undefined; exit 1 if false/absent.
json() {
	node -e 'const fs = require("fs");
		let r;
		try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); }
		catch (e) { process.exit(1); }
		const v = (0, eval)("(r) => " + process.argv[2])(r);
		if (v === undefined || v === null || v === false) process.exit(1);
		if (v !== true) console.log(v);' "$T/$CASE/$1.json" "$2" 2>/dev/null
}

# invited N SECONDS: N devices of the case have the INVITE (traces).
invited() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(cat "$T/$CASE"/*.trace 2>/dev/null | grep -c '^INVITE sip:')" -ge "$1" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# sipp_in SCENARIO ARGS...: one SIPp UAC call from the PBX's address to the
# SBC's UDP listener, in $T/$CASE/sipp; its exit status.
sipp_in() {
	local sf=$1
	shift
	mkdir -p "$T/$CASE/sipp"
	(cd "$T/$CASE/sipp" && exec ip netns exec "$NS_IN" timeout 30 sipp \
		-sf "$sf" -i "$NS_IN_IP" -p $PBX_PORT -m 1 \
		-timeout 25s -timeout_error -nostdin -trace_msg -trace_err \
		"$@" "$NS_SBC_IN_IP:5060" >"$T/$CASE/sipp.out" 2>&1)
}

# sipp_log: the case's SIP messages at the PBX, CR removed.
sipp_log() {
	cat "$T/$CASE"/sipp/*_messages.log 2>/dev/null | tr -d '\r'
}

# why NAME...: the devices' results, SIPp's view, the SBC's log of the case.
why() {
	local d
	for d in "$@"; do
		echo "# --- device $d:"
		diag "$T/$CASE/$d.json" "$T/$CASE/$d.err" | cut -c 1-400
	done
	echo "# --- SIPp (first lines of each message):"
	sipp_log | grep -E '^(SIP/2.0 |[A-Z]+ sip:)' | diag
	cat "$T/$CASE"/sipp/*_errors.log 2>/dev/null | diag | tail -n 8
	echo "# --- SBC:"
	case_log | diag
}

# calls_now: the calls the SBC has, one JSON array (sbcctl show calls).
calls_now() {
	"$CTL" -s "$T/ctl.sock" --json show calls 2>&1
}

# ufrag NAME: the a=ice-ufrag of the offer device NAME got.
ufrag() {
	json "$1" 'r.offer' | tr -d '\r' | sed -n 's/^a=ice-ufrag://p'
}

uac_status 480

# The PBX gives up: INVITE, 180, a pause (-d MS), CANCEL -> 200, 487, ACK.
cat >"$T/uac_cancel.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac_fork_cancel">
  <Global variables="domain"/>
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[$domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[service]@[$domain]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:pbx@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=pbx 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180"/>
  <pause/>
  <send retrans="500">
    <![CDATA[

      CANCEL sip:[service]@[$domain] SIP/2.0
      [last_Via:]
      From: <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[service]@[$domain]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  <recv response="487" rtd="true"/>
  <send>
    <![CDATA[

      ACK sip:[service]@[$domain] SIP/2.0
      [last_Via:]
      From: <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML

fds_before=$(ls "/proc/$SBC_PID/fd" 2>/dev/null | wc -l)

# ------------------------------------------------------------ a. 3 devices
case_begin three
dev A 0a --ring && dev B 0b --answer-after 2 && dev C 0c --ring
ok $? "a. devices A, B, C register alice@sbc.test over WS (3 bindings)" || why A B C

sipp_in "$SIPP_DIR/uac_echo.xml" -s alice -set domain sbc.test \
    -set echo_port $ECHO_PORT -d 2000 &
SIPP_PID=$!
invited 3 5 && calls_now >"$T/$CASE/calls.json" &&
	[ "$(grep -o '"direction": *"pbx->browser"' "$T/$CASE/calls.json" | wc -l)" -eq 3 ]
ok $? "a. all three devices get an INVITE; while they ring, show calls lists 3 PBX -> browser calls" ||
	{ diag "$T/$CASE/calls.json"; why A B C; }
wait $SIPP_PID
SIPP_RC=$?
devs_wait A B C
DEVS_RC=$?

[ $SIPP_RC -eq 0 ] && sipp_log | grep -q '^SIP/2.0 200' && sipp_log | grep -q '^BYE sip:'
ok $? "a. the PBX's call is answered (200, ACK, BYE after 2 s -> 200)" || why A B C

sipp_log | awk '/^SIP\/2.0 200/ { in200 = 1 } in200' | grep -q "^c=IN IP4 $NS_SBC_IN_IP\$" &&
	sipp_log | grep -qE '^m=audio [0-9]+ RTP/AVP '
ok $? "a. the 200's SDP is RTP/AVP at the SBC's inside address $NS_SBC_IN_IP" ||
	{ sipp_log | grep -E '^(SIP/2.0|[A-Z]+ sip:|c=|m=)' | diag; }

json B 'r.answered && r.acked && r.byeReceived && !r.cancelled && !r.error'
ok $? "a. B answered, got the ACK, and the PBX's BYE" || why B

json A 'r.invited && r.cancelled && !r.answered && !r.error' &&
	json C 'r.invited && r.cancelled && !r.answered && !r.error'
ok $? "a. A and C (ringing) got CANCEL" || why A C

[ $DEVS_RC -eq 0 ]
ok $? "a. every device met its expectation (exit 0)" || why A B C

ua=$(ufrag A) ub=$(ufrag B) uc=$(ufrag C)
for d in A B C; do
	json $d 'r.offer' | tr -d '\r' | grep -qE '^m=audio [0-9]+ UDP/TLS/RTP/SAVPF ' || ua=
	json $d 'r.offer' | tr -d '\r' | grep -q '^a=fingerprint:' || ua=
done
[ -n "$ua" ] && [ -n "$ub" ] && [ -n "$uc" ] && [ "$ua" != "$ub" ] &&
	[ "$ub" != "$uc" ] && [ "$ua" != "$uc" ] &&
	[ "$(json A r.callId)" != "$(json B r.callId)" ] &&
	[ "$(json B r.callId)" != "$(json C r.callId)" ]
ok $? "a. each device got its own WebRTC offer and dialog (ice-ufrag $ua / $ub / $uc)" ||
	{ for d in A B C; do echo "# $d:"; json $d 'r.offer' | tr -d '\r' | grep -E '^(m=|a=ice|a=fing)' | diag; done; }

[ "$(case_log | grep -c 'PBX → alice@sbc.test')" -eq 3 ] &&
	[ "$(case_log | grep -c 'ended: answered on another device')" -eq 2 ] &&
	[ "$(case_log | grep -c 'ended: PBX hung up')" -eq 1 ]
ok $? "a. the SBC log: 3 calls, 2 ended 'answered on another device', 1 'PBX hung up'" ||
	{ case_log | diag; }

# ------------------------------------------------------------ b. 486 + answer
# B registers first, A last: A's call holds the PBX leg and refuses.  A
# stays connected until the call is over, as a browser that declined does
# (a WebSocket closing is case x).
case_begin refuse_one
dev B 1b --answer-after 2 && dev A 1a --reject 486 --linger 6
ok $? "b. devices B, then A register" || why A B

sipp_in "$SIPP_DIR/uac_echo.xml" -s alice -set domain sbc.test \
    -set echo_port $ECHO_PORT -d 1000
SIPP_RC=$?
devs_wait A B
DEVS_RC=$?
[ $SIPP_RC -eq 0 ] && sipp_log | grep -q '^SIP/2.0 200' && ! sipp_log | grep -q '^SIP/2.0 486'
ok $? "b. A refuses 486, B answers: the PBX gets B's 200, never the 486" || why A B

json A 'r.rejected && !r.cancelled' && json B 'r.answered && r.acked && r.byeReceived' &&
	[ $DEVS_RC -eq 0 ]
ok $? "b. A's 486 only ended its fork; B answered and got the BYE" || why A B

# ------------------------------------------------------------ c. all refuse
# The devices stay connected until the call is over (see b).
# c1: the device holding the PBX leg (registered last) refuses first.
case_begin refuse_all_1
dev A 2a --reject 486 --reject-after 1 --linger 4 && dev B 2b --reject 603 --linger 4
ok $? "c. devices A (486 after 1 s), then B (603 at once) register" || why A B

sipp_in "$T/uac_480.xml" -s alice -set domain sbc.test
SIPP_RC=$?
devs_wait A B
DEVS_RC=$?
[ $SIPP_RC -eq 0 ]
ok $? "c. both refuse, the PBX leg's device first: the PBX gets 480" || why A B
[ $DEVS_RC -eq 0 ] && ! sipp_log | grep -qE '^SIP/2.0 (486|603)'
ok $? "c. both devices refused; neither 486 nor 603 reached the PBX" || why A B

# c2: the other device refuses first, the PBX leg's device last.
case_begin refuse_all_2
dev A 3a --reject 486 --linger 4 && dev B 3b --reject 603 --reject-after 1 --linger 4
ok $? "c. devices A (486 at once), then B (603 after 1 s) register" || why A B

sipp_in "$T/uac_480.xml" -s alice -set domain sbc.test
SIPP_RC=$?
devs_wait A B
DEVS_RC=$?
[ $SIPP_RC -eq 0 ]
ok $? "c. both refuse, the PBX leg's device last: the PBX gets 480" || why A B
[ $DEVS_RC -eq 0 ] && ! sipp_log | grep -qE '^SIP/2.0 (486|603)'
ok $? "c. both devices refused; neither 486 nor 603 reached the PBX" || why A B

# ------------------------------------------------------------ d. PBX CANCEL
case_begin pbx_cancel
dev A 4a --ring && dev B 4b --ring
ok $? "d. devices A, B register" || why A B

sipp_in "$T/uac_cancel.xml" -s alice -set domain sbc.test -d 2000
SIPP_RC=$?
devs_wait A B
DEVS_RC=$?
[ $SIPP_RC -eq 0 ] && sipp_log | grep -q '^SIP/2.0 487'
ok $? "d. the PBX cancels after 2 s: 200 for the CANCEL, 487 for the INVITE" || why A B
json A 'r.invited && r.cancelled' && json B 'r.invited && r.cancelled' &&
	[ $DEVS_RC -eq 0 ]
ok $? "d. both devices got CANCEL" || why A B
[ "$(case_log | grep -c 'ended: cancelled by the PBX')" -eq 1 ] &&
	[ "$(case_log | grep -c 'ended: call [0-9]* ended')" -eq 1 ] &&
	[ "$(case_log | grep -c 'ended: ')" -eq 2 ]
ok $? "d. the SBC log: the call 'cancelled by the PBX', its fork ended with it" || { case_log | diag; }

# ------------------------------------------------------------ x. a tab closes
# B (most recent: its call holds the PBX leg) rings, then its WebSocket
# closes; A answers after 3 s: the PBX leg moved to A's call when B's
# flow closed.
case_begin device_gone
dev A 5a --answer-after 3 && dev B 5b --ring
ok $? "x. devices A, then B register" || why A B

sipp_in "$SIPP_DIR/uac_echo.xml" -s alice -set domain sbc.test \
    -set echo_port $ECHO_PORT -d 1000 &
SIPP_PID=$!
invited 2 5 && sleep 0.5 && kill -TERM "${DEV_PID[B]}"
wait $SIPP_PID
SIPP_RC=$?
dev_wait A
A_RC=$?
dev_wait B
[ $SIPP_RC -eq 0 ] && sipp_log | grep -q '^SIP/2.0 200' && [ $A_RC -eq 0 ] &&
	json A 'r.answered && r.byeReceived'
ok $? "x. B's WebSocket closes while it rings: A still answers the PBX's call" ||
	{ sipp_log | grep -E '^(SIP/2.0 |[A-Z]+ sip:)' | diag; case_log | grep ' signaling ' | diag; }

# ------------------------------------------------------------ e. all clean
sleep 1
calls_now >"$T/calls.json"
[ "$(tr -d ' \n' <"$T/calls.json")" = "[]" ]
ok $? "e. no call left (sbcctl show calls: $(tr -d '\n' <"$T/calls.json" | cut -c 1-60))" ||
	diag "$T/calls.json"

kill -0 "$SBC_PID" 2>/dev/null && ! grep -qE " (error|crit|alert|emerg):|AddressSanitizer|runtime error" "$T/sbc.log"
ok $? "e. the daemon runs, no error in its log" || diag "$T/sbc.log"

fds_after=$(ls "/proc/$SBC_PID/fd" 2>/dev/null | wc -l)
[ "$fds_before" -gt 0 ] && [ "$fds_after" -eq "$fds_before" ]
ok $? "e. no descriptor left open after the calls ($fds_before before, $fds_after after)" ||
	ls -l "/proc/$SBC_PID/fd" 2>/dev/null | diag

CASE=options
mkdir -p "$T/options"
(cd "$T/options" && in_in timeout 20 sipp -sf "$SIPP_DIR/options.xml" -m 1 \
    -i "$NS_IN_IP" -p 5090 -timeout 10s -timeout_error -nostdin -trace_msg \
    "$NS_SBC_IN_IP:5060" >"$T/options/sipp.out" 2>&1) &&
	cat "$T"/options/*_messages.log | tr -d '\r' | grep -q '^Server: sbc$'
ok $? "e. the SBC still answers OPTIONS" || diag "$T/options/sipp.out"

sbc_stop
ok $? "e. SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
