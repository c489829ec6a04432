#!/bin/bash
# privileges.sh: the daemon and its privileges and files.  It refuses a
# private key that others may read (tls.private_key,
# media.dtls_private_key) with a clear message and exit 1, before it binds
# anything.  Started as root, it binds port 443 (in a network namespace of
# its own), then becomes daemon.user/daemon.group for good: every uid and
# gid, the supplementary groups and the capabilities say so.  It writes
# daemon.pid_file and removes it at exit, and tells systemd READY=1,
# RELOADING=1 / READY=1 and STOPPING=1 on $NOTIFY_SOCKET (Type=notify).
# Started as sbc.service starts it (an unprivileged user, only
# CAP_NET_BIND_SERVICE, no_new_privs: setpriv here), it binds 443 too and
# stays as it is.
. "$top_srcdir/tests/system/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (to drop privileges)"
	exit 0
fi
if ! unshare --net true 2>/dev/null; then
	echo "1..0 # SKIP cannot create network namespaces"
	exit 0
fi
plan 16

chmod 755 "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=sbc.test -days 30 -keyout "$T/key.pem" -out "$T/cert.pem" \
    >"$T/openssl.out" 2>&1 &&
	cp "$T/key.pem" "$T/dtls-key.pem" && cp "$T/cert.pem" "$T/dtls.pem" ||
	{ echo "Bail out! openssl cannot make a certificate"; diag "$T/openssl.out"; exit 1; }
chmod 600 "$T/key.pem" "$T/dtls-key.pem"

key_conf() {	# key_conf: wss with tls.* and the DTLS identity from files
	cat >"$T/keys.conf" <<CONF
daemon = { state_dir = "$T/state"; };
tls = { certificate = "$T/cert.pem"; private_key = "$T/key.pem"; };
listeners = (
  { name = "browsers"; transport = "wss"; address = "127.0.0.1"; port = 15560; },
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 15561; }
);
media = { workers = 1; dtls_certificate = "$T/dtls.pem"; dtls_private_key = "$T/dtls-key.pem"; };
cli = { socket = ""; };
CONF
}

# refused KEYFILE MODE: sbc stops with exit 1 and the message, never ready
refused() {
	chmod "$2" "$1"
	timeout 20 "$SBC" -c "$T/keys.conf" >"$T/refused.log" 2>&1
	local rc=$?
	chmod 600 "$1"
	[ $rc -eq 1 ] &&
		grep -q "$1: private key is readable by others; chmod o-rwx it" "$T/refused.log" &&
		! grep -q "sbc notice: ready" "$T/refused.log" &&
		! grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$T/refused.log"
}

key_conf
refused "$T/key.pem" 644
ok $? "tls.private_key readable by others (0644): exit 1, 'chmod o-rwx' message" ||
	diag "$T/refused.log"
refused "$T/key.pem" 602
ok $? "tls.private_key writable by others (0602): refused too" ||
	diag "$T/refused.log"
refused "$T/dtls-key.pem" 604
ok $? "media.dtls_private_key readable by others (0604): exit 1, same message" ||
	diag "$T/refused.log"
chmod 640 "$T/key.pem" "$T/dtls-key.pem"
timeout 20 "$SBC" --check-config "$T/keys.conf" >"$T/out" 2>&1 &&
	sbc_start -c "$T/keys.conf" && sbc_stop
ok $? "group-readable keys (0640) are accepted: the daemon starts and stops" ||
	diag "$T/sbc.log"

# ---- root: bind 443, then drop; pid file; systemd notifications
nobody_uid=$(id -u nobody)
nogroup_gid=$(getent group nogroup | cut -d: -f3)
mkdir -p "$T/run" && chown nobody "$T/run"
cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state2"; user = "nobody"; group = "nogroup"; pid_file = "$T/run/sbc.pid"; };
listeners = (
  { name = "browsers"; transport = "wss"; address = "127.0.0.1"; port = 443; },
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 5060; }
);
media = { workers = 1; };
cli = { socket = "$T/run/sbcctl.sock"; };
CONF

have_socat=1
command -v socat >/dev/null 2>&1 || have_socat=0
NPID=
if [ $have_socat = 1 ]; then
	# each datagram appended as it comes (no separator): the order shows
	socat -u UNIX-RECV:"$T/notify.sock",mode=777 \
	    OPEN:"$T/notify.log",creat,append 2>"$T/socat.err" &
	NPID=$!
	trap '[ -n "$NPID" ] && kill "$NPID" 2>/dev/null; cleanup' EXIT
	for i in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
fi
notified() {	# notified REGEXP: the whole notify log matches (waits 5 s)
	local i
	for i in $(seq 50); do
		tr '\n' ';' <"$T/notify.log" 2>/dev/null | grep -qxE "$1" && return 0
		sleep 0.1
	done
	return 1
}

# unshare execs: the pid of the background job is the daemon's.
: >"$T/sbc.log"
NOTIFY_SOCKET=$T/notify.sock unshare --net -- sh -c \
    'ip link set lo up && exec "$0" "$@"' "$SBC" -c "$T/sbc.conf" \
    >>"$T/sbc.log" 2>&1 &
SBC_PID=$!
wait_log "sbc notice: ready" 15
ok $? "as root: binds wss on port 443 and starts (own network namespace)" ||
	diag "$T/sbc.log"

