#!/bin/bash
# register.sh: the local registrar (signaling/b2b_register.c) seen from
# browsers.  SIP.js clients (tests/e2e/sip-register.mjs) register over WS:
# the right password gets 200 listing the binding with ;expires=N; a wrong
# one a final 401 and the log line "REGISTER alice@sbc.test: authentication
# failed"; an unknown domain 403; a relay-mode domain whose trunk is
# unreachable 480 (relay mode itself: register_relay.sh).
# Several devices (RFC 5626 +sip.instance/reg-id): two for alice are both
# listed, a third is over max_registrations (403); an unregister removes
# only that binding (the 200 lists the others, a new device fits again);
# a WebSocket closing removes its bindings.  Every client is bounded;
# afterwards the daemon stops cleanly.  Runs on loopback, on free ports.
. "$top_srcdir/tests/system/lib.sh"

if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP node is not installed"
	exit 0
fi
plan 23

WS_PORT=$(free_port 1)
UDP_PORT=$(free_port 2)
[ "$UDP_PORT" = "$WS_PORT" ] && UDP_PORT=$((WS_PORT + 1))
WS="ws://127.0.0.1:$WS_PORT"
CLIENT="$top_srcdir/tests/e2e/sip-register.mjs"
UUID=urn:uuid:5b0c1f7e-8a3d-4c2b-9e61-0000000000

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "127.0.0.1"; port = $WS_PORT; },
  { name = "pbx-udp"; transport = "udp"; address = "127.0.0.1"; port = $UDP_PORT; }
);
media = { workers = 1; port_min = $((WS_PORT + 2)); port_max = $((WS_PORT + 41));
          outside_address = "127.0.0.1"; inside_address = "127.0.0.1"; };
