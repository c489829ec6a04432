# trunk_lib.sh: helpers of the trunk system tests (trunk_register.sh,
# trunk_failover.sh, trunk_many.sh), sourced after lib.sh and netns.sh:
# SIPp UAS in the PBX namespace, reading their message logs, sbcctl's
# trunk table.

SIPP_DIR=$top_srcdir/tests/system/sipp
CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}
UAS_PIDS=

# uas NAME PORT SCENARIO ARGS...: a SIPp UAS in NS_IN on $NS_IN_IP:PORT
# (UDP), its logs in $T/NAME (kept across restarts); returns once it
# listens.  UAS_PID is its pid (a `timeout`, which passes signals on).
uas() {
	local name=$1 port=$2 sf=$3 i
	shift 3
	mkdir -p "$T/$name"
	(cd "$T/$name" && exec ip netns exec "$NS_IN" timeout 150 sipp \
	    -sf "$SIPP_DIR/$sf" -i "$NS_IN_IP" -p "$port" -nostdin \
	    -trace_msg -trace_err "$@" >>"$T/$name/sipp.out" 2>&1) &
	UAS_PID=$!
	UAS_PIDS="$UAS_PIDS $UAS_PID"
	for i in $(seq 1 50); do
		[ -n "$(in_in ss -Hlnu "sport = :$port")" ] && return 0
		sleep 0.1
	done
	return 1
}

# uas_stop PID: stop one UAS, quietly.
uas_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# uas_stop_all: every UAS still running (before lib.sh's cleanup, whose
# kills bash would report).
uas_stop_all() {
	local p
	for p in $UAS_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $UAS_PIDS; do
		wait "$p" 2>/dev/null
	done
	UAS_PIDS=
}

# until_ok SECONDS COMMAND...: retry every 0.2 s.
until_ok() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# received NAME: every message the SIPp NAME got, as text.
received() {
	awk '/^-+ [0-9][0-9][0-9][0-9]-/ { keep = 0 } / message received / { keep = 1 } keep' \
	    "$T/$1"/*_messages.log 2>/dev/null | tr -d '\r'
}

# sent NAME: the status lines the SIPp NAME sent.
sent() {
	awk '/^-+ [0-9][0-9][0-9][0-9]-/ { keep = 0 } / message sent / { keep = 1; next }
	keep && /^SIP\/2.0 / { print }' "$T/$1"/*_messages.log 2>/dev/null | tr -d '\r'
}

# regs NAME: "SECONDS CSEQ EXPIRES AUTH CALLID" per REGISTER the SIPp NAME
# got (the first copy of each Call-ID and CSeq: UDP retransmissions left
# out); SECONDS count from the start of the month, to the microsecond.
regs() {
	awk '/^-+ [0-9][0-9][0-9][0-9]-/ {
		split($2, d, "-"); split($3, t, ":")
		ts = d[3] * 86400 + t[1] * 3600 + t[2] * 60 + t[3]; rx = 0; next }
	/ message received / { rx = 1; cseq = ""; ex = ""; au = 0; id = ""; reg = 0; next }
	/ message sent / { rx = 0; next }
	rx && /^REGISTER / { reg = 1 }
	rx && /^CSeq:/ { cseq = $2 }
	rx && /^Call-ID:/ { id = $2 }
	rx && /^Expires:/ { ex = $2 }
	rx && /^Authorization:/ { au = 1 }
	rx && reg && /^Content-Length:/ && !seen[id " " cseq]++ {
		printf "%.6f %s %s %s %s\n", ts, cseq, ex, au, id }' \
	    "$T/$1"/*_messages.log 2>/dev/null | tr -d '\r'
}

# nregs NAME N: the SIPp NAME got at least N REGISTERs.
nregs() { [ "$(regs "$1" | wc -l)" -ge "$2" ]; }

ctl() { "$CTL" -s "$T/sbcctl.sock" "$@"; }
ctl_json() { ctl -j show trunks; }

# field TRUNK KEY: one value of `sbcctl show trunks --json`.
field() {
	ctl_json | node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
	    const r = JSON.parse(s).find(x => x.name === process.argv[1]);
	    console.log(r ? r[process.argv[2]] : "") })' "$1" "$2"
}

# field_is TRUNK KEY VALUE
field_is() { [ "$(field "$1" "$2")" = "$3" ]; }
