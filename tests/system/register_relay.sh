#!/bin/bash
# register_relay.sh: the relay-mode registrar (signaling/b2b_relayreg.c).
# A SIPp UAS plays the PBX registrar (sipp/uas_registrar.xml: 401 with an
# MD5 challenge, verifyauth, 200 granting at most 300 s plus a desk phone
# binding, 423 below 120 s); SIP.js clients (tests/e2e/sip-relay-ua.mjs)
# register alice@relay.test through the SBC, whose domain relay.test
# relays to the trunk "pbx" (trunk domain relay.test, so the Request-URI
# the browser signed its digest over is the one the PBX gets).
#   - digest end to end: the browser answers the PBX's challenge, the
#     PBX verifies it (verifyauth), the browser gets 200 listing only its
#     own Contact with the PBX's granted expires;
#   - what the PBX sees: one Call-ID (ours) per browser registration,
#     CSeq increasing, From/To alice@relay.test, the SBC's Contact
#     sip:b-TOKEN@127.0.0.1:UDP_PORT, the browser's Authorization, and
#     nothing of the browser (Call-ID, Via/Contact hosts, User-Agent);
#     what the browser sees: nothing of the PBX but status and challenge;
#   - calls from the PBX (sipp/uac_relay_call.xml) to the token Contact
#     and to the AOR reach the browser's flow (it answers 486 Busy);
#   - an unregister is relayed (Expires: 0); afterwards the AOR gets 480;
#   - a WebSocket that closes unregisters at the PBX without credentials
#     (401 taken as "gone");
#   - a PBX 423 is relayed with its Min-Expires (SIP.js then retries);
#   - the same device (+sip.instance) registering under a new Call-ID
#     replaces its old registration, which is unregistered at the PBX;
#   - an unreachable trunk gives 480, a silent one 504 (after 10 s).
# Runs on loopback, on free ports; every client and SIPp is bounded.
. "$top_srcdir/tests/system/lib.sh"

if ! command -v node >/dev/null 2>&1 || ! command -v sipp >/dev/null 2>&1; then
	echo "1..0 # SKIP node or sipp is not installed"
	exit 0
fi
plan 27

# free_ports N: N distinct TCP and UDP ports nobody on this host uses.
free_ports() {
	local p=$((40000 + ($$ * 37) % 20000)) got=0 used=" "
	while [ $got -lt "$1" ]; do
		p=$((40000 + (p - 40000 + 11) % 20000))
		case "$used" in *" $p "*) continue ;; esac
		[ -n "$(ss -Htuln "sport = :$p" 2>/dev/null)" ] && continue
		used="$used$p "
		echo "$p"
		got=$((got + 1))
	done
}
read -r WS_PORT UDP_PORT TCP_PORT PBX_PORT DEAD_PORT MUTE_PORT MEDIA <<<"$(free_ports 7 | tr '\n' ' ')"
WS="ws://127.0.0.1:$WS_PORT"
UA="$top_srcdir/tests/e2e/sip-relay-ua.mjs"
UUID=urn:uuid:7d2e4c1a-3b5f-4e6d-8a9b-0000000000
PASS=alice-pbx-secret

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "127.0.0.1"; port = $WS_PORT; },
  { name = "pbx-udp"; transport = "udp"; address = "127.0.0.1"; port = $UDP_PORT; },
  { name = "pbx-tcp"; transport = "tcp"; address = "127.0.0.1"; port = $TCP_PORT; }
);
media = { workers = 1; port_min = $MEDIA; port_max = $((MEDIA + 39));
          outside_address = "127.0.0.1"; inside_address = "127.0.0.1"; };
