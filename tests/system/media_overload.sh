#!/bin/bash
# media_overload.sh: after an overload the relay recovers by itself.
# 100 calls with real ICE + DTLS-SRTP (tests/bench/mediabench), then a
# burst of 30 000 packets at once into their sockets: every call stays
# up, the burst's packets are relayed or dropped, and the normal packets
# after the burst second are relayed again (a known reference stops
# forwarding after such a burst).  The numbers of `make bench` are in
# docs/benchmarks.md; this only checks the behaviour.  It runs three
# times: the default (shared browser ports, PBX sockets on the io_uring),
# a port per stream (both sides' sockets on the io_uring), and without
# io_uring (the epoll path a kernel or seccomp filter that refuses it
# leaves).
. "$top_srcdir/tests/system/lib.sh"

MB=$top_builddir/tests/bench/mediabench
[ -x "$MB" ] || { echo "1..0 # SKIP $MB not built"; exit 0; }
unshare --net true 2>/dev/null || { echo "1..0 # SKIP no network namespaces"; exit 0; }
plan 12

CALLS=100
# overload IO_URING BROWSER_PORT: one run and its 4 checks.
overload() {
	local mode="io_uring $1, browser_port $2" out=$T/$1-$2 r rc lost
	BENCH_CALLS= BENCH_BURST=30000 BENCH_BURST_CALLS=$CALLS BENCH_SECONDS=8 \
	BENCH_NICE=0 BENCH_IO_URING=$1 BENCH_BROWSER_PORT=$2 BENCH_OUT="$out" \
	MEDIABENCH="$MB" \
		timeout 200 "$top_srcdir/tests/bench/run-bench" >"$out.txt" 2>&1
	rc=$?
	r=$out/bench-burst.txt
	field() { sed -n "s/^RESULT.* $1=\([^ ]*\).*/\1/p" "$r"; }

	[ $rc -eq 0 ] && [ "$(field up)" = "$CALLS" ]
	ok $? "$mode: all $CALLS calls up with ICE + DTLS-SRTP" ||
		diag "$out.txt"
	grep -q "relayed back" "$r"
	ok $? "$mode: the burst went through the relay" || diag "$r"
	# after the burst second: 2 s x 100 packets/s x 100 calls = 20 000
	lost=$(sed -n 's/.*normal packets lost after the burst second: \([0-9]*\).*/\1/p' "$r")
	[ -n "$lost" ] && [ "$lost" -le 400 ]
	ok $? "$mode: normal packets relayed again after the burst (${lost:-?} of 20000 lost)" ||
		diag "$r"
	! grep -qsE "AddressSanitizer|LeakSanitizer|runtime error:" "$out"/*
	ok $? "$mode: no sanitizer report from the SBC" ||
		diag "$out"/sbc*
}

overload true default
overload true 0
overload false default