trunks = (
  { name = "pbx"; hosts = [ "127.0.0.1:9" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx";
domains = (
  { name = "sbc.test"; registrar = "local"; },
  { name = "relay.test"; registrar = "relay"; trunk = "pbx"; }
);
users = (
  { name = "alice"; domain = "sbc.test"; password = "alice-secret"; max_registrations = 2; },
  { name = "bob"; domain = "sbc.test"; password = "bob-secret"; }
);
cli = { socket = "$T/sbcctl.sock"; };
CONF

# reg NAME ARGS...: one foreground client, bounded; its JSON line in
# $T/NAME.json, stderr in $T/NAME.err; the client's exit status.
reg() {
	local name=$1; shift
	timeout 30 node "$CLIENT" --ws "$WS" --timeout 10 "$@" \
	    >"$T/$name.json" 2>"$T/$name.err"
}

# reg_bg NAME ARGS...: a client in the background (for --hold); its pid in
# BG_PID (node itself, so that SIGUSR1 reaches it); each final response
# appended to $T/NAME.progress.  Bounded by its own --timeout (10 s plus
# --hold and --unregister-after) and killed on exit.
BG_PIDS=
reg_bg() {
	local name=$1; shift
	: >"$T/$name.progress"
	node "$CLIENT" --ws "$WS" --timeout 10 --progress "$T/$name.progress" \
	    "$@" >"$T/$name.json" 2>"$T/$name.err" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}
trap 'for p in $BG_PIDS; do kill -KILL "$p" 2>/dev/null; done; cleanup' EXIT

# wait_pid PID SECONDS: wait for a background client; its exit status, or
# 124 (after killing it) when it outlives SECONDS.
wait_pid() {
	local i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}

# wait_lines FILE N: FILE has N lines, within 15 s.
wait_lines() {
	local i=0
	while [ $i -lt 150 ]; do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# js FILE EXPR: the JavaScript EXPR is true of r, the JSON object on line
# $LINE (default: the last) of FILE.  Helpers: has(contacts, uri),
# live(contacts): every expires in (0, 600].
js() {
	LINE=${LINE:-0} node -e '
		const fs = require("fs");
		const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
		const i = Number(process.env.LINE);
		const r = JSON.parse(lines[i > 0 ? i - 1 : lines.length - 1]);
		const has = (cs, uri) => cs.some((c) => c.uri === uri);
		const live = (cs) => cs.every((c) => c.expires > 0 && c.expires <= 600);
		if (!eval(process.argv[2])) {
			console.log("not satisfied: " + process.argv[2]);
			process.exit(1);
		}' "$1" "$2"
}

# field FILE NAME: a top-level string field of the last JSON line.
field() {
	node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8")
	    .split("\n").filter(Boolean); console.log(JSON.parse(l.at(-1))[process.argv[2]] ?? "")' "$1" "$2"
}

# show NAME...: the clients' outputs as TAP comments.
show() {
	local f
	for f in "$@"; do
		echo "# -- $f"
		diag "$T/$f".json "$T/$f".err $(ls "$T/$f".progress 2>/dev/null)
	done
}

sbc_start -c "$T/sbc.conf"
ok $? "starts with ws on 127.0.0.1:$WS_PORT, domains sbc.test (local), relay.test (relay)" ||
    diag "$T/sbc.log"

# ---------------------------------------------------------------- basics
reg ok --user alice --pass alice-secret --expires 300 &&
    js "$T/ok.json" 'r.contacts.length === 1 && r.contacts[0].uri === r.contact &&
	r.contacts[0].expires > 0 && r.contacts[0].expires <= 300' >>"$T/ok.err"
ok $? "right password: 200 listing one Contact (ours) with ;expires in (0, 300]" || show ok

reg bad --user alice --pass wrong-secret --expect 401
ok $? "wrong password: final 401 (after SIP.js answered one challenge)" || show bad
wait_log "REGISTER alice@sbc.test: authentication failed" 5
ok $? "and the log line 'REGISTER alice@sbc.test: authentication failed'" || diag "$T/sbc.log"

reg unknown --aor sip:alice@nowhere.test --user alice --pass alice-secret --expect 403
ok $? "unknown domain: 403" || show unknown

# relay mode is register_relay.sh's; here its trunk (UDP port 9) is not
# there: 480 (ICMP port unreachable), or 504 when no ICMP came back
reg relay --aor sip:alice@relay.test --user alice --pass alice-secret \
    --timeout 15 --expect 480 ||
    js "$T/relay.json" 'r.status === 504' >>"$T/relay.err"
ok $? "relay-mode domain whose trunk is unreachable: 480 (or 504)" || show relay

# ---------------------------------------------------------------- devices
# A and B stay connected (held) while the others register.
reg_bg devA --user alice --pass alice-secret --instance "${UUID}0a" --hold 60
A_PID=$BG_PID
wait_lines "$T/devA.progress" 1 &&
    js "$T/devA.progress" 'r.status === 200 && has(r.contacts, r.contact) &&
	live(r.contacts) && /(^|,)\s*outbound\s*(,|$)/.test(r.require) &&
	r.contacts.some((c) => c.uri === r.contact && c.regId === 1 &&
	    c.instance === "'"${UUID}0a"'")' >>"$T/devA.err"
ok $? "device A (+sip.instance, reg-id=1; held open): 200 lists it with its instance and reg-id, Require: outbound (RFC 5626)" || show devA
A_URI=$(field "$T/devA.progress" contact)

# B unregisters when told (SIGUSR1), then holds its WebSocket open.
reg_bg devB --user alice --pass alice-secret --instance "${UUID}0b" \
    --unregister-after 60 --hold 60
B_PID=$BG_PID
wait_lines "$T/devB.progress" 1 &&
    LINE=1 js "$T/devB.progress" 'r.status === 200 && r.contacts.length === 2 &&
	has(r.contacts, r.contact) && has(r.contacts, "'"$A_URI"'") && live(r.contacts)' \
    >>"$T/devB.err"
ok $? "device B (another instance): its 200 lists 2 contacts, A and B" || show devB
B_URI=$(field "$T/devB.progress" contact)

reg bob --aor sip:bob@sbc.test --user bob --pass bob-secret &&
    js "$T/bob.json" 'r.contacts.length === 1 && r.contacts[0].uri === r.contact' \
    >>"$T/bob.err"
ok $? "bob meanwhile: his 200 lists only his own contact" || show bob

# sbcctl show registrations: A and B (held open); bob's went with his
# WebSocket
"$SBCCTL" -s "$T/sbcctl.sock" -j show registrations >"$T/regs.json" 2>&1 &&
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	    const inst = r.map((b) => b.aor + " " + b.instance).sort().join(",");
	    process.exit(r.length === 2 && r.every((b) => b.expires > 0 && b.flow > 0) &&
	    inst === `alice@sbc.test ${process.argv[2]}0a,alice@sbc.test ${process.argv[2]}0b` ? 0 : 1)' \
	    "$T/regs.json" "$UUID" &&
	"$SBCCTL" -s "$T/sbcctl.sock" show registrations | grep -c "alice@sbc.test" | grep -qx 2
ok $? "sbcctl show registrations (--json and table): alice's devices A and B, nothing of bob's closed flow" ||
	diag "$T/regs.json"

reg devC --user alice --pass alice-secret --instance "${UUID}0c" --expect 403
ok $? "device C (a third one, max_registrations = 2): 403" || show devC

kill -USR1 "$B_PID" 2>/dev/null
wait_lines "$T/devB.progress" 2 &&
    LINE=2 js "$T/devB.progress" 'r.unregisterStatus === 200 &&
	!has(r.unregisterContacts, r.contact) && has(r.unregisterContacts, "'"$A_URI"'")' \
    >>"$T/devB.err"
ok $? "device B unregisters (expires=0): 200 lists A, not B" || show devB

reg devD --user alice --pass alice-secret --instance "${UUID}0d" &&
    js "$T/devD.json" 'r.contacts.length === 2 && has(r.contacts, r.contact) &&
	has(r.contacts, "'"$A_URI"'") && !has(r.contacts, "'"$B_URI"'")' >>"$T/devD.err"
ok $? "device D then: 200 lists A and D, not B (whose WebSocket is still open)" ||
    show devD
D_URI=$(field "$T/devD.json" contact)

# D exited without unregistering: its WebSocket closing removed it.
reg devE --user alice --pass alice-secret --instance "${UUID}0e" &&
    js "$T/devE.json" 'r.contacts.length === 2 && has(r.contacts, r.contact) &&
	has(r.contacts, "'"$A_URI"'") && !has(r.contacts, "'"$D_URI"'")' >>"$T/devE.err"
ok $? "device E after D closed its WebSocket: 200 lists A and E, not D" || show devE

# End the holds: the clients close their WebSockets without unregistering.
kill -TERM "$A_PID" "$B_PID" 2>/dev/null
wait_pid "$A_PID" 10
rc_a=$?
wait_pid "$B_PID" 10
rc_b=$?
[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] &&
    js "$T/devB.json" 'r.status === 200 && r.unregisterStatus === 200 && r.error === null' \
    >>"$T/devB.err"
ok $? "held clients A and B end on SIGTERM (exit $rc_a, $rc_b)" || show devA devB

# ---------------------------------------------------------------- flow close
reg devX --user alice --pass alice-secret --instance "${UUID}1a" --hold 3 &&
    js "$T/devX.json" 'r.contacts.length === 1 && r.contacts[0].uri === r.contact' \
    >>"$T/devX.err"
ok $? "device X (held 3 s): 200 lists only X (A and B went with their WebSockets)" ||
    show devX
X_URI=$(field "$T/devX.json" contact)

reg devY --user alice --pass alice-secret --instance "${UUID}1b" &&
    js "$T/devY.json" 'r.contacts.length === 1 && r.contacts[0].uri === r.contact &&
	r.contact !== "'"$X_URI"'"' >>"$T/devY.err"
ok $? "device Y after X closed its WebSocket: 200 lists only Y" || show devY

# An unregister by a client that registered without an instance id.
reg plain --user alice --pass alice-secret --unregister-after 0 &&
    js "$T/plain.json" 'r.status === 200 && r.contacts.length === 1 &&
	r.unregisterStatus === 200 && !has(r.unregisterContacts, r.contact)' \
    >>"$T/plain.err"
ok $? "register then unregister on one WebSocket: the unregister's 200 no longer lists it" ||
    show plain

reg bobbad --aor sip:bob@sbc.test --user alice --pass alice-secret --expect 401
ok $? "alice's credentials for bob's AOR: 401" || show bobbad

grep -q "REGISTER bob@sbc.test: authentication failed" "$T/sbc.log"
ok $? "logged as an authentication failure of bob@sbc.test" || diag "$T/sbc.log"

kill -0 "$SBC_PID" 2>/dev/null
ok $? "the daemon is still running" || diag "$T/sbc.log"
! grep -qE " (error|crit|alert|emerg):" "$T/sbc.log"
ok $? "no error in the log" || diag "$T/sbc.log"
sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
