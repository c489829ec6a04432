# lib.sh: helpers for the system tests (sourced).  Each test prints TAP:
# plan first, then "ok N - what" / "not ok N - what".  The harness exports
# SBC (the daemon under test), top_srcdir and top_builddir.
#
# Every test gets a scratch directory $T (removed on exit) and starts the
# daemon itself; sbc_stop checks it exits 0 on SIGTERM and that the
# sanitizers reported nothing.

set -u
T=$(mktemp -d /tmp/sbc-test.XXXXXX)
n=0
SBC_PID=
trap 'cleanup' EXIT

cleanup() {
	[ -n "$SBC_PID" ] && kill -KILL "$SBC_PID" 2>/dev/null
	# KEEP_LOGS=DIR keeps the scratch directory (logs, captures) there
	[ -n "${KEEP_LOGS:-}" ] && cp -r "$T" "$KEEP_LOGS" 2>/dev/null
	rm -rf "$T"
}

plan() { echo "1..$1"; }

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
	return "$1"
}

check() {	# check DESCRIPTION COMMAND...: ok if the command succeeds
	local what=$1; shift
	"$@" >"$T/check.out" 2>&1
	local rc=$?
	ok $rc "$what"
	[ $rc -eq 0 ] || diag "$T/check.out"
	return $rc
}

# diag FILE...: the last 40 lines as TAP comments (awk ends every line,
# so a file without a final newline cannot swallow the next result).
diag() { awk '{ print "# " $0 }' "$@" | tail -n 40; }

# sbc_start ARGS...: start the daemon, wait for "ready" in its log.
sbc_start() {
	: >"$T/sbc.log"
	"$SBC" "$@" >>"$T/sbc.log" 2>&1 &
	SBC_PID=$!
	wait_log "sbc notice: ready" 15
}

wait_log() {	# wait_log TEXT SECONDS
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -q -- "$1" "$T/sbc.log" && return 0
		kill -0 "$SBC_PID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# sbc_stop: SIGTERM, wait up to 10 s; 0 if it exited 0 without sanitizer
# reports.
sbc_stop() {
	local i=0 rc
	kill -TERM "$SBC_PID" 2>/dev/null || return 1
	while kill -0 "$SBC_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$SBC_PID" 2>/dev/null; then
		echo "# daemon did not stop within 10 s"
		return 1
	fi
	wait "$SBC_PID"
	rc=$?
	SBC_PID=
	if grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$T/sbc.log"; then
		echo "# sanitizer report:"
		diag "$T/sbc.log"
		return 1
	fi
	return $rc
}

# sipp_run SCENARIO TARGET ARGS...: one call of a client scenario, in
# $T/sipp (emptied first); messages in $T/sipp/*_messages.log.
sipp_run() {
	local sf=$1 target=$2; shift 2
	rm -rf "$T/sipp" && mkdir -p "$T/sipp"
	(cd "$T/sipp" && timeout 20 sipp -sf "$top_srcdir/tests/system/sipp/$sf" \
	    -m 1 -i 127.0.0.1 -timeout 10s -timeout_error -nostdin \
	    -trace_msg -trace_err "$@" "$target" >"$T/sipp.out" 2>&1)
}

# sipp_saw REGEXP: the last sipp run's message log has a matching line.
sipp_saw() {
	cat "$T"/sipp/*_messages.log 2>/dev/null | tr -d '\r' | grep -qE -- "$1"
}

# browser_lock: one headless Chromium at a time across the test suite
# (make check runs tests in parallel; two browsers on two cores starve the
# media of both).  Held until the test exits.
browser_lock() {
	exec 9>"${TMPDIR:-/tmp}/sbc-browser-tests.lock"
	flock -w 600 9
}

# free_port N: a TCP and UDP port nobody on this host listens on, in
# 40000-59999, spread by our pid and N (tests run in parallel).
free_port() {
	local p=$((40000 + ($$ * 37 + ${1:-0} * 101) % 20000)) i
	for i in $(seq 1 200); do
		if [ -z "$(ss -Htuln "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
		p=$((40000 + (p - 40000 + 7) % 20000))
	done
	return 1
}

# uac_status STATUS: $T/uac_STATUS.xml, a PBX call that must end with
# STATUS (tests/system/sipp/uac_status.xml.in).
uac_status() {
	sed "s/@STATUS@/$1/g" "$top_srcdir/tests/system/sipp/uac_status.xml.in" \
	    >"$T/uac_$1.xml"
}
