#!/bin/bash
# snmp.sh: the AgentX sub-agent (sbc/snmp_agent.c) against Debian's real
# snmpd, run as AgentX master on a private configuration in $T (its own
# socket, UDP port on 127.0.0.1, pid and state; the system's snmpd is not
# touched).  The SBC starts before the master: it only warns and keeps
# retrying; once snmpd is up it connects, and snmpwalk (SNMPv2c) reads
# SBC-MIB: sbcVersion, sbcUptime, the trunk table (the two configured
# trunks, unmonitored), the media counters, and the same by name with
# -m SBC-MIB.  The TLS certificate expires in 10 days, so the daemon queues
# sbcCertificateExpiring at start and the sub-agent sends it once connected:
# snmpd forwards it (trap2sink) to a snmptrapd in $T.  Then snmpd restarts
# and the sub-agent reconnects (snmp.reconnect = 1 s).  The daemon runs as
# 'nobody' (the sub-agent starts after privileges are dropped) and exits
# cleanly with the sanitizers silent.
. "$top_srcdir/tests/system/lib.sh"

PATH=$PATH:/usr/sbin
for tool in snmpd snmptrapd snmpwalk snmpget openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool missing: scripts/install-deps"
		exit 0
	fi
done
plan 14

SNMP_PORT=16161
TRAP_PORT=16162
COMMUNITY=sbc-test
ENT=.1.3.6.1.4.1.99999		# SBC-MIB::sbc (placeholder enterprise number)
SMI=$(ls -d /usr/lib/erlang/lib/snmp-*/mibs 2>/dev/null | tail -n 1)
VERSION=$("$SBC" --version | awk '{ print $2 }')
# net-snmp tools and daemons: state and config files in $T only.
export SNMP_PERSISTENT_DIR=$T/persist SNMPCONFPATH=$T/snmpconf
mkdir -p "$SNMP_PERSISTENT_DIR" "$SNMPCONFPATH"
SNMPD_PID=
TRAPD_PID=
trap 'kill $SNMPD_PID $TRAPD_PID 2>/dev/null; cleanup' EXIT

# until_ok SECONDS COMMAND...: retry every 0.2 s until it succeeds.
until_ok() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

