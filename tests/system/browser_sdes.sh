#!/bin/bash
# browser_sdes.sh: SDES-SRTP toward the PBX (RFC 4568) with a real browser
# on the other leg.  Headless Chromium runs SIP.js (tests/e2e/browser/) in
# the "outside" namespace and talks DTLS-SRTP to the SBC; the PBX in
# "inside" is SIPp for signaling and tests/system/sdes-peer for media: a
# real libsrtp2 endpoint that decrypts what the SBC sends and echoes it
# back encrypted with its own key (SIPp cannot decrypt).
#   - browser -> PBX, once per trunk media_profile "sdes" restricted to one
#     suite (AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32,
#     AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES_256_CM_HMAC_SHA1_80): the
#     SBC's offer is RTP/SAVP with that a=crypto, the PBX side decrypted
#     > 100 packets on that suite with no authentication failure, and the
#     browser received > 100 packets (the PBX's echo, decrypted by the SBC
#     and re-encrypted with DTLS-SRTP keys);
#   - "sdes-optional" with a PBX that answers with a=crypto (SRTP) and
#     with one that answers plain RTP/AVP (plain RTP, echo-pbx.mjs);
#   - "sdes" with a PBX that answers plain RTP: the call is refused;
#   - PBX -> browser: the PBX offers RTP/SAVP with several a=crypto lines,
#     the browser (registered) gets a WebRTC offer, the PBX's 200 carries
#     RTP/SAVP with one line of the offer's tag, media decrypted both ways;
# no key is ever written to the SBC's log; the SBC stops cleanly.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/browser_lib.sh"
. "$top_srcdir/tests/system/sdes_peer.sh"

browser_setup	# or SKIP: Chromium, node modules, namespaces
[ -x "$SDES_PEER" ] || { echo "1..0 # SKIP no $SDES_PEER"; exit 0; }
plan 25

ip -n "$NS_OUT" route add default via "$NS_SBC_OUT_IP" ||
	echo "# could not add the browsers' default route"

PAGE_PORT=8090
PAGE=http://127.0.0.1:$PAGE_PORT/
ECHO_PORT=16000
PBX_PORT=5080
MIN_PACKETS=100
TALK=${BROWSER_CALL_SECONDS:-5}
SUITES="AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AEAD_AES_128_GCM AEAD_AES_256_GCM AES_256_CM_HMAC_SHA1_80"
ALL=${SUITES// /,}

# One trunk per case, all on the same PBX; the number's first digit routes.
trunks= routes= ntrunk=0
trunk() {	# trunk NAME PROFILE [SUITE]
	ntrunk=$((ntrunk + 1))
	trunks="$trunks  { name = \"$1\"; hosts = [ \"$NS_IN_IP:$PBX_PORT\" ]; domain = \"pbx.test\";
    options_interval = 0; media_profile = \"$2\";${3:+ srtp_suites = [ \"$3\" ];} },
"
	routes="$routes  { prefix = \"$ntrunk\"; trunk = \"$1\"; },
"
}
for s in $SUITES; do trunk "sdes-$s" sdes "$s"; done	# 1..5
trunk optional sdes-optional					# 6
trunk mandatory sdes						# 7

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "debug"; };
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
${trunks%,
}
);
routes = (
${routes%,
}
);
default_trunk = "optional";
domains = ( { name = "sbc.test"; registrar = "local"; } );
users = ( { name = "alice"; domain = "sbc.test"; password = "secret"; } );
policy = { anonymous_calls = true; allowed_origins = [ "http://127.0.0.1:$PAGE_PORT" ]; };
CONF

browser_env
netns_sbc_start -c "$T/sbc.conf"
ok $? "SBC starts with one trunk per SDES case" || diag "$T/sbc.log"
page_serve
ok $? "test page served in the browsers' namespace" || diag "$T/serve.out"

# browser NAME ARGS...: one Chromium run (browser-call.mjs); its status.
browser() {
	local name=$1
	shift
	ip netns exec "$NS_OUT" timeout 80 node "$E2E/browser-call.mjs" --page "$PAGE" \
		--ws "ws://$NS_SBC_OUT_IP:8080" --bundle balanced --mdns off \
		--timeout 60 --min-packets $MIN_PACKETS "$@" \
		>"$T/browser-$name.json" 2>"$T/browser-$name.err"
}

