#!/bin/bash
# b2bua.sh: calls from a browser SIP stack through the SBC to a PBX.  The
# SBC runs in its own network namespace between a browser network
# (10.201.1.0/24: SIP.js over ws/wss, tests/e2e/sip-client.mjs) and a PBX
# network (10.201.2.0/24: SIPp UAS scenarios, over UDP, TCP, and TLS via a
# socat TLS front).  Cases: answered calls hung up by the browser over
# ws x {udp, tcp, tls} and wss x udp; hung up by the PBX; busy (486); no
# answer then CANCEL (487); a 401 challenge answered end to end; re-INVITE
# from the PBX and from the browser; INFO; topology hiding both ways (no
# byte of one side's addresses, names, Call-ID, tags or headers in what
# the other side received); afterwards OPTIONS is still answered and the
# daemon stops cleanly.  Every process is bounded by a timeout.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"

E2E=$top_srcdir/tests/e2e
SIPP_DIR=$top_srcdir/tests/system/sipp
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
plan 20

ORIGIN=https://app.sbc.test
WS=ws://$NS_SBC_OUT_IP:8080
WSS=wss://$NS_SBC_OUT_IP:8443
AUTH_USER=alice
AUTH_PASS=wonderland-42

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws";  transport = "ws";  address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "browsers-wss"; transport = "wss"; address = "$NS_SBC_OUT_IP"; port = 8443; },
  { name = "pbx-udp"; transport = "udp"; address = "$NS_SBC_IN_IP"; port = 5060; },
  { name = "pbx-tcp"; transport = "tcp"; address = "$NS_SBC_IN_IP"; port = 5060; },
  { name = "pbx-tls"; transport = "tls"; address = "$NS_SBC_IN_IP"; port = 5061; }
);
media = { workers = 1; outside_address = "$NS_SBC_OUT_IP"; inside_address = "$NS_SBC_IN_IP"; };
trunks = (
  { name = "pbx-udp"; hosts = [ "$NS_IN_IP:5080" ]; transport = "udp"; options_interval = 0; },
  { name = "pbx-tcp"; hosts = [ "$NS_IN_IP:5080" ]; transport = "tcp"; options_interval = 0;
    codecs = [ "PCMA", "pcmu" ]; },
  { name = "pbx-tls"; hosts = [ "$NS_IN_IP:5061" ]; transport = "tls"; tls_verify = false;
    options_interval = 0; }
);
default_trunk = "pbx-udp";
routes = (
  { prefix = "1"; trunk = "pbx-udp"; strip = 0; },
  { prefix = "2"; trunk = "pbx-tcp"; strip = 0; },
  { prefix = "3"; trunk = "pbx-tls"; strip = 0; }
);
policy = { anonymous_calls = true; allowed_origins = [ "$ORIGIN" ]; };
signaling = { pass_headers = [ "x-account-code" ]; };
CONF

netns_sbc_start -c "$T/sbc.conf"
ok $? "starts in its namespace, between the browser and PBX networks" || diag "$T/sbc.log"

# ------------------------------------------------------------ helpers
UAS_PID=
SOCAT_PID=
CASE=