st=/proc/$SBC_PID/status
grep -qE "^Uid:\s+$nobody_uid\s+$nobody_uid\s+$nobody_uid\s+$nobody_uid$" "$st" &&
	grep -qE "^Gid:\s+$nogroup_gid\s+$nogroup_gid\s+$nogroup_gid\s+$nogroup_gid$" "$st" &&
	grep -qE "^Groups:\s+$nogroup_gid\s*$" "$st" &&
	grep -qE "^CapEff:\s+0+$" "$st" && grep -qE "^CapPrm:\s+0+$" "$st"
ok $? "then runs as nobody:nogroup: real/effective/saved uid and gid, groups, no capability" ||
	grep -E "^(Uid|Gid|Groups|Cap)" "$st" | diag /dev/stdin
nsenter --net="/proc/$SBC_PID/ns/net" ss -Hltn 'sport = :443' >"$T/ss.out" 2>&1 &&
	grep -q LISTEN "$T/ss.out"
ok $? "port 443 stays bound after the drop" || diag "$T/ss.out"
[ "$(cat "$T/run/sbc.pid" 2>/dev/null)" = "$SBC_PID" ]
ok $? "daemon.pid_file holds the daemon's pid"

if [ $have_socat = 1 ]; then
	notified "READY=1"
	ok $? "NOTIFY_SOCKET: READY=1 once ready" || diag "$T/notify.log"
	"$SBCCTL" -s "$T/run/sbcctl.sock" reload >"$T/out" 2>&1 &&
		notified "READY=1RELOADING=1;MONOTONIC_USEC=[0-9]+READY=1"
	ok $? "sbcctl reload (as nobody): RELOADING=1 with MONOTONIC_USEC, then READY=1" ||
		{ diag "$T/out"; diag "$T/notify.log"; }
else
	n=$((n + 1)); echo "ok $n - READY=1 # SKIP socat is not installed"
	n=$((n + 1)); echo "ok $n - RELOADING=1 # SKIP socat is not installed"
fi

sbc_stop && [ ! -e "$T/run/sbc.pid" ] && [ ! -e "$T/run/sbcctl.sock" ]
ok $? "SIGTERM: exit 0; pid file and control socket removed" ||
	{ diag "$T/sbc.log"; ls -l "$T/run" | diag /dev/stdin; }
if [ $have_socat = 1 ]; then
	notified "READY=1RELOADING=1;MONOTONIC_USEC=[0-9]+READY=1STOPPING=1"
	ok $? "NOTIFY_SOCKET: STOPPING=1 at stop" || diag "$T/notify.log"
else
	n=$((n + 1)); echo "ok $n - STOPPING=1 # SKIP socat is not installed"
fi

# ---- as sbc.service runs it: User=, AmbientCapabilities=CAP_NET_BIND_SERVICE,
# CapabilityBoundingSet=CAP_NET_BIND_SERVICE, NoNewPrivileges=yes, and a
# StateDirectory owned by that user.
if ! command -v setpriv >/dev/null 2>&1; then
	for what in "starts unprivileged" "capabilities" "port 443" "clean stop"; do
		n=$((n + 1)); echo "ok $n - $what # SKIP no setpriv (util-linux)"
	done
	exit 0
fi
mkdir -p "$T/state3" "$T/run3" && chown nobody:nogroup "$T/state3" "$T/run3"
cat >"$T/unit.conf" <<CONF
daemon = { state_dir = "$T/state3"; user = "nobody"; };
listeners = (
  { name = "browsers"; transport = "wss"; address = "127.0.0.1"; port = 443; },
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 5060; }
);
media = { workers = 1; };
cli = { socket = "$T/run3/sbcctl.sock"; };
CONF
: >"$T/sbc.log"
unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
    --bounding-set=-all,+net_bind_service --no-new-privs -- \
    "$SBC" -c "$T/unit.conf" >>"$T/sbc.log" 2>&1 &
SBC_PID=$!
wait_log "sbc notice: ready" 15 && [ -s "$T/state3/sbc-key.pem" ] &&
	grep -q "running as nobody" "$T/sbc.log" &&
	! grep -q "not root" "$T/sbc.log"
ok $? "unprivileged with CAP_NET_BIND_SERVICE only: starts, makes its certificate in its state_dir, 'running as nobody'" ||
	diag "$T/sbc.log"
st=/proc/$SBC_PID/status
grep -qE "^Uid:\s+$nobody_uid\s+$nobody_uid\s+$nobody_uid\s+$nobody_uid$" "$st" &&
	grep -qE "^CapEff:\s+0000000000000400$" "$st" &&
	grep -qE "^CapBnd:\s+0000000000000400$" "$st" &&
	grep -qE "^NoNewPrivs:\s+1$" "$st"
ok $? "it stays nobody with CAP_NET_BIND_SERVICE alone, no_new_privs set" ||
	grep -E "^(Uid|Gid|Cap|NoNewPrivs)" "$st" | diag /dev/stdin
nsenter --net="/proc/$SBC_PID/ns/net" ss -Hltn 'sport = :443' >"$T/ss.out" 2>&1 &&
	grep -q LISTEN "$T/ss.out" &&
	"$SBCCTL" -s "$T/run3/sbcctl.sock" reload >"$T/out" 2>&1
ok $? "port 443 is bound; sbcctl reload works" ||
	{ diag "$T/ss.out"; diag "$T/out"; }
sbc_stop && [ ! -e "$T/run3/sbcctl.sock" ]
ok $? "SIGTERM: exit 0, its control socket removed" || diag "$T/sbc.log"
