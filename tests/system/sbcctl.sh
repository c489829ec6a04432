#!/bin/bash
# sbcctl.sh: the control socket and sbcctl against the real daemon: socket
# mode and group from cli.*, status (table and --json), show stats, help,
# log level get/set, reload of a good and of a broken file (FILE:LINE, the
# daemon keeps answering), the localhost TCP port, the interactive mode on
# a pipe, exit codes (missing socket 3, unknown command 2; a command
# forwarded to signaling answers or fails within the timeout), garbage, oversized
# and idle clients (an error line or a close; the daemon survives), and
# the socket removed at stop.
. "$top_srcdir/tests/system/lib.sh"
plan 20

CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}
SOCK="$T/run/ctl.sock"
group=nogroup
getent group "$group" >/dev/null || group=""

write_conf() {	# write_conf USER_AGENT [EXTRA]
	cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
listeners = (
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 15270; }
);
media = { workers = 1; };
signaling = { user_agent = "$1"; };
cli = { socket = "$SOCK"; mode = "0640"; group = "$group"; tcp_port = 15271; };
${2:-}
CONF
}

ctl() { "$CTL" -s "$SOCK" "$@"; }

write_conf "sbc-first"
sbc_start -c "$T/sbc.conf"
ok $? "starts with cli.socket in the test directory" || diag "$T/sbc.log"

perm=$(stat -c '%a %G' "$SOCK" 2>&1)
[ -S "$SOCK" ] && [ "$perm" = "640 ${group:-root}" ]
ok $? "the socket has cli.mode and cli.group ($perm)"

ctl status >"$T/out" 2>&1 && grep -q "^version: *[0-9]" "$T/out" &&
	grep -q "^threads: *3$" "$T/out" && grep -q "^uptime: *[0-9]" "$T/out"
ok $? "status: key: value lines" || diag "$T/out"

ctl --json status >"$T/out" 2>&1 && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["threads"] == 3 and d["media_workers"] == 1, d
assert d["calls_active"] == 0 and isinstance(d["uptime"], int), d
assert d["version"].count(".") == 2, d' "$T/out"
ok $? "status --json parses as JSON with the expected members" || diag "$T/out"

ctl --json show stats >"$T/out" 2>&1 && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("calls_total", "ws_connections", "policy_drops", "bans_active",
          "cac_rejects", "media_sessions", "media_packets_in",
          "media_srtp_auth_failures", "media_dtls_failures"):
    assert isinstance(d[k], int), k
assert len(d) >= 16, d' "$T/out" &&
	ctl show stats | grep -q "^media_packets_out: *0$"
ok $? "show stats: every counter, media totals" || diag "$T/out"

ctl help >"$T/out" 2>&1 && head -1 "$T/out" | grep -q "^command  *args  *help$" &&
	grep -q "^show calls " "$T/out" && grep -q "^log level  *\[error|" "$T/out" &&
	grep -q "^reload " "$T/out" && grep -q "^sip trace  *on|off" "$T/out"
ok $? "help: a table of every command" || diag "$T/out"

ctl log level debug >/dev/null && ctl log level >"$T/out" &&
	grep -q "^level: debug$" "$T/out" &&
	wait_log "log level set to debug by sbcctl" 2
ok $? "log level debug, then log level shows debug" || diag "$T/out"

write_conf "sbc-second"
ctl reload >"$T/out" 2>&1 && grep -q "configuration reloaded" "$T/out" &&
	wait_log "configuration reloaded" 2
ok $? "reload of a good file exits 0" || diag "$T/out"

write_conf "sbc-third" "bogus_key = 1;"
ctl reload >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "reload refused" "$T/err" &&
	grep -q "sbc.conf:8: unknown key 'bogus_key'" "$T/err"
ok $? "reload of a broken file exits 1 with FILE:LINE (rc $rc)" || diag "$T/err"
ctl status >/dev/null
ok $? "the daemon still answers after a refused reload"

"$CTL" -s "$T/nonexistent.sock" status >"$T/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "cannot connect to $T/nonexistent.sock: No such file or directory (is sbc running?)" "$T/out"
ok $? "a missing socket exits 3 with a clear message (rc $rc)" || diag "$T/out"

ctl bogus command >"$T/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "unknown command 'bogus command'" "$T/out"
ok $? "an unknown command exits 2 (rc $rc)" || diag "$T/out"

# Forwarded to the signaling thread: an answer, or a clean failure ("no
# answer from signaling" when it has no handler), within the 3 s timeout.
start=$(date +%s)
ctl --json show calls >"$T/out" 2>"$T/err"
rc=$?
{ { [ $rc -eq 0 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out"; } ||
  { [ $rc -eq 1 ] && grep -q "^sbcctl: ." "$T/err"; }; } &&
	[ $(($(date +%s) - start)) -le 5 ]
ok $? "a command for signaling is answered or fails cleanly in time (rc $rc)" ||
	diag "$T/out" "$T/err"

"$CTL" -p 15271 --json status | python3 -c 'import json,sys; json.load(sys.stdin)'
ok $? "the localhost TCP port answers too"

printf 'status\nshow  "stats"\nquit\nstatus\n' | ctl >"$T/out" 2>&1 &&
	[ "$(grep -c '^version:' "$T/out")" -eq 1 ] &&
	grep -q "^media_packets_in:" "$T/out"
ok $? "interactive mode reads commands from a pipe until quit" || diag "$T/out"

# An idle client is dropped after 10 s; it does not hold up the others.
python3 - "$SOCK" >"$T/idle.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
t = time.time()
print(len(s.recv(100)), round(time.time() - t))
PY
idle_pid=$!

printf 'this is not JSON\n' | socat -t 5 - "UNIX-CONNECT:$SOCK" >"$T/out" 2>&1
python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["status"] == 2 and d["error"].startswith("bad request"), d' "$T/out"
ok $? "garbage gets a status 2 error line" || diag "$T/out"

python3 - "$SOCK" >"$T/out" 2>&1 <<'PY' &&
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)
try:
    s.sendall(b"x" * 20000)	# the daemon may answer and close first
except OSError:
    pass
print(s.makefile().readline(), end="")
PY
	grep -q '^{"status":2,"error":"bad request: line too long"}$' "$T/out" &&
	printf '{"argv":["a\\u0000"]}\n{"argv":[' | socat -t 5 - "UNIX-CONNECT:$SOCK" |
	grep -q '"status":2,'
ok $? "an oversized request and a NUL are refused" || diag "$T/out"

pids=
for i in $(seq 1 40); do
	printf '{"argv":["status"]}' | socat -t 5 - "UNIX-CONNECT:$SOCK" \
		>"$T/many.$i" 2>&1 &
	pids="$pids $!"
done
wait $pids
answered=$(cat "$T"/many.* | grep -c '"status":0')
ctl status >/dev/null && kill -0 "$SBC_PID" && [ "$answered" -ge 1 ]
ok $? "40 clients at once: the daemon survives and answers ($answered answered)"

wait $idle_pid
read -r got idle <"$T/idle.out"
[ "$got" = 0 ] && [ "$idle" -ge 9 ] && [ "$idle" -le 12 ]
ok $? "an idle client is disconnected after 10 s (${idle:-?} s)" || diag "$T/idle.out"

sbc_stop && [ ! -e "$SOCK" ]
ok $? "SIGTERM: clean exit, socket removed" || diag "$T/sbc.log"
