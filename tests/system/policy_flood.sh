#!/bin/bash
# policy_flood.sh: legitimate calls survive a flood (policy/, issue 7).
# On loopback, from three source addresses toward one daemon:
#   127.0.0.2  SIPp floods INVITEs at FLOOD_RATE/s at the UDP listener (it
#              is no trunk's source: the first ones get 403, each a
#              violation, the rest are over invite_rate and dropped, and
#              the source is banned for one or the other);
#   127.0.0.4  a Node client opens and drops WebSocket connections in a
#              loop (over connection_rate, refused at accept, then banned);
#   127.0.0.3  a "browser" (a raw SIP-over-WebSocket caller, Node + ws, one
#              WebSocket, CALLS calls at CPS/s with a WebRTC offer) calls
#              through the SBC to a SIPp UAS PBX on 127.0.0.1 (the trunk).
# The same calls are first made without a flood (the baseline).  Passes
# when >= 99 % of the calls under flood succeed (INVITE 200, ACK, BYE 200),
# both flooding sources are banned (the log line "policy: ADDR banned for
# N s (REASON)"), a probe from each gets no answer while the legitimate
# source still gets answers, the legitimate source is never banned, and
# the daemon stops cleanly.  The flood rate, success rates and the daemon's
# CPU time (utime+stime from /proc/PID/stat) are TAP comments
# (docs/benchmarks.md, "Flood survival (policy)").  Every process is
# bounded; the whole test takes about 30 s.
. "$top_srcdir/tests/system/lib.sh"

E2E=$top_srcdir/tests/e2e
CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}
if ! command -v node >/dev/null 2>&1 || [ ! -d "$E2E/node_modules/ws" ]; then
	echo "1..0 # SKIP node or tests/e2e/node_modules missing (scripts/install-deps)"
	exit 0
fi
if ! command -v sipp >/dev/null 2>&1; then
	echo "1..0 # SKIP sipp is not installed"
	exit 0
fi
plan 13

FLOOD_IP=127.0.0.2
LEGIT_IP=127.0.0.3
WSFLOOD_IP=127.0.0.4
FLOOD_RATE=${FLOOD_RATE:-500}	# INVITEs per second
FLOOD_COUNT=${FLOOD_COUNT:-4000}	# 8 s at 500/s
CALLS=${CALLS:-100}
CPS=${CPS:-12}
CONN_RATE=${CONN_RATE:-500}	# connection flood: handshakes per second
ORIGIN=https://app.sbc.test

WS_PORT=$(free_port 1)
UDP_PORT=$(free_port 2)
PBX_PORT=$(free_port 3)
PROBE_PORT=$(free_port 4)
FLOOD_PORT=$(free_port 5)
MEDIA_MIN=$(( $(free_port 6) / 2 * 2 ))
WS=ws://127.0.0.1:$WS_PORT

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "127.0.0.1"; port = $WS_PORT; },
  { name = "pbx-udp"; transport = "udp"; address = "127.0.0.1"; port = $UDP_PORT; }
);
media = { workers = 1; port_min = $MEDIA_MIN; port_max = $((MEDIA_MIN + 799));
          outside_address = "127.0.0.1"; inside_address = "127.0.0.1"; };
