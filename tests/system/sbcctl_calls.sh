#!/bin/bash
# sbcctl_calls.sh: sbcctl against calls in progress.  The SBC runs in its
# own network namespace between a browser (SIP.js, tests/e2e/sip-client.mjs
# over ws) and a PBX (SIPp over UDP), as in b2bua.sh.  With `sip trace on`
# streaming in the background (two of them: one with a filter that selects
# the call, one with a filter that selects nothing), a call that
# authenticates end to end (uas_auth.xml: 401, then the INVITE with
# Authorization) is listed by `show calls` (--json) and `show call ID`,
# survives a good `reload` (exit 0) and a broken one (exit 1, FILE:LINE),
# and ends with the browser's BYE and the PBX's 200; meanwhile `ban add` /
# `show bans` / `ban del`.  The trace holds INVITE, 200, ACK and BYE on both
# legs, with the Authorization values hidden (no digest response, no
# password); `sip trace off` ends both streams (exit 0).  A second call is
# ended by `call kill ID`: BYE toward both sides.  A trace client that does
# not read loses events (counted) while 1000 OPTIONS are answered at once.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"

E2E=$top_srcdir/tests/e2e
SIPP_DIR=$top_srcdir/tests/system/sipp
CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root for network namespaces"
	exit 0
fi
if ! command -v node >/dev/null 2>&1 || [ ! -d "$E2E/node_modules/sip.js" ]; then
	echo "1..0 # SKIP node or tests/e2e/node_modules missing (scripts/install-deps)"
	exit 0
fi
if ! command -v sipp >/dev/null 2>&1; then
	echo "1..0 # SKIP sipp is not installed"
	exit 0
fi
if ! netns_up 2>"$T/netns.err"; then
	echo "1..0 # SKIP cannot create network namespaces: $(head -n 1 "$T/netns.err")"
	exit 0
fi
plan 17

ORIGIN=https://app.sbc.test
WS=ws://$NS_SBC_OUT_IP:8080
SOCK=$T/ctl.sock
AUTH_USER=alice
AUTH_PASS=wonderland-42

