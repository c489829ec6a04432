#!/bin/bash
# trunk_snmp.sh: trunk monitoring in SBC-MIB (signaling/trunk.c publishes
# its rows to sbc/snmp_trunks.c; transitions become notifications), with
# Debian's snmpd as AgentX master and snmptrapd on a private
# configuration in $T (as snmp.sh).  Two trunks on 127.0.0.1: "reg"
# registers to a SIPp registrar (uas_trunk_brief.xml), "ping" is pinged
# every second by a SIPp host (uas_trunk_pbx.xml), down after 2 misses.
# sbcTrunkTable shows both up(1), "reg" registered; stopping the ping host
# sends sbcTrunkDown (name, down(2), the OPTIONS error) and the table says
# down; starting it again sends sbcTrunkUp.  About 20 s.
. "$top_srcdir/tests/system/lib.sh"

PATH=$PATH:/usr/sbin
for tool in snmpd snmptrapd snmpwalk sipp; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool missing: scripts/install-deps"
		exit 0
	fi
done
plan 8

SNMP_PORT=16171
TRAP_PORT=16172
COMMUNITY=sbc-test
ENT=.1.3.6.1.4.1.99999		# SBC-MIB::sbc (placeholder enterprise number)
TBL=$ENT.1.5.1.1		# sbcTrunkEntry
SIPP_DIR=$top_srcdir/tests/system/sipp
export SNMP_PERSISTENT_DIR=$T/persist SNMPCONFPATH=$T/snmpconf
mkdir -p "$SNMP_PERSISTENT_DIR" "$SNMPCONFPATH"
SNMPD_PID= TRAPD_PID= REG_PID= PING_PID=
trap 'kill $SNMPD_PID $TRAPD_PID $REG_PID $PING_PID 2>/dev/null; cleanup' EXIT

until_ok() {	# until_ok SECONDS COMMAND...
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

snmp_walk() {
	snmpwalk -v2c -c "$COMMUNITY" -t 1 -r 1 -m "" -On \
	    "127.0.0.1:$SNMP_PORT" "$TBL" >"$T/walk.txt" 2>&1
}

# has_row COL IDX VALUE: the walk has that cell.
has() { snmp_walk && grep -qxF "$TBL.$1.$2 = $3" "$T/walk.txt"; }

# sipp_host NAME PORT SCENARIO: a SIPp UAS on 127.0.0.1:PORT; pid in $!.
sipp_host() {
	mkdir -p "$T/$1"
	(cd "$T/$1" && exec timeout 60 sipp -sf "$SIPP_DIR/$3" -i 127.0.0.1 \
	    -p "$2" -mp $(($2 + 10000)) -nostdin -trace_msg >>"$T/$1/sipp.out" 2>&1) &
}

# ------------------------------------------------------------ setup
cat >"$T/trapd.conf" <<CONF
disableAuthorization yes
CONF
snmptrapd -f -C -c "$T/trapd.conf" -X -n -m "" -On -Lf "$T/trapd.log" \
    -p "$T/trapd.pid" "udp:127.0.0.1:$TRAP_PORT" >"$T/trapd.out" 2>&1 &
TRAPD_PID=$!
cat >"$T/snmpd.conf" <<CONF
master agentx
agentXSocket $T/agentx
agentXPerms 0777 0777
rocommunity $COMMUNITY 127.0.0.1
trap2sink udp:127.0.0.1:$TRAP_PORT $COMMUNITY
CONF
snmpd -f -C -c "$T/snmpd.conf" -m "" -Lo -p "$T/snmpd.pid" \
    "udp:127.0.0.1:$SNMP_PORT" >>"$T/snmpd.log" 2>&1 &
SNMPD_PID=$!
until_ok 10 test -S "$T/agentx" && until_ok 10 grep -q "NET-SNMP version" "$T/trapd.log"
ok $? "snmpd (AgentX master) and snmptrapd run" || diag "$T/snmpd.log" "$T/trapd.out"

sipp_host reg 15471 uas_trunk_brief.xml
REG_PID=$!
sipp_host ping 15472 uas_trunk_pbx.xml
PING_PID=$!

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 15470; },
  { name = "browsers"; transport = "ws"; address = "127.0.0.1"; port = 15473; }
);
media = { workers = 1; };
trunks = (
  { name = "reg"; hosts = [ "127.0.0.1:15471" ]; register = true; username = "u";
    password = "p"; domain = "snmp.test"; expires = 300; options_interval = 0; },
  { name = "ping"; hosts = [ "127.0.0.1:15472" ]; options_interval = 1;
    options_failures = 2; }
);
default_trunk = "reg";
snmp = { enabled = true; agentx_socket = "$T/agentx"; reconnect = 1; };
CONF
sbc_start -c "$T/sbc.conf" && wait_log "snmp notice: connected to the AgentX master" 10
ok $? "the daemon starts and its sub-agent connects" || diag "$T/sbc.log"

# ------------------------------------------------------------ table
until_ok 10 has 3 1 "INTEGER: 1" && has 3 2 "INTEGER: 1" &&
	has 2 1 'STRING: "reg"' && has 2 2 'STRING: "ping"'
ok $? "sbcTrunkTable: reg and ping up(1)" || diag "$T/walk.txt"

has 5 1 "INTEGER: 1" && has 5 2 "INTEGER: 2" && has 7 1 "Counter64: 0"
ok $? "sbcTrunkRegistered: reg true(1), ping false(2); no calls" || diag "$T/walk.txt"

# ------------------------------------------------------------ down, up
kill -TERM "$PING_PID"
wait "$PING_PID" 2>/dev/null
PING_PID=
trap_seen() {	# trap_seen TRAP STATE
	awk -v t="OID: $ENT.0.$1" 'index($0, t) { print }' "$T/trapd.log" |
	    grep -F "$TBL.2.2 = STRING: \"ping\"" | grep -qF "$TBL.3.2 = INTEGER: $2"
}
until_ok 10 trap_seen 1 2 && grep -F "OID: $ENT.0.1" "$T/trapd.log" |
	grep -q "$TBL.4.2 = STRING: \"OPTIONS to 127.0.0.1:15472: "
ok $? "the ping host stops: sbcTrunkDown with ping, down(2) and the OPTIONS error" ||
	{ diag "$T/trapd.log"; grep -F "trunk 'ping'" "$T/sbc.log" | sed 's/^/# /'; }

until_ok 5 has 3 2 "INTEGER: 2" && has 3 1 "INTEGER: 1"
ok $? "sbcTrunkState: ping down(2), reg still up(1)" || diag "$T/walk.txt"

sipp_host ping 15472 uas_trunk_pbx.xml
PING_PID=$!
until_ok 10 trap_seen 2 1 && until_ok 5 has 3 2 "INTEGER: 1"
ok $? "the ping host is back: sbcTrunkUp with ping, up(1)" || diag "$T/trapd.log"

sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