# uas_start NAME SCENARIO udp|tcp|tls [SIPP ARGS]: a SIPp UAS in NS_IN on
# 10.201.2.2:5080 (tls: TCP behind socat on :5061), messages logged in
# $T/NAME/.  Returns once it (and socat) listen.
uas_start() {
	local name=$1 sf=$2 tr=$3 i
	shift 3
	CASE=$name
	rm -rf "${T:?}/$name" && mkdir -p "$T/$name"
	local targs=() ss_opt=-Hlnu
	case $tr in
	tcp) targs=(-t t1); ss_opt=-Hlnt ;;
	tls) targs=(-t t1 -set pbx_tls_port 5061); ss_opt=-Hlnt; tls_front ;;
	esac
	(cd "$T/$name" && exec ip netns exec "$NS_IN" timeout 40 sipp \
	    -sf "$SIPP_DIR/$sf" -i "$NS_IN_IP" -p 5080 -m 1 \
	    -timeout 30s -timeout_error -nostdin -trace_msg -trace_err \
	    "${targs[@]}" "$@" >"$T/$name/sipp.out" 2>&1) &
	UAS_PID=$!
	for i in $(seq 1 50); do
		if [ -n "$(in_in ss $ss_opt 'sport = :5080')" ] &&
		    { [ "$tr" != tls ] || [ -n "$(in_in ss -Hlnt 'sport = :5061')" ]; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# tls_front: socat terminates TLS on 10.201.2.2:5061 for the TCP SIPp
# (SIPp binds its TCP listener to its -i address).
tls_front() {
	if [ ! -s "$T/pbx.crt" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$T/pbx.key" -out "$T/pbx.crt" -days 2 \
		    -subj /CN=pbx.test >/dev/null 2>&1 || return 1
	fi
	ip netns exec "$NS_IN" timeout 60 socat \
	    "OPENSSL-LISTEN:5061,bind=$NS_IN_IP,reuseaddr,fork,cert=$T/pbx.crt,key=$T/pbx.key,verify=0" \
	    "TCP:$NS_IN_IP:5080" 2>"$T/socat.err" &
	SOCAT_PID=$!
}

tls_front_stop() {
	[ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null && wait "$SOCAT_PID" 2>/dev/null
	SOCAT_PID=
}

# uas_wait: SIPp's exit status (it ends by itself, bounded by -timeout).
uas_wait() {
	wait "$UAS_PID"
}

# client ARGS...: one call from the browser namespace; the JSON line in
# $T/$CASE/client.json, SIP.js errors in client.err.
client() {
	in_out timeout 30 node "$E2E/sip-client.mjs" --origin "$ORIGIN" \
	    --timeout 20 "$@" >"$T/$CASE/client.json" 2>"$T/$CASE/client.err"
}

# call UAS_ARGS... -- CLIENT_ARGS...: both sides of one call; 0 when both
# met their expectations.
call() {
	local uas=() rc urc
	while [ $# -gt 0 ] && [ "$1" != -- ]; do uas+=("$1"); shift; done
	shift
	uas_start "${uas[@]}" || { echo "# SIPp did not start"; return 1; }
	client "$@"
	rc=$?
	uas_wait
	urc=$?
	tls_front_stop
	[ $rc -eq 0 ] && [ $urc -eq 0 ]
}

# json KEY: a value from the last client's JSON line.
json() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	    const v = r[process.argv[2]]; console.log(typeof v === "object" ? JSON.stringify(v) : v)' \
	    "$T/$CASE/client.json" "$1"
}

# why: what the last call's two sides and the daemon said.
why() {
	echo "# --- client:"; diag "$T/$CASE/client.json" "$T/$CASE/client.err"
	echo "# --- SIPp:"; sed 's/^/# /' "$T/$CASE/sipp.out" | grep -vE '^# *$' | tail -n 15
	cat "$T/$CASE"/*_errors.log 2>/dev/null | awk '{ print "# " $0 }' | tail -n 10
	echo "# --- sbc:"; tail -n 15 "$T/sbc.log" | sed 's/^/# /'
}

# received NAME: every message the SIPp of case NAME received, as bytes.
received() {
	awk '/^-+ [0-9][0-9][0-9][0-9]-/ { keep = 0 } / message received / { keep = 1 } keep' \
	    "$T/$1"/*_messages.log
}

# ------------------------------------------------------------ calls
call answer_udp uas_answer.xml udp -- --ws "$WS" --to sip:1000@sbc.test --hangup-after 1
ok $? "ws -> udp: answered, browser hangs up (BYE relayed, 200 both ways)" || why

call answer_tcp uas_answer.xml tcp -- --ws "$WS" --to sip:2000@sbc.test --hangup-after 1 \
    --capture "$T/answer_tcp/capture"
ok $? "ws -> tcp: answered, browser hangs up" || why
tr -d '\r' <"$T/answer_tcp/capture" | grep -q "^X-Account-Code: 4711$" &&
	! grep -q "P-Asserted-Identity" "$T/answer_tcp/capture"
ok $? "pass_headers = [x-account-code]: the PBX's X-Account-Code reaches the browser, P-Asserted-Identity does not" ||
	diag "$T/answer_tcp/capture"
# trunk pbx-tcp has codecs = [ "PCMA", "pcmu" ]: its INVITE offers those in
# that order, then telephone-event; not the browser's opus first
offer=$(received answer_tcp | tr -d '\r' | awk '/^INVITE / { inv = 1 } inv && /^m=audio/ { print; exit }')
case "$offer" in "m=audio "*" RTP/AVP 8 0 126") true ;; *) false ;; esac &&
	! received answer_tcp | grep -qi "rtpmap:[0-9]* opus"
ok $? "trunk codecs = [PCMA, pcmu]: the PBX is offered '${offer#m=audio * }', no opus" || why

if command -v socat >/dev/null 2>&1; then
	call answer_tls uas_answer.xml tls -- --ws "$WS" --to sip:3000@sbc.test --hangup-after 1
	ok $? "ws -> tls: answered, browser hangs up" || { why; diag "$T/socat.err"; }
else
	n=$((n + 1)); echo "ok $n - ws -> tls # SKIP socat is not installed"
fi

call answer_wss uas_answer.xml udp -- --ws "$WSS" --to sip:1000@sbc.test --hangup-after 1
ok $? "wss -> udp: answered, browser hangs up" || why

call answer_wss_tcp uas_answer.xml tcp -- --ws "$WSS" --to sip:2000@sbc.test --hangup-after 1
ok $? "wss -> tcp: answered, browser hangs up" || why

if command -v socat >/dev/null 2>&1; then
	call answer_wss_tls uas_answer.xml tls -- --ws "$WSS" --to sip:3000@sbc.test --hangup-after 1
	ok $? "wss -> tls: answered, browser hangs up" || { why; diag "$T/socat.err"; }
else
	n=$((n + 1)); echo "ok $n - wss -> tls # SKIP socat is not installed"
fi

call pbx_bye uas_pbx_bye.xml udp -- --ws "$WS" --to sip:1000@sbc.test \
    --expect-bye --capture "$T/pbx_bye/capture"
ok $? "the PBX hangs up: its BYE reaches the browser" || why
BROWSER_CALLID=$(json callId)
BROWSER_TAG=$(json fromTag)

call busy uas_busy.xml udp -- --ws "$WS" --to sip:1000@sbc.test --expect-status 486
ok $? "busy: the browser gets 486" || why

call cancel uas_noanswer.xml udp -- --ws "$WS" --to sip:1000@sbc.test \
    --cancel-after 1 --expect-status 487
ok $? "no answer, the browser cancels: CANCEL relayed, 487 back" || why

call auth uas_auth.xml udp -m 2 -deadcall_wait 0 \
    -set auth_user "$AUTH_USER" -set auth_pass "$AUTH_PASS" -- \
    --ws "$WS" --to sip:1000@sbc.test --auth-user "$AUTH_USER" \
    --auth-pass "$AUTH_PASS" --hangup-after 1
ok $? "401 from the PBX relayed; the browser's digest accepted by the PBX" || why

call pbx_reinvite uas_reinvite.xml udp -- --ws "$WS" --to sip:1000@sbc.test --hangup-after 3 &&
	[ "$(json remoteReinvites)" -ge 1 ]
ok $? "re-INVITE (hold) from the PBX reaches the browser, answered recvonly" || why

call browser_reinvite uas_answer.xml udp -- --ws "$WS" --to sip:1000@sbc.test \
    --reinvite --hangup-after 1 &&
	[ "$(received browser_reinvite | grep -c '^INVITE ')" -eq 3 ] &&
	received browser_reinvite | tr -d '\r' | grep -q '^a=sendonly$'
ok $? "re-INVITEs (hold, unhold) from the browser reach the PBX, 200s back" || why

call info uas_info.xml udp -- --ws "$WS" --to sip:1000@sbc.test --info --hangup-after 1
ok $? "INFO (dtmf-relay) from the browser reaches the PBX, 200 back" || why

# ------------------------------------------------------------ topology hiding
# What the browser received on the PBX-hangup call: nothing of the PBX.
CASE=pbx_bye
PBX_CALLID=$(received pbx_bye | tr -d '\r' | awk 'tolower($1) == "call-id:" || $1 == "i:" { print $2; exit }')
leaks=
if [ ! -s "$T/pbx_bye/capture" ] || [ -z "$PBX_CALLID" ]; then
	leaks="(no capture or no PBX Call-ID)"
else
	for s in 10.201.2. pbx-secret PBX-SECRET-UA SIPpTag01 \
	    Record-Route P-Asserted-Identity Warning "$PBX_CALLID"; do
		grep -qF -- "$s" "$T/pbx_bye/capture" && leaks="$leaks '$s'"
	done
fi
[ -z "$leaks" ]
ok $? "topology hiding: the browser saw no PBX address, name, header, tag or Call-ID" ||
	{ echo "# found:$leaks"; grep -nF -e 10.201.2. -e pbx-secret -e "$PBX_CALLID" \
	    "$T/pbx_bye/capture" | head -n 10 | sed 's/^/# /'; }

# What the PBX received on that call: nothing of the browser.
leaks=
received pbx_bye >"$T/pbx_bye/pbx-received"
if [ ! -s "$T/pbx_bye/pbx-received" ] || [ -z "$BROWSER_CALLID" ] || [ -z "$BROWSER_TAG" ]; then
	leaks="(no SIPp log or no browser Call-ID/tag)"
else
	for s in "$NS_OUT_IP" .invalid browser-secret "SIP.js/" \
	    "$BROWSER_CALLID" "$BROWSER_TAG"; do
		grep -qF -- "$s" "$T/pbx_bye/pbx-received" && leaks="$leaks '$s'"
	done
fi
[ -z "$leaks" ]
ok $? "topology hiding: the PBX saw no browser address, .invalid host, SDP origin, User-Agent, Call-ID or tag" ||
	{ echo "# found:$leaks"; grep -nF -e "$NS_OUT_IP" -e .invalid -e browser-secret -e SIP.js/ \
	    "$T/pbx_bye/pbx-received" | head -n 10 | sed 's/^/# /'; }

# ------------------------------------------------------------ still fine
rm -rf "$T/options" && mkdir -p "$T/options"
(cd "$T/options" && in_in timeout 20 sipp -sf "$SIPP_DIR/options.xml" -m 1 \
    -i "$NS_IN_IP" -p 5090 -timeout 10s -timeout_error -nostdin -trace_msg \
    "$NS_SBC_IN_IP:5060" >"$T/options/sipp.out" 2>&1) &&
	cat "$T"/options/*_messages.log | tr -d '\r' | grep -q '^Server: sbc$'
ok $? "after the calls, OPTIONS on $NS_SBC_IN_IP:5060 still answered 200" || diag "$T/options/sipp.out"

sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
