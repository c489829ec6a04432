#!/bin/bash
# browser_midcall.sh: what happens during a call, with a real browser.
# Headless Chromium runs SIP.js (tests/e2e/browser/) in the "outside"
# namespace and calls over WS through the SBC to the echo PBX in "inside"
# (SIPp sipp/uas_echo.xml + tests/system/echo-pbx.mjs, plain RTP).  While
# the call lasts the browser (browser-call.mjs --midcall):
#   - holds (re-INVITE a=sendonly): the PBX gets a re-INVITE with
#     a=sendonly, the browser's answer says a=recvonly;
#   - resumes (a=sendrecv): the PBX sees sendrecv again, and audio comes
#     back to the browser;
#   - restarts ICE (new ufrag/pwd in its re-offer): the SBC answers with new
#     credentials of its own, ICE reconnects, DTLS stays up, audio goes on,
#     and the PBX leg is not disturbed (the same call, no BYE);
#   - sends RFC 4733 DTMF (RTCDTMFSender): telephone-event packets reach
#     the PBX with the payload type the SBC offered it;
# then hangs up; the SBC stops cleanly.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/browser_lib.sh"

browser_setup	# or SKIP: Chromium, node modules, namespaces
plan 11

ip -n "$NS_OUT" route add default via "$NS_SBC_OUT_IP" ||
	echo "# could not add the browsers' default route"

PAGE_PORT=8090
PAGE=http://127.0.0.1:$PAGE_PORT/
ECHO_PORT=16000
PBX_PORT=5080
MIN_PACKETS=100

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

pbx_start mid || { echo "# echo PBX did not start"; diag "$T/sipp-mid.out"; }
ip netns exec "$NS_OUT" timeout 80 node "$E2E/browser-call.mjs" --page "$PAGE" \
	--ws "ws://$NS_SBC_OUT_IP:8080" --to "sip:echo@pbx.test" --seconds 15 \
	--bundle balanced --mdns off --timeout 70 --min-packets $MIN_PACKETS \
	--midcall "2:hold,4.5:unhold,6.5:ice-restart,11:dtmf:1234" \
	>"$T/browser.json" 2>"$T/browser.err"
rc=$?
pbx_stop mid
ok $rc "the call with hold, unhold, ICE restart and DTMF: every step answered, DTLS connected, > $MIN_PACKETS packets" ||
	{ diag "$T/browser.json"; diag "$T/browser.err"; diag "$T/sbc.log"; }

# json EXPR: EXPR (JavaScript, on the object r) of the browser's JSON.
json() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const v = (0, eval)("(r) => " + process.argv[2])(r);
		if (v !== undefined && v !== null) console.log(v);' "$T/browser.json" "$1" 2>/dev/null
}
# The SDPs the PBX received, one INVITE per paragraph.
pbx_sdps() {
	cat "$T/sipp-mid"/*_messages.log 2>/dev/null | tr -d '\r' |
		awk '/^INVITE sip:/ { n++ } n && /^a=(sendonly|recvonly|sendrecv|inactive)$/ { print n, $0 }'
}

pbx_sdps | grep -q '^2 a=sendonly$' &&
	[ "$(json 'r.midcall[0].result.remoteSdp.includes("a=recvonly")')" = true ]
ok $? "hold: the PBX's re-INVITE says a=sendonly, the browser's answer a=recvonly" ||
	{ pbx_sdps | diag; json 'r.midcall && r.midcall[0]' | diag; }

before=$(json 'r.midcall[1].before.packets')
after=$(json 'r.midcall[1].after.packets')
pbx_sdps | grep -q '^3 a=sendrecv$' && [ "${after:-0}" -ge $((${before:-0} + 40)) ]
ok $? "unhold: the PBX's re-INVITE says a=sendrecv; audio back at the browser (${before:-?} -> ${after:-?} packets in 1.5 s)" ||
	{ pbx_sdps | diag; json 'r.midcall && r.midcall[1]' | diag; }

old=$(json 'r.midcall[0].result.remoteSdp.match(/a=ice-ufrag:(\S+)/)[1]')
new=$(json 'r.midcall[2].result.remoteSdp.match(/a=ice-ufrag:(\S+)/)[1]')
[ -n "$old" ] && [ -n "$new" ] && [ "$old" != "$new" ]
ok $? "ICE restart: the SBC answered with new credentials (ufrag $old -> $new)" ||
	json 'r.midcall && r.midcall[2]' | diag

# Audio over the 4.5 s after the restart (50 packets/s): the new pair is
# up within that; how fast it was is shown (1.5 s sample), not judged.
before=$(json 'r.midcall[2].before.packets')
soon=$(json 'r.midcall[2].after.packets')
after=$(json 'r.midcall[3].before.packets')
echo "# ICE restart: ${before:-?} packets before, ${soon:-?} 1.5 s after, ${after:-?} 4.5 s after"
[ "$(json 'r.midcall[3].before.dtlsState')" = connected ] &&
	[ "${after:-0}" -ge $((${before:-0} + 100)) ]
ok $? "ICE restart: DTLS still connected, audio goes on (${before:-?} -> ${after:-?} packets in 4.5 s)" ||
	json 'r.midcall && r.midcall[2]' | diag
grep -q "ICE restart" "$T/sbc.log" && ! grep -q "media failure\|media timeout" "$T/sbc.log"
ok $? "ICE restart: logged, the session was not torn down" || diag "$T/sbc.log"

# RFC 4733: the payload type of telephone-event/8000 in the SBC's offer.
te=$(cat "$T/sipp-mid"/*_messages.log 2>/dev/null | tr -d '\r' |
	sed -n 's/^a=rtpmap:\([0-9]*\) telephone-event\/8000$/\1/p' | head -n 1)
events=$(sed -n "s/.*\"pts\":{[^}]*\"${te:-x}\":\([0-9]*\).*/\1/p" "$T/echo-mid.json" 2>/dev/null)
[ -n "$te" ] && [ "${events:-0}" -ge 8 ]
ok $? "DTMF 1234: ${events:-0} RFC 4733 packets (PT ${te:-?}) reached the PBX" ||
	{ diag "$T/echo-mid.json"; json 'r.midcall && r.midcall[3]' | diag; }

[ "$SIPP_RC" -eq 0 ] && [ "$(cat "$T/sipp-mid"/*_messages.log 2>/dev/null | tr -d '\r' | grep -c '^BYE sip:')" = 1 ]
ok $? "the PBX leg lasted the whole call and ended with one BYE" ||
	{ diag "$T/sipp-mid.out"; cat "$T/sipp-mid"/*_errors.log 2>/dev/null | diag; }

kill -TERM "$SERVE_PID" 2>/dev/null
sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
