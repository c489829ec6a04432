#!/bin/bash
# policy_auth.sh: bans for auth failures and scanners, the trunk source
# check, and call admission (policy/, issue 7).  On loopback, each case
# from its own source address:
#   127.0.0.5  policy.auth_failures (3) wrong-password REGISTERs over WS
#              (tests/e2e/sip-register.mjs --local-address): 401 each, the
#              log line "policy: 127.0.0.5 banned for N s (auth_failure)",
#              then its next WebSocket is closed at accept;
#   127.0.0.6  the right password meanwhile: 200;
#   127.0.0.7  OPTIONS over UDP with "User-Agent: friendly-scanner": no
#              answer, banned (scanner), a plain OPTIONS then gets none;
#   127.0.0.9  the same User-Agent over WebSocket: no answer, banned, its
#              next WebSocket closed at accept;
#   127.0.0.8  an INVITE over UDP from no trunk's address: 403;
#   127.0.0.1  (the trunk's host) with policy.max_calls = 1: a call through
#              the SBC to a SIPp UAS is up, a second call gets 503, and the
#              log says "call N: refused: max_calls (user alice)".
# The foreign-Origin handshake (HTTP 403) is covered by ws_bad_input.sh.
# Every client is bounded; afterwards the daemon stops cleanly.
. "$top_srcdir/tests/system/lib.sh"

E2E=$top_srcdir/tests/e2e
SIPP_DIR=$top_srcdir/tests/system/sipp
CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}
if ! command -v node >/dev/null 2>&1 || [ ! -d "$E2E/node_modules/sip.js" ]; then
	echo "1..0 # SKIP node or tests/e2e/node_modules missing (scripts/install-deps)"
	exit 0
fi
if ! command -v sipp >/dev/null 2>&1; then
	echo "1..0 # SKIP sipp is not installed"
	exit 0
fi
plan 18

AUTH_IP=127.0.0.5
GOOD_IP=127.0.0.6
SCAN_IP=127.0.0.7
NOTRUNK_IP=127.0.0.8
WSSCAN_IP=127.0.0.9
ORIGIN=https://app.sbc.test

WS_PORT=$(free_port 1)
UDP_PORT=$(free_port 2)
PBX_PORT=$(free_port 3)
PROBE_PORT=$(free_port 4)
MEDIA_MIN=$(( $(free_port 5) / 2 * 2 ))
WS=ws://127.0.0.1:$WS_PORT

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "127.0.0.1"; port = $WS_PORT; },
  { name = "pbx-udp"; transport = "udp"; address = "127.0.0.1"; port = $UDP_PORT; }
);
media = { workers = 1; port_min = $MEDIA_MIN; port_max = $((MEDIA_MIN + 99));
          outside_address = "127.0.0.1"; inside_address = "127.0.0.1"; };