# sdes_uas NAME: the SDES PBX (sdes-peer answering in any suite + SIPp
# uas_sdes.xml) for one call, in $T/NAME.
sdes_uas() {
	local d=$T/$1
	mkdir -p "$d"
	sdes_peer_start "$d" "$NS_IN_IP" $ECHO_PORT "$ALL" 40 ip netns exec "$NS_IN"
	(cd "$d" && exec ip netns exec "$NS_IN" timeout 60 sipp \
		-sf "$top_srcdir/tests/system/sipp/uas_sdes.xml" -set sdes_dir "$d" \
		-i "$NS_IN_IP" -p $PBX_PORT -m 1 -timeout 55s -timeout_error \
		-nostdin -trace_msg -trace_err >"$d/sipp.out" 2>&1) &
	SIPP_PID=$!
	sleep 0.3
}

# sdes_end NAME: SIPp done (BYE), the peer stopped: its JSON line.
sdes_end() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$SIPP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$SIPP_PID" 2>/dev/null
	wait "$SIPP_PID"
	SIPP_RC=$?
	sdes_peer_stop "$T/$1"
}

# decrypted NAME SUITE: the PBX side got > MIN_PACKETS SRTP packets on
# SUITE, none failed authentication.
decrypted() {
	local d=$T/$1 rx auth
	rx=$(sdes_peer_json "$d" received_ok)
	auth=$(sdes_peer_json "$d" auth_failures)
	[ "$(sdes_peer_suite "$d")" = "$2" ] && [ "${rx:-0}" -gt $MIN_PACKETS ] &&
		[ "${auth:-1}" = 0 ]
}

offer_of() {	# offer_of NAME: the SDP the SBC offered to the PBX
	tr -d '\r' <"$T/$1/sdes-offer.sdp" 2>/dev/null
}

# browser -> PBX, one suite per trunk: route digit i
i=0
for s in $SUITES; do
	i=$((i + 1))
	sdes_uas "$s"
	browser "$s" --to "sip:${i}00@pbx.test" --seconds "$TALK"
	rc=$?
	sdes_end "$s"
	offer_of "$s" | grep -q '^m=audio [0-9]* RTP/SAVP ' &&
		[ "$(offer_of "$s" | grep -c '^a=crypto:')" = 1 ] &&
		offer_of "$s" | grep -q "^a=crypto:1 $s inline:" && [ $rc = 0 ]
	ok $? "$s: RTP/SAVP offer with that one suite; the browser got > $MIN_PACKETS packets back" ||
		{ diag "$T/browser-$s.json"; offer_of "$s" | diag; }
	decrypted "$s" "$s"
	ok $? "$s: the PBX decrypted > $MIN_PACKETS packets, no authentication failure" ||
		{ diag "$T/$s/sdes-peer.out" "$T/$s/sdes-peer.err" "$T/$s/sipp.out"; }
done

# sdes-optional, SDES answer: RTP/AVP offer with a=crypto, SRTP agreed.
sdes_uas optional
browser optional --to "sip:600@pbx.test" --seconds "$TALK"
rc=$?
sdes_end optional
offer_of optional | grep -q '^m=audio [0-9]* RTP/AVP ' &&
	[ "$(offer_of optional | grep -c '^a=crypto:')" -ge 2 ] && [ $rc = 0 ]
ok $? "sdes-optional: RTP/AVP offer with every suite's a=crypto; the browser got audio" ||
	{ diag "$T/browser-optional.json"; offer_of optional | diag; }
decrypted optional AES_CM_128_HMAC_SHA1_80
ok $? "sdes-optional: the PBX picked AES_CM_128_HMAC_SHA1_80 and decrypted the media" ||
	diag "$T/optional/sdes-peer.out"

# sdes-optional, plain answer (uas_echo.xml has no a=crypto): plain RTP.
pbx_start plain
browser plain --to "sip:601@pbx.test" --seconds "$TALK"
rc=$?
pbx_stop plain
ok $rc "sdes-optional, PBX answers plain RTP/AVP: the browser got audio" ||
	{ diag "$T/browser-plain.json"; diag "$T/sbc.log"; }
got=$(echo_rtp plain)
[ "${got:-0}" -gt $MIN_PACKETS ]
ok $? "sdes-optional fallback: the PBX received ${got:-0} plain RTP packets" ||
	diag "$T/echo-plain.json"