skip() {	# skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

snmp() {	# snmp get|walk ARGS...: SNMPv2c to our snmpd, numeric output
	local cmd=$1
	shift
	"snmp$cmd" -v2c -c "$COMMUNITY" -t 1 -r 1 -m "" -On \
	    "127.0.0.1:$SNMP_PORT" "$@"
}

snmpd_start() {
	rm -f "$T/agentx"
	snmpd -f -C -c "$T/snmpd.conf" -m "" -Lo -p "$T/snmpd.pid" \
	    "udp:127.0.0.1:$SNMP_PORT" >>"$T/snmpd.log" 2>&1 &
	SNMPD_PID=$!
	until_ok 10 test -S "$T/agentx"
}

snmpd_stop() {
	kill -TERM "$SNMPD_PID" 2>/dev/null
	wait "$SNMPD_PID" 2>/dev/null
	SNMPD_PID=
}

# ------------------------------------------------------------ setup
cat >"$T/trapd.conf" <<CONF
disableAuthorization yes
CONF
snmptrapd -f -C -c "$T/trapd.conf" -X -n -m "" -On -Lf "$T/trapd.log" \
    -p "$T/trapd.pid" "udp:127.0.0.1:$TRAP_PORT" >"$T/trapd.out" 2>&1 &
TRAPD_PID=$!
until_ok 10 grep -q "NET-SNMP version" "$T/trapd.log"
ok $? "snmptrapd listens on 127.0.0.1:$TRAP_PORT" || diag "$T/trapd.out"

cat >"$T/snmpd.conf" <<CONF
master agentx
agentXSocket $T/agentx
agentXPerms 0777 0777
rocommunity $COMMUNITY 127.0.0.1
trap2sink udp:127.0.0.1:$TRAP_PORT $COMMUNITY
CONF

# A certificate that expires in 10 days; the daemon reads it as 'nobody'.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 10 -subj /CN=localhost -keyout "$T/key.pem" -out "$T/cert.pem" \
    >"$T/openssl.out" 2>&1
chmod 600 "$T/key.pem"
chmod 755 "$T"

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; user = "nobody"; };
log = { level = "info"; };
tls = { certificate = "$T/cert.pem"; private_key = "$T/key.pem"; };
listeners = (
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 15380; },
  { name = "browsers"; transport = "wss"; address = "127.0.0.1"; port = 15381; }
);
media = { workers = 1; };
trunks = (
  { name = "pbx-a"; hosts = [ "127.0.0.1:15382" ]; transport = "udp"; options_interval = 0; },
  { name = "carrier-b"; hosts = [ "127.0.0.1:15383" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx-a";
cli = { socket = "$T/sbcctl.sock"; };
snmp = { enabled = true; agentx_socket = "$T/agentx"; reconnect = 1; };
policy = { anonymous_calls = true; max_cps = 1; };
CONF

# ------------------------------------------------------------ no master yet
sbc_start -c "$T/sbc.conf" &&
	wait_log "snmp warning: no AgentX master at $T/agentx yet" 5
ok $? "starts without a master agent: a warning, not an error" ||
	diag "$T/sbc.log"

snmpd_start
ok $? "snmpd runs as AgentX master on $T/agentx" || diag "$T/snmpd.log"

wait_log "snmp notice: connected to the AgentX master" 10
ok $? "the sub-agent connects once the master is there" || diag "$T/sbc.log"

# ------------------------------------------------------------ walk
until_ok 5 snmp get "$ENT.1.1.1.0" >/dev/null 2>&1
snmp walk "$ENT" >"$T/walk.txt" 2>&1
grep -qxF "$ENT.1.1.1.0 = STRING: \"$VERSION\"" "$T/walk.txt"
ok $? "sbcVersion is $VERSION" || diag "$T/walk.txt"

ticks=$(awk -v o="$ENT.1.1.2.0" '$1 == o && $3 == "Timeticks:" {
	gsub(/[()]/, "", $4); print $4 }' "$T/walk.txt")
[ "${ticks:-0}" -gt 0 ]
ok $? "sbcUptime > 0 (${ticks:-none} ticks)" || diag "$T/walk.txt"

for want in "2.1 = STRING: \"pbx-a\"" "2.2 = STRING: \"carrier-b\"" \
    "3.1 = INTEGER: 5" "3.2 = INTEGER: 5" "5.1 = INTEGER: 2"; do
	grep -qxF "$ENT.1.5.1.1.$want" "$T/walk.txt" || break
done &&
	[ "$(grep -c "^$ENT\.1\.5\.1\.1\.2\." "$T/walk.txt")" -eq 2 ]
ok $? "sbcTrunkTable: the 2 configured trunks, unmonitored(5)" ||
	diag "$T/walk.txt"

[ "$(grep -cE "^$ENT\.1\.3\.[1-4]\.0 = Counter64: [0-9]+$" "$T/walk.txt")" -eq 4 ]
ok $? "media counters readable (Counter64)" || diag "$T/walk.txt"

if [ -n "$SMI" ]; then
	snmpwalk -v2c -c "$COMMUNITY" -M "$SMI:$top_srcdir/docs" -m SBC-MIB \
	    "127.0.0.1:$SNMP_PORT" SBC-MIB::sbc >"$T/walk-names.txt" 2>&1
	grep -qxF 'SBC-MIB::sbcTrunkName.2 = STRING: carrier-b' "$T/walk-names.txt" &&
		grep -qxF 'SBC-MIB::sbcTrunkState.1 = INTEGER: unmonitored(5)' \
		    "$T/walk-names.txt" &&
		grep -qxF "SBC-MIB::sbcVersion.0 = STRING: $VERSION" "$T/walk-names.txt"
	ok $? "snmpwalk -m SBC-MIB SBC-MIB::sbc resolves names" ||
		diag "$T/walk-names.txt"
else
	skip "snmpwalk -m SBC-MIB SBC-MIB::sbc resolves names" \
	    "SNMPv2 base MIBs (erlang-snmp) missing"
fi

# ------------------------------------------------------------ a call
# One real call attempt through the B2BUA: an INVITE from a browser over WSS
# (a small stdlib WebSocket client) without SDP is a call that fails (488).
ws_invite() {	# ws_invite PORT: prints the final response's status line
	timeout 10 python3 - "$1" <<'PY'
import base64, os, socket, ssl, struct, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 5))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n")
    .encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
assert b" 101 " in buf.split(b"\r\n")[0], buf
buf = buf.split(b"\r\n\r\n", 1)[1]
tag = os.urandom(6).hex()
sip = ("INVITE sip:100@sbc.invalid SIP/2.0\r\n"
    "Via: SIP/2.0/WSS " + tag + ".invalid;branch=z9hG4bK" + tag + "\r\n"
    "Max-Forwards: 70\r\nTo: <sip:100@sbc.invalid>\r\n"
    "From: <sip:alice@sbc.invalid>;tag=" + tag + "\r\n"
    "Call-ID: " + tag + "\r\nCSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@" + tag + ".invalid;transport=ws>\r\n"
    "Content-Length: 0\r\n\r\n").encode()
mask = os.urandom(4)
s.sendall(bytes([0x81, 0xfe]) + struct.pack("!H", len(sip)) + mask +
    bytes(b ^ mask[i % 4] for i, b in enumerate(sip)))
def need(n):
    global buf
    while len(buf) < n:
        buf += s.recv(4096)
while True:
    need(2)
    n, h = buf[1] & 0x7f, 2
    if n == 126:
        need(4)
        n, h = struct.unpack("!H", buf[2:4])[0], 4
    need(h + n)
    line = buf[h:h + n].split(b"\r\n")[0].decode()
    buf = buf[h + n:]
    if line.startswith("SIP/2.0 ") and int(line.split()[1]) >= 200:
        print(line)
        break
PY
}
counter() {	# counter OID: the Counter64 value
	snmp get "$1" 2>/dev/null | awk '$3 == "Counter64:" { print $4 }'
}
status=$(ws_invite 15381 2>"$T/ws.err")
[ "${status%% *}" = SIP/2.0 ] && [ "$(counter "$ENT.1.2.2.0")" = 1 ] &&
	[ "$(counter "$ENT.1.2.3.0")" = 1 ]
ok $? "a failed call attempt ($status): sbcCallsTotal 1, sbcCallsFailed 1" ||
	diag "$T/ws.err" "$T/sbc.log"

# ------------------------------------------------------------ notification
trap_seen() {
	grep -q "OID: $ENT\.0\.5" "$T/trapd.log" &&
		grep -q "$ENT\.1\.6\.3\.0 = STRING: \"$T/cert.pem expires .* UTC (10 days)\"" \
		    "$T/trapd.log"
}
until_ok 10 trap_seen
ok $? "sbcCertificateExpiring (certificate ends in 10 days) reaches snmptrapd" ||
	diag "$T/trapd.log" "$T/sbc.log"

# policy.max_cps = 1: of 4 INVITEs at once at least one is refused 503,
# and one sbcCallLimitReached names the limit (once a minute at most).
pids=
for i in 1 2 3 4; do
	ws_invite 15381 >"$T/cps$i.out" 2>>"$T/ws.err" &
	pids="$pids $!"
done
wait $pids
refused=$(cat "$T"/cps?.out | grep -c "^SIP/2.0 503 ")
limit_traps() { grep -c "OID: $ENT\.0\.4[[:space:]]" "$T/trapd.log"; }
[ "$refused" -ge 1 ] && until_ok 10 grep -q "$ENT\.1\.6\.2\.0 = STRING: \"policy.max_cps\"" \
	"$T/trapd.log" && sleep 1 && [ "$(limit_traps)" -eq 1 ]
ok $? "policy.max_cps: $refused of 4 calls refused 503, one sbcCallLimitReached (\"policy.max_cps\")" ||
	{ echo "# traps: $(limit_traps)"; diag "$T/trapd.log" "$T/ws.err"; }

# ------------------------------------------------------------ master restart
snmpd_stop
got_trunk() {	# snmpget exits 0 on noSuchObject too: look at the value
	snmp get "$ENT.1.5.1.1.2.2" >"$T/get.txt" 2>&1 &&
		grep -qF 'STRING: "carrier-b"' "$T/get.txt"
}
wait_log "snmp warning: lost the AgentX master" 5 && snmpd_start &&
	until_ok 10 got_trunk
ok $? "after snmpd restarts the sub-agent reconnects and answers" ||
	diag "$T/sbc.log" "$T/get.txt"

sbc_stop
ok $? "SIGTERM: clean exit, sanitizers silent" || diag "$T/sbc.log"
snmpd_stop