trunks = (
  { name = "pbx"; hosts = [ "127.0.0.1:$PBX_PORT" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx";
domains = ( { name = "sbc.test"; registrar = "local"; } );
users = ( { name = "alice"; domain = "sbc.test"; password = "alice-secret"; } );
policy = {
  auth_failures = 3;
  ban_window = 60;
  ban_time = 60;
  scanner_user_agents = [ "friendly-scanner", "sipvicious" ];
  max_calls = 1;
  allowed_origins = [ "$ORIGIN" ];
};
cli = { socket = "$T/ctl.sock"; };
CONF

# ------------------------------------------------------------ helpers
# $T/options.xml: one OPTIONS with User-Agent [$ua]; 200 expected.
cat >"$T/options.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="options with a User-Agent">
  <Global variables="ua"/>
  <send>
    <![CDATA[

      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:100@[local_ip]>;tag=[pid]O[call_number]
      To: <sip:100@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      User-Agent: [$ua]
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
XML

# $T/invite403.xml: an INVITE; 403 expected (then ACK).
cat >"$T/invite403.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="invite from no trunk">
  <send retrans="500">
    <![CDATA[

      INVITE sip:1000@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:intruder@[local_ip]:[local_port]>;tag=[pid]I[call_number]
      To: <sip:1000@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:intruder@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="403"/>
  <send>
    <![CDATA[

      ACK sip:1000@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:intruder@[local_ip]:[local_port]>;tag=[pid]I[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML

# $T/ws.mjs URL ORIGIN LOCAL [UA]: a WebSocket from LOCAL; without UA the
# handshake status ({"status": 101 | 403 | ... | null: closed unanswered});
# with UA, then an OPTIONS with that User-Agent: {"status", "sip": the
# response's status line or null after 2 s, "closed": the SBC closed the
# WebSocket within those 2 s}.
cat >"$T/ws.mjs" <<'JS'
import { randomBytes } from "node:crypto";
import net from "node:net";
const [url, origin, local, ua] = process.argv.slice(2);
const u = new URL(url);
const tok = (n) => randomBytes(n).toString("hex").slice(0, n);
const r = { status: null, sip: null, closed: false };
const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress: local });
let buf = Buffer.alloc(0), upgraded = false, ending = false;
const end = () => { if (ending) return; ending = true; s.destroy();
	process.stdout.write(JSON.stringify(r) + "\n"); process.exit(0); };
setTimeout(end, 4000);
s.on("error", end);
s.on("close", () => { r.closed = upgraded; end(); });	/* by the SBC */
s.on("connect", () => s.write(`GET / HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\nOrigin: ${origin}\r\n\r\n`));
s.on("data", (d) => {
	buf = Buffer.concat([buf, d]);
	if (!upgraded) {
		const i = buf.indexOf("\r\n\r\n");
		if (i < 0) return;
		r.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.toString("latin1"))?.[1] ?? 0);
		buf = buf.subarray(i + 4);
		upgraded = true;
		if (r.status !== 101 || !ua) return end();
		const sip = `OPTIONS sip:sbc.test SIP/2.0\r\nVia: SIP/2.0/WS ${tok(8)}.invalid;branch=z9hG4bK${tok(12)}\r\n` +
		    `Max-Forwards: 70\r\nTo: <sip:sbc.test>\r\nFrom: <sip:scan@sbc.test>;tag=${tok(8)}\r\n` +
		    `Call-ID: ${tok(16)}\r\nCSeq: 1 OPTIONS\r\nUser-Agent: ${ua}\r\nContent-Length: 0\r\n\r\n`;
		const p = Buffer.from(sip), key = randomBytes(4);
		const head = p.length < 126 ? Buffer.from([0x81, 0x80 | p.length]) :
		    Buffer.from([0x81, 0x80 | 126, p.length >> 8, p.length & 255]);
		for (let j = 0; j < p.length; j++) p[j] ^= key[j % 4];
		s.write(Buffer.concat([head, key, p]));
		setTimeout(end, 2000);
		return;
	}
	// one unmasked text frame from the server (< 64 KiB)
	if (buf.length >= 2) {
		let len = buf[1] & 0x7f, off = 2;
		if (len === 126) { len = buf.readUInt16BE(2); off = 4; }
		if (buf.length >= off + len && (buf[0] & 0x0f) === 1) {
			r.sip = buf.subarray(off, off + len).toString("utf8").split("\r\n")[0];
			end();
		}
	}
});
JS

# reg NAME ARGS...: sip-register.mjs, bounded; JSON in $T/NAME.json.
reg() {
	local name=$1; shift
	timeout 30 node "$E2E/sip-register.mjs" --ws "$WS" --timeout 10 "$@" \
	    >"$T/$name.json" 2>"$T/$name.err"
}

# js FILE EXPR: EXPR is true of r, the JSON line in FILE.
js() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	    if (!eval(process.argv[2])) { console.log("not satisfied: " + process.argv[2]); process.exit(1); }' \
	    "$1" "$2"
}

# sipp_from NAME FROM SCENARIO [ARGS]: one call of SCENARIO from address
# FROM to the UDP listener; messages in $T/NAME/.  SIPp's exit status.
sipp_from() {
	local name=$1 from=$2 sf=$3; shift 3
	rm -rf "${T:?}/$name" && mkdir -p "$T/$name"
	(cd "$T/$name" && timeout 20 sipp -sf "$sf" -m 1 -i "$from" -p "$PROBE_PORT" \
	    -timeout 4s -timeout_error -nostdin -trace_msg "$@" \
	    "127.0.0.1:$UDP_PORT" >"$T/$name/sipp.out" 2>&1)
}
# got NAME: the status lines SIPp of case NAME received, one per line.
got() { cat "$T/$1"/*_messages.log 2>/dev/null | tr -d '\r' | grep '^SIP/2.0 ' | sort | uniq -c; }

sbc_start -c "$T/sbc.conf"
ok $? "starts on 127.0.0.1 (ws :$WS_PORT, udp :$UDP_PORT), auth_failures = 3, max_calls = 1" ||
    diag "$T/sbc.log"

# ------------------------------------------------------------ auth failures
rc=0
for i in 1 2 3; do
	reg bad$i --local-address "$AUTH_IP" --user alice --pass wrong-$i --expect 401 || rc=1
done
[ $rc -eq 0 ] && [ "$(grep -c "REGISTER alice@sbc.test: authentication failed" "$T/sbc.log")" -eq 3 ]
ok $? "3 wrong-password REGISTERs from $AUTH_IP: 401 each, 3 'authentication failed' lines" ||
    { diag "$T"/bad?.json "$T"/bad?.err; diag "$T/sbc.log"; }
wait_log "policy: $AUTH_IP banned for 60 s (auth_failure)" 5
ok $? "then the log line 'policy: $AUTH_IP banned for 60 s (auth_failure)'" || diag "$T/sbc.log"
reg bad4 --local-address "$AUTH_IP" --user alice --pass alice-secret --expect 200
[ $? -ne 0 ] && js "$T/bad4.json" 'r.status === null && /WebSocket/.test(r.error)' >>"$T/bad4.err" &&
    node "$T/ws.mjs" "$WS" "$ORIGIN" "$AUTH_IP" >"$T/ws_auth.json" &&
    js "$T/ws_auth.json" 'r.status === null' >>"$T/bad4.err"
ok $? "its next WebSocket (even with the right password) is closed at accept" ||
    diag "$T/bad4.json" "$T/bad4.err" "$T/ws_auth.json"
reg good --local-address "$GOOD_IP" --user alice --pass alice-secret
ok $? "the right password from $GOOD_IP still registers: 200" || diag "$T/good.json" "$T/good.err"

# ------------------------------------------------------------ scanners
sipp_from scan "$SCAN_IP" "$T/options.xml" -set ua friendly-scanner
[ $? -ne 0 ] && [ -z "$(got scan)" ]
ok $? "OPTIONS from $SCAN_IP with 'User-Agent: friendly-scanner': no answer" ||
    { got scan | sed 's/^/# got: /'; diag "$T/scan/sipp.out"; }
grep -q "scanner User-Agent \"friendly-scanner\" from $SCAN_IP: source banned" "$T/sbc.log" &&
    grep -q "policy: $SCAN_IP banned for 60 s (scanner)" "$T/sbc.log"
ok $? "logged: 'scanner User-Agent \"friendly-scanner\"' and 'policy: $SCAN_IP banned for 60 s (scanner)'" ||
    diag "$T/sbc.log"
sipp_from scan2 "$SCAN_IP" "$T/options.xml" -set ua "Linphone/5.0"
[ $? -ne 0 ] && [ -z "$(got scan2)" ]
ok $? "then a plain OPTIONS from $SCAN_IP gets no answer either (banned)" ||
    { got scan2 | sed 's/^/# got: /'; diag "$T/scan2/sipp.out"; }
sipp_from ua_ok 127.0.0.1 "$T/options.xml" -set ua "Linphone/5.0"
ok $? "while an OPTIONS from 127.0.0.1 is answered 200" || diag "$T/ua_ok/sipp.out"

node "$T/ws.mjs" "$WS" "$ORIGIN" "$WSSCAN_IP" sipvicious >"$T/ws_scan.json" 2>"$T/ws_scan.err" &&
    js "$T/ws_scan.json" 'r.status === 101 && r.sip === null && r.closed' >>"$T/ws_scan.err" &&
    wait_log "policy: $WSSCAN_IP banned for 60 s (scanner)" 5 &&
    node "$T/ws.mjs" "$WS" "$ORIGIN" "$WSSCAN_IP" >"$T/ws_scan2.json" 2>>"$T/ws_scan.err" &&
    js "$T/ws_scan2.json" 'r.status === null' >>"$T/ws_scan.err"
ok $? "over WebSocket from $WSSCAN_IP: 'User-Agent: sipvicious' gets no answer, banned, that WebSocket closed, the next one at accept" ||
    diag "$T/ws_scan.json" "$T/ws_scan2.json" "$T/ws_scan.err"

# ------------------------------------------------------------ trunk sources
sipp_from notrunk "$NOTRUNK_IP" "$T/invite403.xml"
ok $? "an INVITE over UDP from $NOTRUNK_IP (no trunk's source): 403" ||
    { got notrunk | sed 's/^/# got: /'; diag "$T/notrunk/sipp.out"; }
grep -q "INVITE from $NOTRUNK_IP, no trunk's address: 403" "$T/sbc.log"
ok $? "logged: 'INVITE from $NOTRUNK_IP, no trunk's address: 403'" || diag "$T/sbc.log"

# ------------------------------------------------------------ who may call
# alice is a user of sbc.test: not registered on the calling WebSocket, 403;
# a caller of no configured domain, with anonymous_calls off: 403 too.
# (The calls below register first and get through.)
timeout 30 node "$E2E/sip-client.mjs" --ws "$WS" --origin "$ORIGIN" --timeout 10 \
    --to sip:1000@sbc.test --expect-status 403 >"$T/unreg.json" 2>"$T/unreg.err" &&
	grep -q "INVITE from alice@sbc.test refused: not registered on this connection" "$T/sbc.log"
ok $? "an INVITE from alice@sbc.test without her registration on that WebSocket: 403 (logged)" ||
	diag "$T/unreg.json" "$T/unreg.err"
timeout 30 node "$E2E/sip-client.mjs" --ws "$WS" --origin "$ORIGIN" --timeout 10 \
    --from sip:guest@elsewhere.test --to sip:1000@sbc.test --expect-status 403 \
    >"$T/anon.json" 2>"$T/anon.err" &&
	grep -q "INVITE from guest@elsewhere.test refused: not of a configured domain (policy.anonymous_calls off)" "$T/sbc.log"
ok $? "an anonymous INVITE (guest@elsewhere.test) with anonymous_calls off: 403 (logged)" ||
	diag "$T/anon.json" "$T/anon.err"

# ------------------------------------------------------------ call admission
mkdir -p "$T/uas"
(cd "$T/uas" && exec timeout 40 sipp -sf "$SIPP_DIR/uas_answer.xml" -i 127.0.0.1 \
    -p "$PBX_PORT" -m 1 -timeout 30s -timeout_error -nostdin -trace_msg \
    >"$T/uas/sipp.out" 2>&1) &
UAS_PID=$!
for i in $(seq 1 50); do
	[ -n "$(ss -Hlnu "sport = :$PBX_PORT")" ] && break
	sleep 0.1
done
timeout 30 node "$E2E/sip-client.mjs" --ws "$WS" --origin "$ORIGIN" --timeout 20 \
    --auth-user alice --auth-pass alice-secret --register \
    --to sip:1000@sbc.test --hangup-after 4 >"$T/call1.json" 2>"$T/call1.err" &
CALL1_PID=$!
i=0
until grep -q '"answered":true' "$T/call1.json" 2>/dev/null ||
    grep -q "call [0-9]*: ended" "$T/sbc.log" || [ $i -ge 100 ]; do
	# the client prints at the end: wait for the UAS's ACK instead
	grep -q '^ACK ' "$T"/uas/*_messages.log 2>/dev/null && break
	sleep 0.1
	i=$((i + 1))
done
timeout 30 node "$E2E/sip-client.mjs" --ws "$WS" --origin "$ORIGIN" --timeout 10 \
    --auth-user alice --auth-pass alice-secret --register \
    --to sip:1000@sbc.test --expect-status 503 >"$T/call2.json" 2>"$T/call2.err"
ok $? "max_calls = 1: a second call while the first is up gets 503" ||
    diag "$T/call2.json" "$T/call2.err"
wait "$CALL1_PID"
rc1=$?
wait "$UAS_PID"
ok $((rc1 + $?)) "the first call was answered and ended normally" ||
    { diag "$T/call1.json" "$T/call1.err" "$T/uas/sipp.out"; }
grep -qE "call [0-9]+: refused: max_calls \(user alice\)" "$T/sbc.log"
ok $? "logged: 'call N: refused: max_calls (user alice)'" || diag "$T/sbc.log"

if [ -x "$CTL" ]; then
	sleep 5	# the bans_active gauge follows a 5 s sweep
	echo "# stats: $("$CTL" -s "$T/ctl.sock" --json show stats 2>&1 | tr -d '\n')"
fi
sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