write_conf() {	# write_conf USER_AGENT [EXTRA]
	cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws";  address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx-udp";     transport = "udp"; address = "$NS_SBC_IN_IP";  port = 5060; }
);
media = { workers = 1; outside_address = "$NS_SBC_OUT_IP"; inside_address = "$NS_SBC_IN_IP"; };
trunks = (
  { name = "pbx-udp"; hosts = [ "$NS_IN_IP:5080" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx-udp";
policy = { anonymous_calls = true; allowed_origins = [ "$ORIGIN" ]; };
signaling = { user_agent = "$1"; };
cli = { socket = "$SOCK"; };
${2:-}
CONF
}

ctl() { timeout 10 "$CTL" -s "$SOCK" "$@"; }

# uas NAME SCENARIO [SIPP ARGS]: a SIPp UAS on 10.201.2.2:5080, in the
# background (UAS_PID), messages in $T/NAME/; returns once it listens.
uas() {
	local name=$1 sf=$2 i
	shift 2
	mkdir -p "$T/$name"
	(cd "$T/$name" && exec ip netns exec "$NS_IN" timeout 40 sipp \
	    -sf "$SIPP_DIR/$sf" -i "$NS_IN_IP" -p 5080 -m 1 -timeout 30s \
	    -timeout_error -nostdin -trace_msg -trace_err "$@" \
	    >"$T/$name/sipp.out" 2>&1) &
	UAS_PID=$!
	for i in $(seq 1 50); do
		[ -n "$(in_in ss -Hlnu 'sport = :5080')" ] && return 0
		sleep 0.1
	done
	return 1
}

# client NAME ARGS...: one SIP.js call from the browser namespace, in the
# background (CLIENT_PID); its JSON line in $T/NAME/client.json.
client() {
	local name=$1
	shift
	in_out timeout 30 node "$E2E/sip-client.mjs" --origin "$ORIGIN" \
	    --ws "$WS" --timeout 25 "$@" >"$T/$name/client.json" \
	    2>"$T/$name/client.err" &
	CLIENT_PID=$!
}

# call_id: the id of the one call `show calls --json` lists in state up,
# waiting up to 10 s.
call_id() {
	local i id
	for i in $(seq 1 100); do
		id=$(ctl --json show calls 2>/dev/null | python3 -c '
import json, sys
up = [c for c in json.load(sys.stdin) if c["state"] == "up"]
print(up[0]["id"] if len(up) == 1 else "")' 2>/dev/null)
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
	done
	return 1
}

# listed ID: the call is in `show calls --json`.
listed() {
	ctl --json show calls | python3 -c '
import json, sys
sys.exit(0 if any(c["id"] == int(sys.argv[1]) for c in json.load(sys.stdin)) else 1)' "$1"
}

why() {	# why NAME: what both sides and the daemon said
	echo "# --- client:"; diag "$T/$1/client.json" "$T/$1/client.err"
	echo "# --- SIPp:"; grep -v '^ *$' "$T/$1/sipp.out" | tail -n 10 | sed 's/^/# /'
	echo "# --- sbc:"; tail -n 15 "$T/sbc.log" | sed 's/^/# /'
}

write_conf "sbc-first"
netns_sbc_start -c "$T/sbc.conf"
ok $? "starts between the browser and PBX networks" || diag "$T/sbc.log"

# ------------------------------------------------------------ traces on
timeout 60 "$CTL" -s "$SOCK" --json sip trace on alice >"$T/trace.json" \
    2>"$T/trace.err" &
TRACE_PID=$!
timeout 60 "$CTL" -s "$SOCK" sip trace on no-such-user >"$T/trace2.out" \
    2>"$T/trace2.err" &
TRACE2_PID=$!
for i in $(seq 1 50); do
	[ "$(grep -c 'SIP trace on' "$T/sbc.log")" -ge 2 ] && break
	sleep 0.1
done
head -n 1 "$T/trace.json" | grep -q '"info":"tracing SIP messages matching .alice.' &&
	grep -qE "^sbcctl: tracing SIP messages matching 'no-such-user' \(traces: [12]\); Ctrl-C to stop$" \
	    "$T/trace2.err"
ok $? "sip trace on (with a filter): the stream starts, on two connections" ||
	diag "$T/trace.json" "$T/trace.err" "$T/trace2.err"

# ------------------------------------------------------------ call 1
uas auth uas_auth.xml -m 2 -deadcall_wait 0 \
    -set auth_user "$AUTH_USER" -set auth_pass "$AUTH_PASS" ||
	echo "# SIPp did not start"
client auth --from sip:alice@sbc.test --to sip:1000@sbc.test \
    --auth-user "$AUTH_USER" --auth-pass "$AUTH_PASS" --hangup-after 15
ID=$(call_id)
ctl --json show calls >"$T/calls.json" 2>&1 && python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert len(c) == 1, c
c = c[0]
assert c["id"] == int(sys.argv[2]) and c["state"] == "up", c
assert c["direction"] == "browser->pbx" and c["from"] == "alice", c
assert c["to"] == "1000" and c["trunk"] == "pbx-udp", c
assert isinstance(c["seconds"], int), c' "$T/calls.json" "$ID"
ok $? "show calls --json lists the call (id ${ID:-?}, up, alice -> 1000)" ||
	{ diag "$T/calls.json"; why auth; }

ctl show call "$ID" >"$T/call.out" 2>&1 && grep -q "^id: *$ID$" "$T/call.out" &&
	grep -q "^state: *up$" "$T/call.out" && grep -q "^media_worker: *0$" "$T/call.out" &&
	grep -q "^pbx_profile: " "$T/call.out"
ok $? "show call ID: the call in detail" || diag "$T/call.out"

ctl show call 999999 >"$T/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^sbcctl: no call 999999$" "$T/out"
ok $? "show call of an unknown id exits 1 (rc $rc)" || diag "$T/out"

write_conf "sbc-second"
ctl reload >"$T/out" 2>&1 && grep -q "configuration reloaded" "$T/out" &&
	listed "$ID"
ok $? "reload of a good file during the call: exit 0, the call stays" || diag "$T/out"

write_conf "sbc-third" "bogus_key = 1;"
line=$(grep -n bogus_key "$T/sbc.conf" | cut -d: -f1)
ctl reload >"$T/out" 2>"$T/err"
rc=$?
write_conf "sbc-second"
[ $rc -eq 1 ] && grep -q "reload refused" "$T/err" &&
	grep -q "sbc.conf:$line: unknown key 'bogus_key'" "$T/err" &&
	listed "$ID"
ok $? "reload of a broken file: exit 1 with FILE:LINE, the call stays (rc $rc)" ||
	{ diag "$T/err"; echo "# line $line, call $ID:"; ctl show calls | sed 's/^/# /'; }

ctl ban add 192.0.2.9 >"$T/out" 2>&1 &&
	ctl --json show bans | python3 -c '
import json, sys
b = [x for x in json.load(sys.stdin) if x["address"] == "192.0.2.9"]
assert len(b) == 1 and b[0]["seconds_left"] > 3000, b' &&
	ctl ban del 192.0.2.9 >>"$T/out" 2>&1 &&
	ctl show bans >"$T/bans.out" 2>&1 && ! grep -q 192.0.2.9 "$T/bans.out"
ok $? "ban add 192.0.2.9, show bans lists it, ban del lifts it" ||
	diag "$T/out" "$T/bans.out"

wait "$CLIENT_PID"
crc=$?
wait "$UAS_PID"
urc=$?
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["final"] == 200 and r["endedBy"] == "local" and r["byeStatus"] == 200, r' \
    "$T/auth/client.json" && [ $crc -eq 0 ] && [ $urc -eq 0 ] && ! listed "$ID"
ok $? "the call survived both reloads and ended with BYE/200 (client $crc, PBX $urc)" ||
	why auth

# ------------------------------------------------------------ traces off
ctl sip trace off >"$T/off.out" 2>&1 && grep -q "^stopped: *2$" "$T/off.out"
ok $? "sip trace off ends both of this user's traces" || diag "$T/off.out"
wait "$TRACE_PID"
trc=$?
wait "$TRACE2_PID"
trc2=$?
[ $trc -eq 0 ] && [ $trc2 -eq 0 ] && tail -n 1 "$T/trace.json" |
	grep -q '^"trace stopped by .sip trace off."$'
ok $? "both sbcctl sip trace on exit 0 (rc $trc, $trc2)" ||
	diag "$T/trace.json" "$T/trace.err" "$T/trace2.err"

# Every event: {time, dir, leg, peer, text}.  What each leg saw, in order.
python3 - "$T/trace.json" >"$T/trace.sum" 2>&1 <<'PY'
import json, sys
seen = {"browser": [], "pbx": []}
for line in open(sys.argv[1]).read().splitlines()[1:-1]:
    e = json.loads(line)
    assert set(e) >= {"time", "dir", "leg", "peer", "text"}, e
    first = e["text"].split("\r\n")[0]
    word = first.split()[1] if first.startswith("SIP/2.0") else first.split()[0]
    cseq = [h for h in e["text"].split("\r\n") if h.lower().startswith("cseq:")]
    seen[e["leg"]].append("%s %s %s" % (e["dir"], word, cseq[0].split()[-1] if cseq else "-"))
for leg in ("browser", "pbx"):
    print(leg, " ".join(seen[leg]))
need = {"browser": ["in INVITE INVITE", "out 401 INVITE", "out 200 INVITE",
                    "in ACK ACK", "in BYE BYE", "out 200 BYE"],
        "pbx": ["out INVITE INVITE", "in 401 INVITE", "in 200 INVITE",
                "out ACK ACK", "out BYE BYE", "in 200 BYE"]}
for leg, items in need.items():
    for i in items:
        assert i in seen[leg], (leg, i)
PY
ok $? "the trace holds INVITE, 401, 200, ACK, BYE, 200 on both legs" ||
	diag "$T/trace.sum"

hidden=$(grep -o 'Authorization: <hidden>' "$T/trace.json" | wc -l)
[ "$(cat "$T/trace2.out")" = "trace stopped by 'sip trace off'" ] &&
	[ "$hidden" -ge 2 ] &&
	! grep -qiE 'response=|cnonce=|wonderland' "$T/trace.json" &&
	python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[1:-1]]
auth = [e for e in ev if "\r\nAuthorization: <hidden>\r\n" in e["text"]]
assert {e["leg"] for e in auth} == {"browser", "pbx"}, auth' "$T/trace.json"
ok $? "Authorization hidden on both legs ($hidden), nothing for the other filter" ||
	{ grep -o 'Authorization:[^\\]*' "$T/trace.json" | head -n 5 | sed 's/^/# /'; diag "$T/trace2.out"; }

# ------------------------------------------------------------ call 2: kill
uas kill uas_answer.xml || echo "# SIPp did not start"
client kill --to sip:1000@sbc.test --expect-bye
ID2=$(call_id)
ctl call kill "$ID2" >"$T/kill.out" 2>&1 && grep -q "^killed$" "$T/kill.out"
ok $? "call kill ${ID2:-?}: exit 0" || diag "$T/kill.out"
wait "$CLIENT_PID"
crc=$?
wait "$UAS_PID"
urc=$?
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["final"] == 200 and r["endedBy"] == "remote", r' "$T/kill/client.json" &&
	[ $crc -eq 0 ] && [ $urc -eq 0 ] &&
	cat "$T"/kill/*_messages.log | tr -d '\r' | grep -q '^BYE sip:' &&
	wait_log "killed by sbcctl" 2 &&
	[ "$(ctl --json show calls)" = "[]" ]
ok $? "the killed call got BYE on both legs (client $crc, PBX $urc); none left" ||
	why kill

# ------------------------------------------------------------ slow reader
# A trace client that does not read while 1000 OPTIONS come and go: the
# daemon answers every one at once (SIPp at 500/s, no timeout), drops
# trace events for the client and counts them; what the client gets
# afterwards (one more OPTIONS flushes the counts) adds up: every
# message was either delivered or counted as dropped.
python3 - "$SOCK" "$T/slow.fifo" >"$T/slow.out" 2>&1 <<'PY' &
import json, os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b'{"argv":["sip","trace","on"]}\n')
f = s.makefile("rb")
print("start", json.loads(f.readline())["event"]["info"], flush=True)
while not os.path.exists(sys.argv[2]):	# not reading meanwhile
    time.sleep(0.1)
s.settimeout(3)
events = dropped = 0
try:
    for line in f:
        e = json.loads(line)["event"]
        events += 1
        dropped += e.get("dropped", 0)
        if events + dropped >= 2002:
            break
except socket.timeout:
    pass
print("events", events, "dropped", dropped, flush=True)
PY
SLOW_PID=$!
for i in $(seq 1 50); do grep -q "^start" "$T/slow.out" && break; sleep 0.1; done
mkdir -p "$T/flood"
(cd "$T/flood" && in_in timeout 30 sipp -sf "$SIPP_DIR/options.xml" -m 1000 \
    -r 500 -l 100 -i "$NS_IN_IP" -p 5090 -timeout 20s -timeout_error \
    -nostdin "$NS_SBC_IN_IP:5060" >"$T/flood/sipp.out" 2>&1)
frc=$?
touch "$T/slow.fifo"
sleep 1
(cd "$T/flood" && in_in timeout 10 sipp -sf "$SIPP_DIR/options.xml" -m 1 \
    -i "$NS_IN_IP" -p 5090 -timeout 5s -timeout_error -nostdin \
    "$NS_SBC_IN_IP:5060" >>"$T/flood/sipp.out" 2>&1)
wait "$SLOW_PID"
read -r _ events _ dropped < <(grep "^events" "$T/slow.out")
[ $frc -eq 0 ] && [ "${dropped:-0}" -gt 0 ] &&
	[ $((${events:-0} + ${dropped:-0})) -eq 2002 ]
ok $? "a slow trace reader: 1000 OPTIONS answered (rc $frc); ${events:-?} events + ${dropped:-?} dropped = 2002" ||
	{ diag "$T/slow.out"; tail -n 5 "$T/flood/sipp.out" | sed 's/^/# /'; }

sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