trunks = (
  { name = "pbx"; hosts = [ "127.0.0.1:$PBX_PORT" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx";
policy = {
  anonymous_calls = true;
  register_rate = { rate = 5; burst = 10; };
  invite_rate = { rate = 20; burst = 40; };
  other_rate = { rate = 20; burst = 40; };
  connection_rate = { rate = 5; burst = 10; };
  max_connections_per_ip = 20;
  ban_threshold = 20;
  ban_window = 10;
  ban_time = 60;
  allowed_origins = [ "$ORIGIN" ];
};
cli = { socket = "$T/ctl.sock"; };
CONF

# ------------------------------------------------------------ helpers
# $T/flood.xml: one INVITE per call, nothing awaited (a flood).
cat >"$T/flood.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="invite flood">
  <send>
    <![CDATA[

      INVITE sip:[call_number]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:flood@[local_ip]:[local_port]>;tag=[pid]F[call_number]
      To: <sip:[call_number]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:flood@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML

# $T/uas.xml: the PBX: answers every INVITE at once (100, 200 with SDP),
# then waits for ACK and BYE.  Unlike sipp/uas_answer.xml it takes
# retransmissions (an INVITE again while the 200 is on its way, an ACK
# again for a retransmitted 200) in its stride: on a loaded 2-core host
# the SBC's T1 (500 ms) can expire, and that is no failure of the SBC.
cat >"$T/uas.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="tolerant uas">
  <recv request="INVITE" crlf="true"/>
  <send>
    <![CDATA[

      SIP/2.0 100 Trying
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <label id="answer"/>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:pbx@[local_ip]:[local_port];transport=[transport]>
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
  <recv request="INVITE" optional="true" next="answer"/>
  <recv request="ACK"/>
  <label id="established"/>
  <recv request="ACK" optional="true" next="established"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML

# $T/probe.xml: one OPTIONS, 200 expected (-timeout bounds the wait).
cat >"$T/probe.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="probe">
  <send>
    <![CDATA[

      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:probe@[local_ip]>;tag=[pid]P[call_number]
      To: <sip:[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
XML

# $T/flood.mjs: the WebSocket side.  Modes:
#   calls URL ORIGIN LOCAL N CPS   N calls on one WebSocket (a browser):
#                                  INVITE with a WebRTC offer, 200, ACK,
#                                  BYE after 200 ms, 200; JSON summary
#   connflood URL LOCAL SECONDS RATE  open a WebSocket (handshake), drop
#                                  it, again: RATE attempts per second
#                                  (paced, 4 at a time); JSON summary
#   probe URL ORIGIN LOCAL         one handshake: {"status": 101 | ... | null}
cat >"$T/flood.mjs" <<'JS'
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import net from "node:net";
const require = createRequire(process.env.E2E + "/package.json");
const WebSocket = require("ws");
const [mode, url, ...rest] = process.argv.slice(2);
const tok = (n = 10) => randomBytes(n).toString("hex").slice(0, n);
const out = (o) => { process.stdout.write(JSON.stringify(o) + "\n"); process.exit(0); };
const u = new URL(url);

function handshake(local, origin) {
	return new Promise((resolve) => {
		const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress: local });
		let buf = "", done = false;
		const end = (st) => { if (!done) { done = true; s.destroy(); resolve(st); } };
		s.setTimeout(2000, () => end(null));
		s.on("error", () => end(null));
		s.on("close", () => end(null));
		s.on("data", (d) => {
			buf += d.toString("latin1");
			const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
			if (m && buf.includes("\r\n\r\n"))
				end(Number(m[1]));
		});
		s.on("connect", () => s.write("GET / HTTP/1.1\r\nHost: " + u.host +
		    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		    "Sec-WebSocket-Key: " + randomBytes(16).toString("base64") +
		    "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n" +
		    (origin ? "Origin: " + origin + "\r\n" : "") + "\r\n"));
	});
}

if (mode === "probe") {
	const [origin, local] = rest;
	out({ status: await handshake(local, origin) });
}

if (mode === "connflood") {
	const [local, seconds, rate] = rest;
	const t0 = Date.now(), stop = t0 + Number(seconds) * 1000;
	const r = { attempts: 0, upgraded: 0, refused: 0 };
	let next = 0;	// attempts scheduled so far
	const loop = async () => {
		for (;;) {
			const due = t0 + (next++ * 1000) / Number(rate);
			if (due >= stop)
				return;
			if (due > Date.now())
				await new Promise((res) => setTimeout(res, due - Date.now()));
			r.attempts++;
			const st = await handshake(local, null);
			if (st === 101) r.upgraded++; else r.refused++;
		}
	};
	await Promise.all(Array.from({ length: 4 }, loop));
	r.rate = Number((r.attempts / Number(seconds)).toFixed(1));
	out(r);
}

// ---------------------------------------------------------------- calls
const [origin, local, nCalls, cps] = rest;
const FP = "sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:" +
    "DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08";
const host = tok(12) + ".invalid";
const sdp = (port) => ["v=0", `o=- 4611731400430051336 1 IN IP4 ${local}`, "s=-", "t=0 0",
	"a=group:BUNDLE 0", "a=msid-semantic: WMS s",
	`m=audio ${port} UDP/TLS/RTP/SAVPF 111 0 8 126`, `c=IN IP4 ${local}`,
	"a=rtcp:9 IN IP4 0.0.0.0",
	`a=candidate:1 1 udp 2122260223 ${local} ${port} typ host generation 0`,
	"a=ice-ufrag:Bx7q", "a=ice-pwd:ZyQ1mB3lR0pS5tV8wXc2n4Hk", "a=ice-options:trickle",
	`a=fingerprint:${FP}`, "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux",
	"a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
	"a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:126 telephone-event/8000",
	"a=ssrc:3735928559 cname:c", ""].join("\r\n");
const calls = new Map();	// Call-ID -> call
const r = { calls: Number(nCalls), ok: 0, failed: 0, statuses: {}, setup_ms: [] };
const ws = new WebSocket(url, "sip", { origin, localAddress: local });
const send = (m) => ws.send(m);
const hdrs = (c, method, cseq, toTag) => [
	`Via: SIP/2.0/WS ${host};branch=z9hG4bK${tok(16)}`, "Max-Forwards: 70",
	`To: <sip:1000@sbc.test>${toTag ? ";tag=" + toTag : ""}`,
	`From: <sip:alice@sbc.test>;tag=${c.tag}`, `Call-ID: ${c.id}`,
	`CSeq: ${cseq} ${method}`];

function finish(c, ok, why) {
	if (c.done) return;
	c.done = true;
	clearTimeout(c.timer);
	if (ok) r.ok++; else { r.failed++; r.statuses[why] = (r.statuses[why] ?? 0) + 1; }
	c.resolve();
}

function call(i) {
	return new Promise((resolve) => {
		const c = { id: tok(20), tag: tok(8), resolve, t0: Date.now(), done: false };
		calls.set(c.id, c);
		c.timer = setTimeout(() => finish(c, false, c.state ?? "timeout"), 10000);
		const body = sdp(20000 + i * 2);
		send(`INVITE sip:1000@sbc.test SIP/2.0\r\n` + hdrs(c, "INVITE", 1).join("\r\n") +
		    `\r\nContact: <sip:${tok(8)}@${host};transport=ws>\r\n` +
		    "Content-Type: application/sdp\r\n" +
		    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
		c.state = "no answer";
	});
}

function header(msg, name, short) {
	const re = new RegExp(`^(?:${name}${short ? "|" + short : ""})\\s*:\\s*(.*)$`, "gim");
	return [...msg.matchAll(re)].map((m) => m[1].trim());
}

ws.on("message", (data) => {
	const msg = data.toString("utf8");
	const [head] = msg.split("\r\n\r\n");
	const id = header(head, "Call-ID", "i")[0];
	const c = calls.get(id);
	if (!c || c.done) return;
	const st = /^SIP\/2\.0 (\d{3})/.exec(head);
	if (!st) {	// a request in our dialog: answer 200
		const vias = header(head, "Via", "v").map((v) => `Via: ${v}`);
		send("SIP/2.0 200 OK\r\n" + vias.join("\r\n") + "\r\n" +
		    ["From", "To", "Call-ID", "CSeq"].map((h) => `${h}: ${header(head, h)[0]}`).join("\r\n") +
		    "\r\nContent-Length: 0\r\n\r\n");
		return;
	}
	const code = Number(st[1]);
	const cseq = header(head, "CSeq")[0] ?? "";
	if (code < 200) return;
	if (/INVITE/.test(cseq)) {
		if (code >= 300) return finish(c, false, String(code));
		if (c.state !== "no answer") return;	// a retransmission
		r.setup_ms.push(Date.now() - c.t0);
		const toTag = /;\s*tag=([^;>\s]+)/.exec(header(head, "To", "t")[0] ?? "")?.[1];
		const contact = /<([^>]+)>/.exec(header(head, "Contact", "m")[0] ?? "")?.[1] ?? "sip:1000@sbc.test";
		const routes = header(head, "Record-Route").reverse().map((v) => `Route: ${v}`);
		c.toTag = toTag;
		const ack = [...hdrs(c, "ACK", 1, toTag), ...routes];
		send(`ACK ${contact} SIP/2.0\r\n` + ack.join("\r\n") + "\r\nContent-Length: 0\r\n\r\n");
		c.state = "no BYE answer";
		setTimeout(() => {
			const bye = [...hdrs(c, "BYE", 2, toTag), ...routes];
			send(`BYE ${contact} SIP/2.0\r\n` + bye.join("\r\n") + "\r\nContent-Length: 0\r\n\r\n");
		}, 200);
	} else if (/BYE/.test(cseq)) {
		finish(c, code === 200, "BYE " + code);
	}
});
ws.on("error", (e) => { r.error = e.message; });
ws.on("open", async () => {
	const t0 = Date.now();
	const running = [];
	for (let i = 0; i < r.calls; i++) {
		const due = t0 + (i * 1000) / Number(cps);
		if (due > Date.now())
			await new Promise((res) => setTimeout(res, due - Date.now()));
		running.push(call(i));
	}
	await Promise.all(running);
	r.seconds = Number(((Date.now() - t0) / 1000).toFixed(1));
	const s = r.setup_ms.sort((a, b) => a - b);
	r.setup_ms = { median: s[Math.floor(s.length / 2)] ?? null, max: s.at(-1) ?? null };
	r.success = Number((100 * r.ok / r.calls).toFixed(1));
	ws.close(1000);
	out(r);
});
setTimeout(() => { r.error = (r.error ?? "") + " overall timeout"; r.success = 100 * r.ok / r.calls; out(r); },
    (Number(nCalls) / Number(cps) + 20) * 1000).unref();
JS
export E2E

# json FILE KEY: a value from a JSON line.
json() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	    const v = r[process.argv[2]]; console.log(typeof v === "object" ? JSON.stringify(v) : v)' "$1" "$2"
}

# cpu: the daemon's utime+stime so far, in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$SBC_PID/stat"; }
HZ=$(getconf CLK_TCK)
secs() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }'; }
wall() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# uas_start NAME: the PBX (SIPp UAS answering any number of calls) on
# 127.0.0.1:PBX_PORT; its pid in UAS_PID.
UAS_PID=
uas_start() {
	local _
	mkdir -p "$T/$1"
	(cd "$T/$1" && exec timeout 60 sipp -sf "$T/uas.xml" \
	    -i 127.0.0.1 -p "$PBX_PORT" -nostdin -trace_err >"$T/$1/sipp.out" 2>&1) &
	UAS_PID=$!
	for _ in $(seq 1 50); do
		[ -n "$(ss -Hlnu "sport = :$PBX_PORT")" ] && return 0
		sleep 0.1
	done
	return 1
}
uas_stop() {
	[ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null && wait "$UAS_PID" 2>/dev/null
	UAS_PID=
}

# probe_udp FROM NAME: an OPTIONS from address FROM; 0 if answered 200.
probe_udp() {
	mkdir -p "$T/$2"
	(cd "$T/$2" && timeout 15 sipp -sf "$T/probe.xml" -m 1 -i "$1" -p "$PROBE_PORT" \
	    -timeout 3s -timeout_error -nostdin -trace_msg \
	    "127.0.0.1:$UDP_PORT" >"$T/$2/sipp.out" 2>&1)
}

# calls NAME: CALLS calls from LEGIT_IP; the JSON summary in $T/NAME.json.
calls() {
	timeout $((CALLS / CPS + 30)) node "$T/flood.mjs" calls "$WS" "$ORIGIN" "$LEGIT_IP" \
	    "$CALLS" "$CPS" >"$T/$1.json" 2>"$T/$1.err"
}

# enough NAME: at least 99 % of the calls succeeded.
enough() {
	[ -s "$T/$1.json" ] && node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	    process.exit(r.ok * 100 >= r.calls * 99 ? 0 : 1)' "$T/$1.json"
}

sbc_start -c "$T/sbc.conf"
ok $? "starts on 127.0.0.1 (ws :$WS_PORT, udp :$UDP_PORT), trunk 127.0.0.1:$PBX_PORT" ||
    diag "$T/sbc.log"

# ------------------------------------------------------------ baseline
uas_start pbx_base
c0=$(cpu); w0=$(date +%s.%N)
calls base
c1=$(cpu); w1=$(date +%s.%N)
uas_stop
enough base
ok $? "baseline: $CALLS calls at $CPS/s from $LEGIT_IP without a flood, >= 99 % answered" ||
    { diag "$T/base.json" "$T/base.err"; diag "$T/sbc.log"; }
echo "# baseline: $(cat "$T/base.json")"
echo "# baseline: daemon CPU $(secs $((c1 - c0))) s (utime+stime) in $(wall "$w0" "$w1") s"

# ------------------------------------------------------------ flood
uas_start pbx_flood
c0=$(cpu); w0=$(date +%s.%N)
mkdir -p "$T/flood"
(cd "$T/flood" && exec timeout 40 sipp -sf "$T/flood.xml" -i "$FLOOD_IP" -p "$FLOOD_PORT" \
    -r "$FLOOD_RATE" -m "$FLOOD_COUNT" -nostdin -trace_msg -deadcall_wait 0 \
    "127.0.0.1:$UDP_PORT" >"$T/flood/sipp.out" 2>&1) &
FLOOD_PID=$!
timeout 40 node "$T/flood.mjs" connflood "$WS" "$WSFLOOD_IP" \
    $((FLOOD_COUNT / FLOOD_RATE)) "$CONN_RATE" >"$T/connflood.json" 2>"$T/connflood.err" &
CONNFLOOD_PID=$!
sleep 0.5
calls flood
wait "$FLOOD_PID"
wait "$CONNFLOOD_PID"
c1=$(cpu); w1=$(date +%s.%N)
uas_stop

enough flood
ok $? "under flood: >= 99 % of $CALLS calls from $LEGIT_IP answered and hung up" ||
    { diag "$T/flood.json" "$T/flood.err"; diag "$T/sbc.log"; }

sent=$(grep -c '^INVITE ' "$T"/flood/*_messages.log 2>/dev/null)
# Call-IDs of the flood that got any response (403 before the ban; the
# 403s are retransmitted, the flooder never ACKs: count calls, not messages)
answered=$(awk '/ message received / { r = 1 } /^-+ [0-9]{4}-/ { r = 0 }
    r && /^Call-ID:/ { print $2 }' "$T"/flood/*_messages.log | sort -u | wc -l)
responses=$(grep -c '^SIP/2.0 ' "$T"/flood/*_messages.log)
# the seconds between the first and the last INVITE SIPp sent
span=$(awk '/^-+ [0-9]{4}-/ { split($3, t, ":"); ts = t[1] * 3600 + t[2] * 60 + t[3] }
    /^INVITE / { if (first == "") first = ts; last = ts }
    END { printf "%.1f", last - first }' "$T"/flood/*_messages.log)
rate=$(awk -v n="$sent" -v s="$span" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
echo "# flood: $sent INVITEs from $FLOOD_IP in $span s" \
    "(~$rate/s); $answered of them answered ($responses responses:" \
    "$(grep -h '^SIP/2.0 ' "$T"/flood/*_messages.log | sort | uniq -c | awk '{ $1 = $1; printf "%s%s", s, $0; s = ", " }'))"
echo "# connection flood from $WSFLOOD_IP: $(cat "$T/connflood.json")"
echo "# legit under flood: $(cat "$T/flood.json")"
echo "# under flood: daemon CPU $(secs $((c1 - c0))) s (utime+stime) in $(wall "$w0" "$w1") s" \
    "(the same calls, plus both floods)"
[ "$sent" -ge $((FLOOD_COUNT * 9 / 10)) ]
ok $? "SIPp sent the flood ($sent of $FLOOD_COUNT INVITEs)" || diag "$T/flood/sipp.out"

# The flood's INVITEs come from no trunk's address: each 403 is a
# violation, and the rate limit counts too; whichever bans first.
grep -qE "policy: $FLOOD_IP banned for [0-9]+ s \((rate_invite|malformed)\)" "$T/sbc.log"
ok $? "the INVITE flooder $FLOOD_IP is banned (rate_invite or non-trunk violations)" || diag "$T/sbc.log"
grep -qE "policy: $WSFLOOD_IP banned for [0-9]+ s \(rate_connection\)" "$T/sbc.log"
ok $? "the connection flooder $WSFLOOD_IP is banned (rate_connection)" || diag "$T/sbc.log"
grep "policy: .* banned for" "$T/sbc.log" | sed 's/^/# /'
! grep -q "policy: $LEGIT_IP banned" "$T/sbc.log"
ok $? "the legitimate source $LEGIT_IP is not banned" || diag "$T/sbc.log"
[ "$answered" -le 100 ]
ok $? "the INVITE flooder got answers to at most 100 INVITEs ($answered), then silence"

# ------------------------------------------------------------ afterwards
probe_udp "$FLOOD_IP" probe_flood
[ $? -ne 0 ] && ! grep -q '^SIP/2.0' "$T"/probe_flood/*_messages.log
ok $? "an OPTIONS from $FLOOD_IP gets no answer" || diag "$T/probe_flood/sipp.out"
probe_udp "$LEGIT_IP" probe_legit
ok $? "an OPTIONS from $LEGIT_IP is still answered 200" || diag "$T/probe_legit/sipp.out"
node "$T/flood.mjs" probe "$WS" "$ORIGIN" "$WSFLOOD_IP" >"$T/probe_ws_flood.json" 2>&1 &&
    [ "$(json "$T/probe_ws_flood.json" status)" = null ]
ok $? "a WebSocket from $WSFLOOD_IP is closed at accept (no HTTP answer)" ||
    diag "$T/probe_ws_flood.json"
node "$T/flood.mjs" probe "$WS" "$ORIGIN" "$LEGIT_IP" >"$T/probe_ws_legit.json" 2>&1 &&
    [ "$(json "$T/probe_ws_legit.json" status)" = 101 ]
ok $? "a WebSocket from $LEGIT_IP is still upgraded (101)" || diag "$T/probe_ws_legit.json"

if [ -x "$CTL" ]; then
	sleep 5	# the bans_active gauge follows a 5 s sweep
	echo "# stats: $("$CTL" -s "$T/ctl.sock" --json show stats 2>&1 | tr -d '\n')"
	echo "# show bans: $("$CTL" -s "$T/ctl.sock" --json show bans 2>&1 | tr -d '\n')"
fi
sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
