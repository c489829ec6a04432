#!/bin/bash
# demo_call.sh: the README's `make run` flow, as a newcomer lives it.
# scripts/run-demo (what `make run` execs) starts the SBC on its embedded
# default configuration and the SIPp demo PBX, in a network namespace of
# their own (its loopback is the 127.0.0.1 the defaults listen on; a veth
# pair with an address gives Chromium a host candidate).  Headless Chromium opens the
# page it prints, dials the number it prints on the softphone's pad
# (tests/e2e/demo-call.mjs), and must hear its own audio come back.  Then
# Ctrl-C (SIGINT to the process group, as a terminal sends it) must stop
# everything the demo started.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/browser_lib.sh"	# E2E, CHROMIUM, browser_env
for need in node sipp ss ip python3; do
	command -v $need >/dev/null 2>&1 || { echo "1..0 # SKIP no $need"; exit 0; }
done
[ -x "$CHROMIUM" ] || { echo "1..0 # SKIP no $CHROMIUM"; exit 0; }
[ -d "$E2E/node_modules/playwright-core" ] ||
	{ echo "1..0 # SKIP no playwright-core in tests/e2e/node_modules (npm ci)"; exit 0; }
[ -f "$top_builddir/web/index.html" ] ||
	{ echo "1..0 # SKIP no softphone built in $top_builddir/web (npm ci in web/)"; exit 0; }
browser_lock

NS="s$$demo"
DEMO_PID=
demo_cleanup() {
	[ -n "$DEMO_PID" ] && kill -KILL -- "-$DEMO_PID" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap demo_cleanup EXIT
ip netns add "$NS" && ip -n "$NS" link set lo up &&
	ip -n "$NS" link add d0 type veth peer name d1 &&
	ip -n "$NS" link set d0 up && ip -n "$NS" link set d1 up &&
	ip -n "$NS" addr add 10.203.0.1/24 dev d0 &&
	ip -n "$NS" route add default dev d0 ||
	{ echo "1..0 # SKIP no network namespaces"; exit 0; }
in_ns() { ip netns exec "$NS" "$@"; }

plan 5

# ------------------------------------------------------------ make run
# Its own process group, as a terminal's job, and SIGINT not ignored (a
# shell starts background jobs with SIGINT ignored, a terminal does not).
ip netns exec "$NS" python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$top_srcdir/scripts/run-demo" "$top_builddir" "$T/state" \
    >"$T/demo.out" 2>&1 </dev/null &
DEMO_PID=$!	# ip and python exec: run-demo itself, its group's leader
wait_file_text "$T/demo.out" "Demo ready" 30
url=$(grep -o 'https://127\.0\.0\.1:[0-9]*/' "$T/demo.out" | head -n 1)
number=$(sed -n 's/.*dial \([0-9*#]*\) .*/\1/p' "$T/demo.out" | head -n 1)
[ -n "$url" ] && [ -n "$number" ] && grep -q "sbc notice: ready" "$T/demo.out"
ok $? "run-demo starts the SBC and the demo PBX, prints the page ($url) and the number ($number)" ||
	diag "$T/demo.out"

# ------------------------------------------------------------ first call
browser_env
in_ns node "$E2E/demo-call.mjs" --url "${url:-https://127.0.0.1:8443/}" \
    --number "${number:-600}" --seconds 6 --timeout 90 --chromium "$CHROMIUM" \
    >"$T/call.json" 2>"$T/call.err"
rc=$?
ok $rc "Chromium opens the page, dials $number on the pad: in call, DTLS-SRTP connected, its own audio back (packets and energy), hung up" ||
	diag "$T/call.json" "$T/call.err" "$T/demo.out"
echo "# $(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	console.log(JSON.stringify({ panel: r.panel, energy: r.quality && r.quality.energy }))' "$T/call.json" 2>/dev/null)"

# SIPp's "Overload warning: the minor watchdog timer ... tripped" says
# SIPp itself got no CPU for 500 ms (a busy machine), not a SIP error.
errs=$(cat "$T/state"/*_errors.log 2>/dev/null | grep -v "watchdog timer" |
	grep -v "^The following events occurred" | grep -c .)
grep -q "call [0-9]*: .* → trunk 'demo-pbx'" "$T/demo.out" &&
	grep -Eq "call [0-9]+: ended" "$T/demo.out" && [ "$errs" -eq 0 ]
ok $? "the call went to the demo-pbx trunk and ended; SIPp logged no error" ||
	{ diag "$T/demo.out"; cat "$T/state"/*_errors.log 2>/dev/null | diag /dev/stdin; }

# ------------------------------------------------------------ Ctrl-C
kill -INT -- "-$DEMO_PID" 2>/dev/null
i=0
while kill -0 "$DEMO_PID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
# what is left in the namespace of the demo's (Chromium's crash handler
# may linger: not ours)
left=$(ip netns pids "$NS" 2>/dev/null | xargs -r ps -o comm= -p 2>/dev/null |
    grep -cE '^(sbc|sipp|run-demo)$')
! kill -0 "$DEMO_PID" 2>/dev/null && [ "$left" -eq 0 ] &&
	grep -q "stopped the SBC and the demo PBX" "$T/demo.out"
ok $? "Ctrl-C stops the SBC and the demo PBX (sbc/sipp processes left: $left)" ||
	{ diag "$T/demo.out"; ip netns pids "$NS" | xargs -r ps -o pid=,comm= -p | sed 's/^/# left: /'; }
DEMO_PID=

! grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T/demo.out"
ok $? "no sanitizer report" || diag "$T/demo.out"
