#!/bin/bash
# ws_bad_input.sh: the WebSocket listener facing browsers withstands bad
# input.  Raw clients (tests/e2e/ws-raw.mjs) send: a handshake that never
# finishes (closed after signaling.ws_handshake_timeout), an unmasked frame
# (close 1002), messages over signaling.max_ws_message in one frame and in
# fragments (close 1009), a foreign Origin (HTTP 403), no "sip" subprotocol
# (HTTP 400); then SIP over WS: OPTIONS (200), an unknown method (501), a
# CSeq whose method differs from the request's (400), text that is not SIP
# and requests missing Call-ID, CSeq or Via (an error response, a close,
# or dropped -- a reply must copy those headers -- with the connection
# still answering; never a 1xx/2xx).
# Every case ends within a bound; afterwards the daemon still answers
# OPTIONS over UDP and stops cleanly.  Runs on loopback, on free ports.
. "$top_srcdir/tests/system/lib.sh"

if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP node is not installed"
	exit 0
fi
plan 19

WS_PORT=$(free_port 1)
UDP_PORT=$(free_port 2)
[ "$UDP_PORT" = "$WS_PORT" ] && UDP_PORT=$((WS_PORT + 1))
MAX_WS=4096
HS_TIMEOUT=2
ORIGIN=https://app.sbc.test

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "127.0.0.1"; port = $WS_PORT; },
  { name = "pbx-udp"; transport = "udp"; address = "127.0.0.1"; port = $UDP_PORT; }
);
media = { workers = 1; port_min = $((WS_PORT + 2)); port_max = $((WS_PORT + 41));
          outside_address = "127.0.0.1"; inside_address = "127.0.0.1"; };
signaling = { ws_handshake_timeout = $HS_TIMEOUT; max_ws_message = $MAX_WS; };
trunks = (
  { name = "pbx"; hosts = [ "127.0.0.1:9" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx";
policy = { allowed_origins = [ "$ORIGIN" ]; allowed_hosts = [ "127.0.0.1" ]; };
CONF

sbc_start -c "$T/sbc.conf"
ok $? "starts with ws on 127.0.0.1:$WS_PORT" || diag "$T/sbc.log"

# raw CASE DESCRIPTION [ARGS]: one ws-raw.mjs case, bounded; ok on exit 0.
raw() {
	local c=$1 what=$2; shift 2
	timeout 20 node "$top_srcdir/tests/e2e/ws-raw.mjs" \
	    --url "ws://127.0.0.1:$WS_PORT" --case "$c" --max "$MAX_WS" \
	    --hs-timeout "$HS_TIMEOUT" --timeout 10 "$@" >"$T/raw.out" 2>&1
	ok $? "$what" || diag "$T/raw.out"
}

# WebSocket level: handled by the edge itself.
raw slowloris "a handshake that never finishes is closed after ws_handshake_timeout ($HS_TIMEOUT s)"
raw unmasked "an unmasked client frame: close 1002"
raw oversize "a frame over max_ws_message ($MAX_WS): close 1009"
raw oversize-fragments "a fragmented message over max_ws_message: close 1009"
raw bad-origin "a handshake from a foreign Origin: HTTP 403"
raw good-origin "a handshake from an allowed Origin: HTTP 101" --origin "$ORIGIN"
raw bad-host "a handshake for a Host not in allowed_hosts: HTTP 403"
raw no-protocol "a handshake without the 'sip' subprotocol: HTTP 400"

# SIP level: needs SIP over WebSocket in signaling (the B2BUA).
raw options "OPTIONS over WS answered 200"
raw unknown-method "an unknown method FOO over WS: 501"
raw cseq-mismatch "an INVITE whose CSeq names another method: 400"
raw garbage "text that is not SIP: rejected or dropped, the connection still works"
raw no-callid "a request without Call-ID: rejected or dropped, the connection still works"
raw no-cseq "a request without CSeq: rejected or dropped, the connection still works"
raw no-via "a request without Via: rejected or dropped, the connection still works"

kill -0 "$SBC_PID" 2>/dev/null
ok $? "the daemon is still running" || diag "$T/sbc.log"
sipp_run options.xml "127.0.0.1:$UDP_PORT" -p "$(free_port 3)" && sipp_saw '^Server: sbc$'
ok $? "and still answers OPTIONS over UDP" || diag "$T/sipp.out"
sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