trunks = (
  { name = "pbx"; hosts = [ "127.0.0.1:$PBX_PORT" ]; transport = "udp";
    domain = "relay.test"; options_interval = 0; },
  { name = "dead"; hosts = [ "127.0.0.1:$DEAD_PORT" ]; transport = "tcp"; options_interval = 0; },
  { name = "mute"; hosts = [ "127.0.0.1:$MUTE_PORT" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx";
domains = (
  { name = "relay.test"; registrar = "relay"; trunk = "pbx"; },
  { name = "dead.test"; registrar = "relay"; trunk = "dead"; },
  { name = "mute.test"; registrar = "relay"; trunk = "mute"; }
);
CONF

PIDS=
trap 'for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done; cleanup' EXIT

# ua NAME ARGS...: a SIP.js client in the background (pid in UA_PID),
# its events in $T/NAME.ev.
ua() {
	local name=$1; shift
	: >"$T/$name.ev"
	node "$UA" --ws "$WS" --events "$T/$name.ev" --timeout 90 "$@" \
	    2>"$T/$name.err" &
	UA_PID=$!
	PIDS="$PIDS $UA_PID"
}

# ev NAME EXPR: the JavaScript EXPR is true of evs, the events of NAME
# (helpers: last(kind), all(kind), has(contacts, uri)).
EVJS='
	const fs = require("fs");
	const evs = fs.readFileSync(process.argv[1], "utf8").split("\n")
	    .filter(Boolean).map((l) => JSON.parse(l));
	const all = (k) => evs.filter((e) => e.ev === k);
	const last = (k) => all(k).at(-1);
	const has = (cs, uri) => cs.some((c) => c.uri === uri);
	const start = all("start")[0] || {};
	let ok = false;
	try { ok = eval(process.argv[2]); } catch (e) { ok = false; }
	if (!ok) { console.log("not satisfied: " + process.argv[2]); process.exit(1); }'
ev() { node -e "$EVJS" "$T/$1.ev" "$2"; }

# wait_ev NAME EXPR SECONDS
wait_ev() {
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		ev "$1" "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	ev "$1" "$2"
}

# pbx EXPR: EXPR is true of the PBX's message log: regs (REGISTERs it
# received, texts), sent (responses it sent); hdr(text, name) the values
# of a header, callid(text), cseq(text).
PBXJS='
	const fs = require("fs");
	let log = "";
	try { log = fs.readFileSync(process.argv[1], "utf8").replace(/\r/g, ""); } catch (e) {}
	const recs = log.split(/^-{20,}.*$/m).map((r) => r.trim()).filter(Boolean);
	const body = (r) => r.replace(/^[^\n]*(received|sent)[^\n]*\n+/, "").trim();
	const regs = recs.filter((r) => /received/.test(r.split("\n")[0]))
	    .map(body).filter((t) => /^REGISTER /.test(t));
	const sent = recs.filter((r) => /sent/.test(r.split("\n")[0])).map(body);
	const hdr = (t, n) => t.split("\n").filter((l) =>
	    l.toLowerCase().startsWith(n.toLowerCase() + ":"))
	    .map((l) => l.slice(n.length + 1).trim());
	const callid = (t) => hdr(t, "Call-ID")[0];
	const cseq = (t) => parseInt(hdr(t, "CSeq")[0], 10);
	const exp = (t) => hdr(t, "Expires")[0];
	const inCall = (id) => regs.filter((t) => callid(t) === id);
	let ok = false;
	try { ok = eval(process.argv[2]); } catch (e) { console.log(e.message); ok = false; }
	if (!ok) { console.log("not satisfied: " + process.argv[2]); process.exit(1); }'
pbx() { node -e "$PBXJS" "$T/pbx/msg.log" "$1"; }

wait_pbx() {	# wait_pbx EXPR SECONDS
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		pbx "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	pbx "$1"
}

# call USER DOMAIN: the PBX calls USER@DOMAIN through the SBC (one call).
call() {
	sipp_run uac_relay_call.xml "127.0.0.1:$UDP_PORT" -s "$1" -set domain "$2"
}

show() {
	local f
	for f in "$@"; do
		echo "# -- $f"
		diag "$T/$f"
	done
}

sbc_start -c "$T/sbc.conf"
ok $? "starts with relay domains relay.test (trunk pbx), dead.test, mute.test" ||
    diag "$T/sbc.log"

mkdir -p "$T/pbx"
(cd "$T/pbx" && exec sipp -sf "$top_srcdir/tests/system/sipp/uas_registrar.xml" \
    -i 127.0.0.1 -p "$PBX_PORT" -set auth_user alice -set auth_pass "$PASS" \
    -nostdin -trace_msg -message_file "$T/pbx/msg.log" -trace_err \
    -error_file "$T/pbx/err.log" -timeout 170s >"$T/pbx.out" 2>&1) &
PBX_PID=$!
PIDS="$PIDS $PBX_PID"
sleep 0.5
kill -0 "$PBX_PID" 2>/dev/null
ok $? "the PBX registrar (SIPp UAS, digest checked with verifyauth) runs on 127.0.0.1:$PBX_PORT" ||
    show pbx.out

# ---------------------------------------------------------------- register
ua A --aor sip:alice@relay.test --user alice --pass "$PASS" --expires 600 \
    --instance "${UUID}0a"
A_PID=$UA_PID
wait_ev A 'last("registered") && last("response").status === 200' 15 >>"$T/A.err"
ev A 'const r = last("response"); r.contacts.length === 1 &&
    r.contacts[0].uri === start.contact && r.contacts[0].expires === 300 &&
    r.contacts[0].regId === 1 && r.contacts[0].instance === "'"${UUID}0a"'" &&
    /\nRequire: *outbound/i.test(r.raw)' >>"$T/A.err"
ok $? "browser A (asked 600 s): 200 lists only its own Contact, expires=300 (the PBX's grant), its instance and reg-id" ||
    show A.ev A.err sbc.log

ev A 'const r = all("response")[0]; r.status === 401 &&
    /\nWWW-Authenticate: *Digest realm="pbx.test"/.test(r.raw)' >>"$T/A.err"
ok $? "A first got the PBX's 401 with its WWW-Authenticate (realm pbx.test): digest end to end" ||
    show A.ev A.err

ev A '!all("response").some((r) => /PBX-SECRET|pbx-secret|deskphone|P-Asserted|b-[0-9a-f]{16}/.test(r.raw))' \
    >>"$T/A.err"
ok $? "nothing of the PBX in A's responses: no Server, P-Asserted-Identity, desk phone binding, PBX-side Contact" ||
    show A.ev A.err

A_PCID=$(node -e "$PBXJS; console.log(callid(regs[0]))" "$T/pbx/msg.log" true 2>/dev/null | head -1)
pbx 'regs.length === 2 && inCall(callid(regs[0])).length === 2 &&
    cseq(regs[1]) > cseq(regs[0]) &&
    regs.every((t) => /^REGISTER sip:relay\.test SIP\/2\.0/.test(t) &&
	/<sip:alice@relay\.test>/.test(hdr(t, "From")[0]) &&
	/<sip:alice@relay\.test>/.test(hdr(t, "To")[0]) &&
	/^<sip:b-[0-9a-f]{16}@127\.0\.0\.1:'"$UDP_PORT"'>$/.test(hdr(t, "Contact")[0]) &&
	hdr(t, "Contact").length === 1 && exp(t) === "600")' >"$T/check.out"
ok $? "the PBX got 2 REGISTERs in one Call-ID (ours), CSeq increasing, R-URI sip:relay.test, From/To alice@relay.test, Contact sip:b-TOKEN@127.0.0.1:$UDP_PORT, Expires 600" ||
    { diag "$T/check.out"; show pbx/msg.log; }

pbx 'hdr(regs[0], "Authorization").length === 0 &&
    /^Digest .*username="alice".*/.test(hdr(regs[1], "Authorization")[0]) &&
    /realm="pbx\.test"/.test(hdr(regs[1], "Authorization")[0]) &&
    /uri="sip:relay\.test"/.test(hdr(regs[1], "Authorization")[0]) &&
    sent.filter((t) => /^SIP\/2\.0 200/.test(t)).length === 1 &&
    !sent.some((t) => /^SIP\/2\.0 403/.test(t))' >"$T/check.out"
ok $? "the retry carried A's Authorization (uri=sip:relay.test = the Request-URI) and the PBX's verifyauth accepted it (200, no 403)" ||
    { diag "$T/check.out"; show pbx/msg.log; }

A_CALLID=$(node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]; console.log(JSON.parse(l).callId)' "$T/A.ev")
A_CONTACT=$(node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]; console.log(JSON.parse(l).contact)' "$T/A.ev")
pbx 'const bad = ["'"$A_CALLID"'", ".invalid", "SIP.js", "SIP/2.0/WS", "transport=ws",
	"'"${A_CONTACT#sip:}"'".split("@")[0], "+sip.instance", "reg-id"];
    regs.every((t) => bad.every((s) => !t.includes(s)))' >"$T/check.out"
ok $? "none of the browser's Call-ID, Via, Contact, User-Agent, instance reaches the PBX" ||
    { diag "$T/check.out"; show pbx/msg.log; }

# ---------------------------------------------------------------- calls
TOKEN=$(node -e "$PBXJS; console.log(/sip:(b-[0-9a-f]{16})@/.exec(hdr(regs[1], 'Contact')[0])[1])" \
    "$T/pbx/msg.log" true 2>/dev/null | tail -1)
call "$TOKEN" "127.0.0.1:$UDP_PORT" && sipp_saw '^SIP/2\.0 486 '
ok $? "the PBX calls the Contact the SBC registered (sip:$TOKEN@127.0.0.1:$UDP_PORT): 486 from the browser" ||
    { show sipp.out sbc.log; cat "$T"/sipp/*_messages.log | diag /dev/stdin; }
wait_ev A 'all("invite").length === 1 && all("invite")[0].ruri === start.contact' 5 \
    >>"$T/A.err"
ok $? "browser A received that INVITE on its WebSocket (Request-URI: its own Contact)" ||
    show A.ev A.err

call alice relay.test && sipp_saw '^SIP/2\.0 486 '
ok $? "the PBX calls the AOR sip:alice@relay.test: 486 from the browser" ||
    { show sipp.out sbc.log; cat "$T"/sipp/*_messages.log | diag /dev/stdin; }
wait_ev A 'all("invite").length === 2' 5 >>"$T/A.err"
ok $? "browser A received the second INVITE" || show A.ev A.err

# ---------------------------------------------------------------- unregister
kill -USR1 "$A_PID"
wait_ev A 'last("unregistered") && last("unregistered").status === 200 &&
    last("unregistered").contacts.length === 0' 15 >>"$T/A.err"
ok $? "A unregisters (expires=0): 200 without Contact" || show A.ev A.err sbc.log

# (SIP.js keeps the Authorization of its last challenge in later REGISTERs)
pbx 'const u = inCall("'"$A_PCID"'").filter((t) => exp(t) === "0");
    u.length >= 1 && hdr(u.at(-1), "Authorization").length === 1 &&
    hdr(u.at(-1), "Contact")[0] === hdr(regs[1], "Contact")[0] &&
    inCall("'"$A_PCID"'").every((t, i, a) => i === 0 || cseq(t) > cseq(a[i - 1]))' \
    >"$T/check.out"
ok $? "the PBX saw the unregister in the same Call-ID, CSeq higher: Expires 0 for our Contact (not *), with A's credentials" ||
    { diag "$T/check.out"; show pbx/msg.log; }

call alice relay.test && sipp_saw '^SIP/2\.0 480 '
ok $? "after the unregister the AOR gets 480" ||
    { show sipp.out; cat "$T"/sipp/*_messages.log | diag /dev/stdin; }
call "$TOKEN" "127.0.0.1:$UDP_PORT" && sipp_saw '^SIP/2\.0 404 '
ok $? "and the old Contact 404" ||
    { show sipp.out; cat "$T"/sipp/*_messages.log | diag /dev/stdin; }
kill -TERM "$A_PID" 2>/dev/null

# ---------------------------------------------------------------- flow close
ua B --aor sip:alice@relay.test --user alice --pass "$PASS" --expires 300 \
    --instance "${UUID}0b"
B_PID=$UA_PID
wait_ev B 'last("registered") && last("response").status === 200 &&
    last("response").contacts[0].uri === start.contact' 15 >>"$T/B.err"
ok $? "browser B registers (200 lists its Contact)" || show B.ev B.err
B_PCID=$(node -e "$PBXJS; console.log(callid(regs.at(-1)))" "$T/pbx/msg.log" true 2>/dev/null | tail -1)
kill -TERM "$B_PID"
wait_pbx 'const u = inCall("'"$B_PCID"'"); u.length === 3 && exp(u[2]) === "0" &&
    hdr(u[2], "Authorization").length === 0 &&
    hdr(u[2], "Contact")[0] === hdr(u[1], "Contact")[0]' 10 >"$T/check.out"
ok $? "B's WebSocket closes: the SBC unregisters at the PBX (its Call-ID, Expires 0, our Contact, no credentials)" ||
    { diag "$T/check.out"; show pbx/msg.log sbc.log; }
wait_log "REGISTER alice@relay.test: unregistered at trunk pbx: 401" 5
ok $? "and takes the PBX's 401 as gone (log line)" || diag "$T/sbc.log"

# ---------------------------------------------------------------- 423
ua C --aor sip:alice@relay.test --user alice --pass "$PASS" --expires 60 \
    --instance "${UUID}0c"
C_PID=$UA_PID
wait_ev C 'last("registered") && last("response").status === 200' 15 >>"$T/C.err"
ev C 'const b = all("response").find((r) => r.status === 423);
    b && b.minExpires === 120 && !/PBX-SECRET/.test(b.raw) &&
    last("response").contacts.length === 1 &&
    last("response").contacts[0].expires === 120' >>"$T/C.err"
ok $? "browser C asks 60 s: the PBX's 423 reaches it with Min-Expires: 120, SIP.js retries, 200 with expires=120" ||
    show C.ev C.err pbx/msg.log
kill -TERM "$C_PID" 2>/dev/null

# ---------------------------------------------------------------- same device
# F, then G with F's instance id and reg-id (RFC 5626: the same device)
# under a new Call-ID: the registrar replaces F's binding with G's, and
# the SBC unregisters F's registration at the PBX.
ua F --aor sip:alice@relay.test --user alice --pass "$PASS" --expires 300 \
    --instance "${UUID}0f"
F_PID=$UA_PID
wait_ev F 'last("registered") && last("response").status === 200' 15 >>"$T/F.err"
F_PCID=$(node -e "$PBXJS; console.log(callid(regs.at(-1)))" "$T/pbx/msg.log" true 2>/dev/null | tail -1)
ua G --aor sip:alice@relay.test --user alice --pass "$PASS" --expires 300 \
    --instance "${UUID}0f"
G_PID=$UA_PID
wait_ev G 'last("registered") && last("response").status === 200' 15 >>"$T/G.err" &&
    wait_pbx 'const u = inCall("'"$F_PCID"'"); u.length === 3 &&
	exp(u[2]) === "0" && hdr(u[2], "Authorization").length === 0' 10 >"$T/check.out"
ok $? "the same device registering again (same +sip.instance, new Call-ID) replaces its binding: the old one is unregistered at the PBX" ||
    { diag "$T/check.out"; show F.ev G.ev sbc.log; }
kill -TERM "$F_PID" "$G_PID" 2>/dev/null

# ---------------------------------------------------------------- errors
ua D --aor sip:alice@dead.test --user alice --pass x --expires 300
wait_ev D 'last("failed") && last("failed").status === 480' 10 >>"$T/D.err"
ok $? "dead.test (trunk refuses the TCP connection): 480" || show D.ev D.err sbc.log
kill -TERM "$UA_PID" 2>/dev/null

node -e 'require("dgram").createSocket("udp4").bind(Number(process.argv[1]), "127.0.0.1");
    setTimeout(() => process.exit(0), 30000)' "$MUTE_PORT" &
PIDS="$PIDS $!"
ua E --aor sip:alice@mute.test --user alice --pass x --expires 300
wait_ev E 'last("failed") && last("failed").status === 504' 20 >>"$T/E.err"
ok $? "mute.test (the PBX never answers): 504 after 10 s" || show E.ev E.err sbc.log
kill -TERM "$UA_PID" 2>/dev/null

# ---------------------------------------------------------------- end
kill -0 "$SBC_PID" 2>/dev/null
ok $? "the daemon is still running" || diag "$T/sbc.log"
! grep -qE " (error|crit|alert|emerg):" "$T/sbc.log"
ok $? "no error in the log" || diag "$T/sbc.log"
! grep -qiE "Authorization|response=\"?[0-9a-f]{32}|$PASS" "$T/sbc.log"
ok $? "no credentials in the log" || diag "$T/sbc.log"
sleep 0.5
sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