# sdes, plain answer: refused; the PBX leg is ended.
pbx_start mandatory
browser mandatory --to "sip:700@pbx.test" --seconds 2 --signaling-only
rc=$?
pbx_stop mandatory
[ $rc != 0 ] && grep -q '"finalStatus":488' "$T/browser-mandatory.json"
ok $? "sdes, PBX answers without a=crypto: the browser's call fails with 488" ||
	diag "$T/browser-mandatory.json"
cat "$T/sipp-mandatory"/*_messages.log 2>/dev/null | tr -d '\r' |
	grep -qE '^(BYE|ACK) sip:'
ok $? "sdes, refused answer: the PBX leg was closed" ||
	diag "$T/sipp-mandatory.out"

# PBX -> browser: the browser registers alice and answers.
d=$T/incoming && mkdir -p "$d"
ip netns exec "$NS_OUT" timeout 80 node "$E2E/browser-call.mjs" --page "$PAGE" \
	--ws "ws://$NS_SBC_OUT_IP:8080" --incoming --user alice --pass secret \
	--domain sbc.test --ready-file "$T/ready" --bundle balanced --mdns off \
	--timeout 60 --min-packets $MIN_PACKETS \
	>"$T/browser-incoming.json" 2>"$T/browser-incoming.err" &
BROWSER_PID=$!
for i in $(seq 1 300); do
	[ -s "$T/ready" ] || ! kill -0 "$BROWSER_PID" 2>/dev/null && break
	sleep 0.1
done
[ -s "$T/ready" ]
ok $? "Chromium registered alice@sbc.test" || diag "$T/browser-incoming.err"
# The PBX offers AEAD_AES_256_GCM (tag 1) then AES_CM_128_HMAC_SHA1_80
# (tag 2); the SBC's order prefers SHA1_80: tag 2.
ip netns exec "$NS_IN" "$SDES_PEER" -O -l "$NS_IN_IP" -p $ECHO_PORT \
	-s AEAD_AES_256_GCM,AES_CM_128_HMAC_SHA1_80 -t $((TALK + 15)) -w 30 \
	-i "$d/b.sdp" -o "$d/a.sdp" >"$d/sdes-peer.out" 2>"$d/sdes-peer.err" &
PEER_PID=$!
for i in $(seq 1 50); do [ -s "$d/a.sdp" ] && break; sleep 0.1; done
(cd "$d" && exec ip netns exec "$NS_IN" timeout 60 sipp \
	-sf "$top_srcdir/tests/system/sipp/uac_sdes.xml" -s alice \
	-set domain sbc.test -set sdes_dir "$d" -d $((TALK * 1000)) \
	-i "$NS_IN_IP" -p $PBX_PORT -m 1 -timeout 50s -timeout_error \
	-nostdin -trace_msg -trace_err "$NS_SBC_IN_IP:5060" >"$d/sipp.out" 2>&1)
SIPP_RC=$?
wait "$BROWSER_PID"
BROWSER_RC=$?
kill -TERM "$PEER_PID" 2>/dev/null
wait "$PEER_PID"
ans=$(tr -d '\r' <"$d/b.sdp" 2>/dev/null)
[ $SIPP_RC = 0 ] && echo "$ans" | grep -q '^m=audio [0-9]* RTP/SAVP ' &&
	[ "$(echo "$ans" | grep -c '^a=crypto:')" = 1 ] &&
	echo "$ans" | grep -q '^a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:'
ok $? "PBX -> browser: the SBC's 200 is RTP/SAVP with one a=crypto, tag 2 (SHA1_80)" ||
	{ diag "$d/sipp.out"; echo "$ans" | diag; }
grep -q '"offer":"[^"]*UDP/TLS/RTP/SAVPF' "$T/browser-incoming.json"
ok $? "PBX -> browser: the browser got a DTLS-SRTP (UDP/TLS/RTP/SAVPF) offer" ||
	diag "$T/browser-incoming.json"
ok $BROWSER_RC "PBX -> browser: the browser answered and received > $MIN_PACKETS packets" ||
	{ diag "$T/browser-incoming.json"; diag "$T/browser-incoming.err"; }
decrypted incoming AES_CM_128_HMAC_SHA1_80
ok $? "PBX -> browser: the PBX decrypted > $MIN_PACKETS packets from the SBC" ||
	diag "$d/sdes-peer.out" "$d/sdes-peer.err"

# Keys are secret: no inline: key material in the log.
! grep -q 'inline:' "$T/sbc.log"
ok $? "no SDES key in the SBC's log (debug level)"

sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
